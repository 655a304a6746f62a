import Foundation
import TestSupport
import Testing
@testable import OperatorStore

@Suite("StatusStore lease")
struct StatusStoreLeaseTests {
    let directory: TemporaryDirectory
    let clock = TestClock()
    var path: String { directory.path("store.db") }

    init() throws { directory = try TemporaryDirectory() }

    func controller(_ holder: String) throws -> StatusStore {
        try StatusStore(path: path, role: .controller(holder: holder), clock: clock.function)
    }

    @Test func aSecondControllerCannotAcquire() throws {
        let first = try controller("c1")
        let lease = try first.acquireLease(ttl: .seconds(15))
        #expect(lease.holder == "c1")
        #expect(lease.expiresAt == clock.now.addingTimeInterval(15))
        let second = try controller("c2")
        #expect(throws: StoreError.leaseHeld(holder: "c1", expiresAt: lease.expiresAt)) {
            try second.acquireLease(ttl: .seconds(15))
        }
        // Without the lease, the second controller cannot write anything fenced.
        #expect(throws: StoreError.leaseLost(holder: "c2", currentHolder: "c1")) {
            try second.putSpec(kind: "K", name: "a", spec: json("{}"), expectedResourceVersion: nil)
        }
        // Re-acquiring our own lease is fine (a restart with the same identity).
        #expect(try first.acquireLease(ttl: .seconds(15)).holder == "c1")
    }

    @Test func anExpiredLeaseCanBeTakenOverAndTheOldHolderIsFenced() throws {
        let first = try controller("c1")
        try first.acquireLease(ttl: .seconds(10))
        let created = try first.putSpec(kind: "K", name: "a", spec: json("{}"), expectedResourceVersion: nil)

        clock.advance(by: 11)
        let second = try controller("c2")
        let taken = try second.acquireLease(ttl: .seconds(10))
        #expect(taken.holder == "c2")

        let lost = StoreError.leaseLost(holder: "c1", currentHolder: "c2")
        #expect(throws: lost) {
            try first.putStatus(kind: "K", name: "a", status: json("{}"), expectedResourceVersion: created.resourceVersion)
        }
        #expect(throws: lost) {
            try first.recordEvent(regardingKind: "K", regardingName: "a", type: .normal, reason: "R", message: "m")
        }
        #expect(throws: lost) {
            try first.appendAudit(AuditEntry(timestamp: clock.now, actor: "c1", source: "controller", action: "x", message: "m"))
        }
        #expect(throws: lost) { try first.renewLease() }
        #expect(throws: StoreError.leaseHeld(holder: "c2", expiresAt: taken.expiresAt)) {
            try first.acquireLease(ttl: .seconds(10))
        }
        // The new holder writes normally, and the takeover is audited.
        #expect(try second.putStatus(kind: "K", name: "a", status: json("{}"), expectedResourceVersion: created.resourceVersion).status != nil)
        #expect(try second.audit(kind: nil).contains { $0.action == "lease.acquire" && $0.actor == "c2" })
    }

    @Test func anExpiredLeaseFencesItsOwnHolderUntilRenewed() throws {
        let first = try controller("c1")
        try first.acquireLease(ttl: .seconds(5))
        clock.advance(by: 6)
        #expect(throws: StoreError.leaseLost(holder: "c1", currentHolder: nil)) {
            try first.putSpec(kind: "K", name: "a", spec: json("{}"), expectedResourceVersion: nil)
        }
        let renewed = try first.renewLease()
        #expect(renewed.expiresAt == clock.now.addingTimeInterval(5))
        #expect(try first.putSpec(kind: "K", name: "a", spec: json("{}"), expectedResourceVersion: nil).generation == 1)
    }

    @Test func releaseLetsAnotherControllerAcquireAtOnce() throws {
        let first = try controller("c1")
        try first.acquireLease(ttl: .seconds(60))
        try first.releaseLease()
        #expect(try first.currentLease() == nil)
        #expect(try controller("c2").acquireLease(ttl: .seconds(60)).holder == "c2")
        // Releasing a lease that is not ours leaves it alone.
        try first.releaseLease()
        #expect(try first.currentLease()?.holder == "c2")
    }

    @Test func renewalsDoNotWakePollers() throws {
        let first = try controller("c1")
        try first.acquireLease(ttl: .seconds(10))
        let counter = try first.changeCounter()
        clock.advance(by: 3)
        try first.renewLease()
        try first.acquireLease(ttl: .seconds(10))
        #expect(try first.changeCounter() == counter)
    }

    @Test func aClientCanApproveAndSetButNotWriteObjects() throws {
        let running = try controller("c1")
        try running.acquireLease(ttl: .seconds(30))
        let cli = try StatusStore(path: path, role: .client(actor: "alice"), clock: clock.function)

        let approval = try cli.addApproval(ApprovalRecord(
            plan: "drain-4", revision: "abc", decision: .approve, approver: "alice", source: "cli",
            createdAt: clock.now))
        #expect(approval.id != nil)
        try cli.setSetting(key: "killSwitch", value: "on", actor: "alice")
        #expect(try running.setting(key: "killSwitch") == "on")
        #expect(try running.approvals(plan: "drain-4") == [approval])

        #expect(throws: StoreError.readOnlyRole(operation: "write the spec of K/a")) {
            try cli.putSpec(kind: "K", name: "a", spec: json("{}"), expectedResourceVersion: nil)
        }
        #expect(throws: StoreError.readOnlyRole(operation: "write the status of K/a")) {
            try cli.putStatus(kind: "K", name: "a", status: json("{}"), expectedResourceVersion: 1)
        }
        #expect(throws: StoreError.readOnlyRole(operation: "delete K/a")) {
            try cli.delete(kind: "K", name: "a", expectedResourceVersion: 1)
        }
        #expect(throws: StoreError.readOnlyRole(operation: "record events")) {
            try cli.recordEvent(regardingKind: "K", regardingName: "a", type: .warning, reason: "R", message: "m")
        }
        #expect(throws: StoreError.readOnlyRole(operation: "acquire the controller lease")) {
            try cli.acquireLease(ttl: .seconds(1))
        }
    }
}
