import Foundation
import Logging
import OperatorStore
import Reconcilers

/// The spec files kept in force in the store: each look re-reads them only when their bytes changed
/// (`SpecDirectory.fingerprint`), and a file that fails keeps its last valid version in force (`SpecSet`).
package struct SpecFileWatch {
    let path: String
    let sync: SpecSync
    let logger: Logger
    private var set = SpecSet()
    private var lastFingerprint: UInt64?
    /// What the last sync found; nil before the first.
    private(set) var load: SpecLoad?

    init(path: String, store: StatusStore, actor: String, logger: Logger) {
        self.path = path
        self.sync = SpecSync(store: store, actor: actor)
        self.logger = logger
    }

    /// Nil when the files are as last synced; otherwise what the sync wrote (empty on the first look at files
    /// the store already holds). A throw leaves the files to be read again at the next look.
    mutating func syncIfChanged(now: Date) throws -> SpecSync.Outcome? {
        let fp = SpecDirectory.fingerprint(path: path)
        guard fp != lastFingerprint else { return nil }
        let parsed = try SpecDirectory.parse(paths: [path])
        for e in set.apply(parsed) { logger.error("Rejected spec file", metadata: ["error": "\(e)"]) }
        let outcome = try sync.sync(set, now: now)
        if !outcome.isEmpty {
            logger.info("Synced spec files", metadata: [
                "created": "\(outcome.created)", "updated": "\(outcome.updated)", "deleted": "\(outcome.deleted)",
                "approvals": "\(outcome.approvalsRecorded)",
            ])
        }
        lastFingerprint = fp
        load = SpecLoad(files: set.files.count, rejected: set.files.filter { !$0.value.errors.isEmpty }.keys.sorted())
        return outcome
    }
}
