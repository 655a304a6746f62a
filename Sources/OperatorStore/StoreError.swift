import Foundation

/// Everything the status store refuses, phrased for the person reading the CLI or the log.
package enum StoreError: Error, Equatable, Sendable {
    /// A compare-and-swap write named a resourceVersion that is no longer the stored one.
    case conflict(kind: String, name: String, expected: Int64, actual: Int64)
    case notFound(kind: String, name: String)
    /// A create-only write (no expected resourceVersion) found the object already there.
    case alreadyExists(kind: String, name: String)
    /// Another controller holds an unexpired lease on this store.
    case leaseHeld(holder: String, expiresAt: Date)
    /// This controller's lease expired or was taken over; it must stop writing.
    case leaseLost(holder: String, currentHolder: String?)
    /// A client-role handle tried a controller-only operation.
    case readOnlyRole(operation: String)
    /// The file was migrated by a newer release than this binary.
    case schemaTooNew(found: Int, known: Int)
    /// The file's schema is older than this binary's, and another controller's lease is valid: changing tables under a
    /// running controller's writes is refused; the upgrade waits until no controller holds the store.
    case upgradeWaitsForLease(holder: String, expiresAt: Date)
    case invalidJSON(field: String)
    case invalidArgument(String)
    case cannotCreateFile(path: String, reason: String)
    /// The path holds something other than an SQLite database.
    case notADatabase(path: String)
    /// The path holds a file that is not a store: empty, or an SQLite database without the store's tables.
    case notAStore(path: String, why: String)
    /// `PRAGMA quick_check` (or reading the file) found damage.
    case damaged(path: String, details: String)
    /// A row the schema guarantees (e.g. a meta counter) is missing: the file was edited by hand.
    case corrupt(String)
}

extension StoreError: CustomStringConvertible, LocalizedError {
    package var description: String {
        switch self {
        case let .conflict(kind, name, expected, actual):
            return "\(kind)/\(name) was modified concurrently: expected resourceVersion \(expected), "
                + "found \(actual); re-read it and retry"
        case let .notFound(kind, name):
            return "\(kind)/\(name) not found"
        case let .alreadyExists(kind, name):
            return "\(kind)/\(name) already exists; update it with its current resourceVersion"
        case let .leaseHeld(holder, expiresAt):
            return "the store is in use by controller \"\(holder)\" (lease valid until "
                + "\(expiresAt.formatted(.iso8601))); only one controller may write a store"
        case let .leaseLost(holder, currentHolder):
            let now = currentHolder.map { "it is now held by \"\($0)\"" } ?? "nobody holds it now"
            return "controller \"\(holder)\" no longer holds the store lease (\(now)); refusing to write"
        case let .readOnlyRole(operation):
            return "a client may not \(operation); only the controller holding the lease may"
        case let .upgradeWaitsForLease(holder, expiresAt):
            return "the store's schema is older than this binary's, and controller \"\(holder)\" holds the store lease "
                + "(until \(expiresAt.formatted(.iso8601))); the schema is upgraded only when no controller runs on it: "
                + "stop that controller (scale its Deployment to 0) or wait for it to stop"
        case let .schemaTooNew(found, known):
            return "the store's schema version \(found) is newer than this binary knows (\(known)); "
                + "upgrade operator before opening this file"
        case let .invalidJSON(field):
            return "\(field) is not valid UTF-8 JSON"
        case let .invalidArgument(message):
            return message
        case let .cannotCreateFile(path, reason):
            return "cannot create the store file \(path): \(reason)"
        case let .notADatabase(path):
            return "\(path) is not an operator status store (not an SQLite database); " + Self.unusableAdvice(path)
        case let .notAStore(path, why):
            return "\(path) is not an operator status store (\(why)); " + Self.unusableAdvice(path)
        case let .damaged(path, details):
            return "the status store \(path) is damaged (PRAGMA quick_check: \(details)); the controller will not run on it. "
                + "Stop every process using it and restore the last backup with `operator store restore BACKUP --db \(path)` "
                + "(backups are taken with `operator store backup FILE --db \(path)`), or move the file aside to start an empty "
                + "store (its approvals and audit log stay in the moved file)"
        case let .corrupt(message):
            return "the store file is damaged: \(message)"
        }
    }

    package var errorDescription: String? { description }

    private static func unusableAdvice(_ path: String) -> String {
        "check --db, restore a backup with `operator store restore BACKUP --db \(path)`, or start a new, empty store with "
            + "`operator run --init` (which keeps this file as \(path).unusable-<unix seconds>)"
    }

    /// A file that is not a store at all, which `--init` may move aside; a damaged store is not one of them.
    var isUnusableFile: Bool {
        switch self {
        case .notADatabase, .notAStore: true
        default: false
        }
    }
}
