import ArgumentParser
import Foundation
import OperatorStore
import PDWire
import Reconcilers

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Show the append-only audit log.")

    @Option(help: "Only entries newer than this (Go duration, e.g. 1h, 30m).") var since: String?
    @Option(help: "Only entries about this kind (with --name).") var kind: String?
    @Option(help: "Only entries about this object name.") var name: String?
    @Option(name: .shortAndLong, help: "Output format: table, json, yaml.") var output: OutputFormat = .table
    @OptionGroup var store: StoreOptions

    struct Line: Encodable {
        var id: Int64?
        var timestamp: Date
        var actor: String
        var source: String
        var action: String
        var kind: String?
        var name: String?
        var message: String
        var before: SortedJSON?
        var after: SortedJSON?
    }

    func run() throws {
        var sinceDate: Date?
        if let since {
            do { sinceDate = Date().addingTimeInterval(-(try GoDuration(parsing: since)).seconds) } catch {
                throw ValidationError("--since: \(error)")
            }
        }
        let kindName = try kind.map { k -> String in
            guard let resolved = resolveKind(k) else { throw ValidationError("unknown kind \"\(k)\"") }
            return resolved.kind
        }
        let entries = try store.openClient().audit(since: sinceDate, kind: kindName, name: name, limit: 10_000)
        switch output {
        case .json, .yaml:
            let lines = entries.map { e in
                Line(id: e.id, timestamp: e.timestamp, actor: e.actor, source: e.source, action: e.action, kind: e.kind, name: e.name,
                     message: e.message, before: e.before.flatMap { try? JSONDecoder().decode(SortedJSON.self, from: $0) },
                     after: e.after.flatMap { try? JSONDecoder().decode(SortedJSON.self, from: $0) })
            }
            print(output == .json ? try Render.json(lines) : try Render.yaml(lines), terminator: output == .json ? "\n" : "")
        default:
            if entries.isEmpty { print("No audit entries."); return }
            printForPeople(renderTable(["TIME", "ACTOR", "SOURCE", "ACTION", "OBJECT", "MESSAGE"], entries.map { e in
                [CanonicalJSON.formatDate(e.timestamp), e.actor, e.source, e.action,
                 e.kind.map { "\($0)/\(e.name ?? "")" } ?? "-", e.message]
            }))
        }
    }
}
