import Foundation
import Testing
@testable import Reconcilers

@Suite struct ConditionTests {
    let t0 = Date(timeIntervalSince1970: 1_000)
    let t1 = Date(timeIntervalSince1970: 2_000)

    @Test func transitionTimeMovesOnlyWhenStatusChanges() {
        var conditions: [Condition] = []
        let changed1 = conditions.set("Valid", .true, reason: "Parsed", message: "ok", observedGeneration: 1, now: t0)
        #expect(changed1)
        // Same status, new message and generation: updated, but the transition time stays.
        let changed2 = conditions.set("Valid", .true, reason: "Parsed", message: "still ok", observedGeneration: 2, now: t1)
        #expect(changed2)
        #expect(conditions[type: "Valid"]?.lastTransitionTime == t0)
        #expect(conditions[type: "Valid"]?.observedGeneration == 2)
        // Identical: no change reported, so an idle pass writes nothing.
        let changed3 = conditions.set("Valid", .true, reason: "Parsed", message: "still ok", observedGeneration: 2, now: t1)
        #expect(!changed3)
        // Status flips: the transition time moves.
        let changed4 = conditions.set("Valid", .false, reason: "InvalidSpec", message: "bad", observedGeneration: 3, now: t1)
        #expect(changed4)
        #expect(conditions[type: "Valid"]?.lastTransitionTime == t1)
        #expect(conditions.count == 1)
        #expect(!conditions.isTrue("Valid"))
    }

    @Test func encodesLikeMetav1Condition() throws {
        let c = Condition(type: "Observed", status: .unknown, observedGeneration: 4, lastTransitionTime: t0, reason: "Starting", message: "")
        let json = String(decoding: CanonicalJSON.encode(c), as: UTF8.self)
        #expect(json == #"{"lastTransitionTime":"1970-01-01T00:16:40.000Z","message":"","observedGeneration":4,"reason":"Starting","status":"Unknown","type":"Observed"}"#)
    }

    @Test func planRevisionIsStableAndChangesWithSteps() {
        let step = PlanStep(name: "evict", action: .store(.addEvictLeaderScheduler, 4), expectedEffect: "store 4 holds 0 leaders", timeout: .minutes(10))
        let a = RemediationPlanSpec(cluster: "basic", origin: .reconciler, concern: "maintenance/drain-4", reason: "r", steps: [step])
        let b = RemediationPlanSpec(cluster: "basic", origin: .reconciler, concern: "maintenance/drain-4", reason: "other reason", steps: [step])
        #expect(a.revision == b.revision)
        #expect(isPlanRevision(a.revision))
        var step2 = step
        step2.action.storeID = 5
        let c = RemediationPlanSpec(cluster: "basic", origin: .reconciler, concern: "maintenance/drain-4", reason: "r", steps: [step2])
        #expect(c.revision != a.revision)
        #expect(a.risk == .medium)
    }

    @Test func cronWindows() throws {
        let cron = try CronSchedule(parsing: "0 2 * * MON-FRI")
        let utc = try #require(TimeZone(identifier: "UTC"))
        // 2025-06-10 is a Tuesday.
        let open = try GoTimeDate("2025-06-10T03:30:00Z")
        let closed = try GoTimeDate("2025-06-10T04:30:00Z")
        let weekend = try GoTimeDate("2025-06-14T02:30:00Z")
        #expect(cron.windowIsOpen(at: open, duration: 2 * 3600, timeZone: utc))
        #expect(!cron.windowIsOpen(at: closed, duration: 2 * 3600, timeZone: utc))
        #expect(!cron.windowIsOpen(at: weekend, duration: 2 * 3600, timeZone: utc))
        #expect(throws: CronSchedule.ParseError.self) { try CronSchedule(parsing: "* * *") }
        #expect(throws: CronSchedule.ParseError.self) { try CronSchedule(parsing: "61 * * * *") }
    }
}

import PDWire
private func GoTimeDate(_ s: String) throws -> Date { try GoTime(parsing: s).date }
