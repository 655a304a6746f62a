import Foundation
import TestSupport
import GRDB
import Testing
@testable import OperatorStore

@Suite("StatusStore approvals, events, audit, settings")
struct StatusStoreRecordTests {
    let directory: TemporaryDirectory
    let clock = TestClock()
    let controller: StatusStore
    let cli: StatusStore

    init() throws {
        directory = try TemporaryDirectory()
        let path = directory.path("store.db")
        controller = try StatusStore(path: path, role: .controller(holder: "c1"), clock: clock.function)
        try controller.acquireLease(ttl: .seconds(3600))
        cli = try StatusStore(path: path, role: .client(actor: "alice"), clock: clock.function)
    }

    @Test func approvalsAreIdempotentAndAudited() throws {
        let approval = ApprovalRecord(
            plan: "drain-4", revision: "r1", decision: .approve, approver: "alice", source: "cli",
            reason: "window open", createdAt: clock.now, expiresAt: clock.now.addingTimeInterval(3600))
        let first = try cli.addApproval(approval)
        let again = try cli.addApproval(approval)
        #expect(again == first)
        let other = try controller.addApproval(ApprovalRecord(
            plan: "drain-4", revision: "r1", decision: .approve, approver: "bob",
            source: "spec:approvals.yaml/approve-drain", createdAt: clock.now))
        let otherPlan = try cli.addApproval(ApprovalRecord(
            plan: "move-7", revision: "r9", decision: .reject, approver: "alice", source: "cli", createdAt: clock.now))

        #expect(try cli.approvals(plan: "drain-4") == [first, other])
        #expect(try cli.allApprovals() == [first, other, otherPlan])
        #expect(first.expiresAt == approval.expiresAt)

        let entries = try cli.audit(kind: "RemediationPlan", name: "drain-4")
        #expect(entries.map(\.actor) == ["alice", "bob"])
        #expect(entries.map(\.action) == ["approval.approve", "approval.approve"])
        #expect(entries.first?.message == "alice approved plan drain-4 at revision r1 (unsigned): window open")
        let after = try #require(entries.first?.after)
        let decoded = try JSONDecoder().decode([String: String].self, from: after)
        #expect(decoded["revision"] == "r1")
        #expect(decoded["decision"] == "approve")
    }

    @Test func eventsAreDeduplicatedWithCounts() throws {
        let first = try controller.recordEvent(
            regardingKind: "TiKVCluster", regardingName: "main", type: .warning, reason: "StoreDown",
            message: "store 4 is down", now: clock.now)
        let repeated = try controller.recordEvent(
            regardingKind: "TiKVCluster", regardingName: "main", type: .warning, reason: "StoreDown",
            message: "store 4 is down", now: clock.now.addingTimeInterval(30))
        let different = try controller.recordEvent(
            regardingKind: "TiKVCluster", regardingName: "main", type: .normal, reason: "StoreUp",
            message: "store 4 is up", now: clock.now.addingTimeInterval(60))
        _ = try controller.recordEvent(
            regardingKind: "TiKVCluster", regardingName: "other", type: .normal, reason: "Synced",
            message: "ok", now: clock.now.addingTimeInterval(10))

        #expect(first.count == 1)
        #expect(repeated.id == first.id)
        #expect(repeated.count == 2)
        #expect(repeated.firstTimestamp == clock.now)
        #expect(repeated.lastTimestamp == clock.now.addingTimeInterval(30))
        #expect(different.id != first.id)

        let forMain = try controller.events(regardingKind: "TiKVCluster", regardingName: "main")
        #expect(forMain.map(\.reason) == ["StoreUp", "StoreDown"])
        #expect(forMain.map(\.count) == [1, 2])
        #expect(try controller.recentEvents(limit: 2).map(\.reason) == ["StoreUp", "StoreDown"])
        #expect(try controller.recentEvents(limit: 10).count == 3)
    }

