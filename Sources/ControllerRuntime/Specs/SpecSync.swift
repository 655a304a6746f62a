import Foundation
import OperatorStore
import Reconcilers
import SignedApprovals

/// Writes the objects in force from the spec files into the store, and their `Valid` condition.
///
/// Runs in the controller (which holds the store's lease). Only what changed is written, so a pass
/// over unchanged files writes nothing. Approval objects also become approval records, the same
/// path `operator approve` takes.
package struct SpecSync {
    let store: StatusStore
    let actor: String

    struct Outcome: Equatable {
        var created: [String] = []
        var updated: [String] = []
        var deleted: [String] = []
        var conditionsChanged: [String] = []
        var approvalsRecorded = 0
        var isEmpty: Bool { created.isEmpty && updated.isEmpty && deleted.isEmpty && conditionsChanged.isEmpty && approvalsRecorded == 0 }
    }

    func sync(_ set: SpecSet, now: Date) throws -> Outcome {
        var outcome = Outcome()
        var inForce = Set<String>()
        for doc in set.documents {
            // Stopping: the next sync, here or in the next controller, writes what is left (it writes only what differs).
            try Task.checkCancellation()
            let object = doc.object
            let id = "\(object.kind)/\(object.name)"
            inForce.insert(id)
            let existing = try store.get(kind: object.kind, name: object.name)
            let stored = try store.putSpec(kind: object.kind, name: object.name, spec: object.canonicalSpec,
                                           labels: object.metadata.labels, annotations: object.metadata.annotations,
                                           source: doc.file, expectedResourceVersion: existing?.resourceVersion)
            if existing == nil {
                outcome.created.append(id)
                try audit("SpecCreated", object, before: nil, after: stored.spec, message: "created from \(doc.file)", now: now)
            } else if let existing, existing.generation != stored.generation {
                outcome.updated.append(id)
                try audit("SpecUpdated", object, before: existing.spec, after: stored.spec,
                          message: "generation \(existing.generation) → \(stored.generation) from \(doc.file)", now: now)
            }
            if try setValid(stored, errors: set.errors(forObjectIn: doc.file), now: now) { outcome.conditionsChanged.append(id) }
            if case .approval(let a) = object { outcome.approvalsRecorded += try recordApproval(a, file: doc.file, now: now) }
        }
        // Every kind a spec file may declare: an object no file declares any more is deleted, whatever its kind.
        for kind in SpecParser.kindsInSpecFiles {
            for stored in try store.list(kind: kind) where !inForce.contains("\(kind)/\(stored.name)") {
                try store.delete(kind: kind, name: stored.name, expectedResourceVersion: stored.resourceVersion)
                try store.appendAudit(AuditEntry(timestamp: now, actor: actor, source: "spec-files", action: "SpecDeleted",
                                                 kind: kind, name: stored.name, before: stored.spec, after: nil,
                                                 message: "no spec file declares it any more"))
                outcome.deleted.append("\(kind)/\(stored.name)")
            }
        }
        return outcome
    }

    /// Sets `Valid` from the errors of the object's file; returns whether the status changed.
    private func setValid(_ stored: StoredObject, errors: [SpecError], now: Date) throws -> Bool {
        var status = try stored.status.map { try CanonicalJSON.decode(BasicStatus.self, from: $0) } ?? BasicStatus()
        var full = try stored.status.flatMap { try JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]
        let changed: Bool
        if errors.isEmpty {
            changed = status.conditions.set("Valid", .true, reason: "SpecAccepted", message: "the latest spec is in force",
                                            observedGeneration: stored.generation, now: now)
        } else {
            let text = errors.prefix(5).map(\.description).joined(separator: "; ") + (errors.count > 5 ? "; …" : "")
            changed = status.conditions.set("Valid", .false, reason: "InvalidSpec",
                                            message: "the file's latest version failed validation; the last valid generation stays in force: \(text)",
                                            observedGeneration: stored.generation, now: now)
        }
        guard changed else { return false }
        // Keep the rest of the status (written by reconcilers) and replace only the conditions.
        let conditions = try JSONSerialization.jsonObject(with: CanonicalJSON.encode(status.conditions))
        full["conditions"] = conditions
        if full["observedGeneration"] == nil { full["observedGeneration"] = 0 }
        let data = try JSONSerialization.data(withJSONObject: full, options: [.sortedKeys])
        _ = try store.putStatus(kind: stored.kind, name: stored.name, status: data, expectedResourceVersion: stored.resourceVersion)
        return true
    }

    private func recordApproval(_ a: Approval, file: String, now: Date) throws -> Int {
        let source = "spec:\((file as NSString).lastPathComponent)/\(a.name)"
        let existing = try store.approvals(plan: a.spec.plan)
        let decision = a.spec.decision
        let alreadyRecorded = existing.contains { r in
            r.source == source && r.revision == a.spec.revision && r.decision == decision && r.approver == a.spec.approver
                && r.signature?.armored == a.spec.signature
        }
        if alreadyRecorded { return 0 }
        var signature: ApprovalRecord.Signature?
        if let armored = a.spec.signature, let payload = a.spec.payload {
            // A signature stored for another decision was refused (and audited) the first time it was seen.
            if try store.approval(signature: armored) != nil { return 0 }
            signature = .init(payload: payload.canonicalText, armored: armored)
        }
        let record = ApprovalRecord(plan: a.spec.plan, revision: a.spec.revision, decision: decision, approver: a.spec.approver,
                                    source: source, reason: a.spec.reason, createdAt: now, expiresAt: a.spec.payload?.expiresAt,
                                    signature: signature, keyFingerprint: a.spec.signature.flatMap(ApprovalSigner.fingerprint(armored:)))
        do {
            _ = try store.addApproval(record)
        } catch StoreError.invalidArgument {
            return 0  // refused and audited by the store; the controller never counts it
        }
        return 1
    }

    private func audit(_ action: String, _ object: SpecObject, before: Data?, after: Data?, message: String, now: Date) throws {
        try store.appendAudit(AuditEntry(timestamp: now, actor: actor, source: "spec-files", action: action,
                                         kind: object.kind, name: object.name, before: before, after: after, message: message))
    }
}
