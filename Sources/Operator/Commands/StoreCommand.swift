import ArgumentParser
import ControllerRuntime
import Foundation
import OperatorStore

/// `operator store backup|restore`: the status store copied with SQLite's online backup, and put back.
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Back up or restore the status store.",
        subcommands: [StoreBackupCommand.self, StoreRestoreCommand.self])
}

/// Safe while the controller runs: the copy is consistent, and checked before it is reported.
struct StoreBackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Copy the store to a new FILE (consistent while the controller runs; checked with quick_check).")

    @Argument(help: "The new backup file (refused if it exists).") var file: String
    @OptionGroup var store: StoreOptions

    func run() throws {
        guard FileManager.default.fileExists(atPath: store.path) else {
            throw CLIError.failure("no status store at \(store.path): pass --db")
        }
        do {
            let summary = try StoreBackup.backup(store: store.path, to: file)
            print("backed up \(store.path) to \(file): \(summary.bytes) bytes, \(summary.auditEntries) audit entries, quick_check ok")
        } catch let e as StoreError {
            throw CLIError.failure("\(e)")
        }
    }
}

/// Refused while a controller holds the store's lease: stop it (scale the Deployment to 0) first.
struct StoreRestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Replace the store with a backup FILE (refused while a controller holds the store's lease).")

    @Argument(help: "A file written by `operator store backup`.") var file: String
    @Option(name: .customLong("as"), help: "Who restores, for the audit log (default: the OS user).") var actor: String = currentUser()
    @OptionGroup var store: StoreOptions

    func run() throws {
        let actor = try personName(self.actor)
        do {
            let aside = try StoreBackup.restore(from: file, to: store.path, actor: actor)
            print("restored \(store.path) from \(file)" + (aside.map { "; the file that was there is kept as \($0)" } ?? ""))
        } catch StoreError.leaseHeld(let holder, let expiresAt) {
            throw CLIError.failure("controller \"\(holder)\" holds the store lease (until \(expiresAt.formatted(.iso8601))); "
                                   + "stop it first (scale the Deployment to 0), then restore")
        } catch let e as StoreError {
            throw CLIError.failure("\(e)")
        }
    }
}