    @Test func auditLogRefusesUpdateAndDelete() throws {
        let entry = try cli.appendAudit(AuditEntry(
            timestamp: clock.now, actor: "alice", source: "cli", action: "note", message: "hello"))
        let id = try #require(entry.id)
        let logBefore = try cli.audit()
        #expect(logBefore.last == entry)
        #expect(throws: DatabaseError.self) {
            try controller.dbPool.write { db in
                try db.execute(sql: "UPDATE audit SET message = 'rewritten' WHERE id = ?", arguments: [id])
            }
        }
        #expect(throws: DatabaseError.self) {
            try controller.dbPool.write { db in try db.execute(sql: "DELETE FROM audit") }
        }
        #expect(try cli.audit() == logBefore)
    }

    @Test func aClientAppendsAuditEntriesOnlyInItsOwnName() throws {
        let own = try cli.appendAudit(AuditEntry(
            timestamp: clock.now, actor: "alice", source: "cli", action: "mode.set", message: "alice set the mode"))
        #expect(own.id != nil)
        #expect(throws: StoreError.readOnlyRole(operation: "append audit entries in the name of \"c1\"")) {
            try cli.appendAudit(AuditEntry(
                timestamp: clock.now, actor: "c1", source: "controller", action: "plan.execute", message: "forged"))
        }
        #expect(try cli.audit().contains { $0.message == "forged" } == false)
    }

    @Test func auditSinceKindAndLimitFilter() throws {
        var appended: [AuditEntry] = []
        for step in 0..<5 {
            appended.append(try controller.appendAudit(AuditEntry(
                timestamp: clock.now.addingTimeInterval(Double(step) * 60), actor: "c1", source: "controller",
                action: "plan.transition", kind: "RemediationPlan", name: step.isMultiple(of: 2) ? "p" : "q",
                before: json(#""Pending""#), after: json(#""Approved""#), message: "step \(step)")))
        }
        let since = clock.now.addingTimeInterval(120)
        #expect(try controller.audit(since: since) == Array(appended[2...]))
        #expect(try controller.audit(since: since, kind: "RemediationPlan", name: "p").map(\.message) == ["step 2", "step 4"])
        #expect(try controller.audit(limit: 2) == Array(appended[3...]))
        #expect(try controller.audit(kind: "Setting").isEmpty)
        #expect(appended[0].before == json(#""Pending""#))
    }

    @Test func auditCountsAreCountedPerObjectSinceATime() throws {
        for step in 0..<6 {
            try controller.appendAudit(AuditEntry(
                timestamp: clock.now.addingTimeInterval(Double(step) * 60), actor: "c1", source: "executor",
                action: step == 5 ? "plan.transition" : "PDMutation", kind: "RemediationPlan",
                name: step.isMultiple(of: 2) ? "p" : "q", message: "step \(step)"))
        }
        try controller.appendAudit(AuditEntry(timestamp: clock.now.addingTimeInterval(400), actor: "c1", source: "executor",
                                              action: "PDMutation", kind: "Ticket", name: "p", message: "another kind"))
        // Steps 2, 3 and 4 are at or after the bound; step 5 is another action, the last entry another kind.
        #expect(try controller.auditCounts(action: "PDMutation", kind: "RemediationPlan", since: clock.now.addingTimeInterval(120))
                == ["p": 2, "q": 1])
        #expect(try cli.auditCounts(action: "PDMutation", kind: "RemediationPlan", since: clock.now.addingTimeInterval(3600)).isEmpty)
    }

    @Test func theKillSwitchIsASetting() throws {
        #expect(try cli.killSwitchIsOn() == false)
        try cli.setKillSwitch(on: true, actor: "alice")
        #expect(try controller.killSwitchIsOn())
        #expect(try cli.setting(key: StatusStore.killSwitchKey) == "on")
        try cli.setKillSwitch(on: false, actor: "alice")
        #expect(try controller.killSwitchIsOn() == false)
    }

    @Test func settingsAreSharedAndAudited() throws {
        #expect(try cli.setting(key: "killSwitch") == nil)
        try cli.setSetting(key: "killSwitch", value: "on", actor: "alice")
        let counter = try cli.changeCounter()
        try cli.setSetting(key: "killSwitch", value: "on", actor: "alice")
        #expect(try cli.changeCounter() == counter)
        try controller.setSetting(key: "killSwitch", value: "off", actor: "c1")
        #expect(try cli.setting(key: "killSwitch") == "off")

        let entries = try cli.audit(kind: "Setting", name: "killSwitch")
        #expect(entries.map(\.actor) == ["alice", "c1"])
        #expect(entries.map(\.source) == ["cli", "controller"])
        #expect(entries.last?.before == json(#""on""#))
        #expect(entries.last?.after == json(#""off""#))
    }
}
