import Foundation
import PDWire
import Testing
@testable import Reconcilers

/// Quorum loss: the tally over the dead stores' regions, and the critical ticket it opens in one pass.
@Suite struct RegionAvailabilityTests {
    typealias F = HealthFixtures

    static func region(_ id: UInt64, _ voters: [UInt64], learners: [UInt64] = [], incoming: [UInt64] = [], demoting: [UInt64] = []) -> RegionInfo {
        let peers = voters.map { MetaPeer(id: id * 10 + $0, storeID: $0) }
            + learners.map { MetaPeer(id: id * 10 + $0, storeID: $0, role: .learner) }
            + incoming.map { MetaPeer(id: id * 10 + $0, storeID: $0, role: .incomingVoter) }
            + demoting.map { MetaPeer(id: id * 10 + $0, storeID: $0, role: .demotingVoter) }
        return RegionInfo(id: id, startKey: "7480\(id)", endKey: "7480\(id + 1)", peers: peers)
    }

    @Test func countsRegionsWhoseDeadVotersAreAMajorityOncePerRegion() {
        let alive: Set<UInt64> = [1, 2, 3, 4]
        let regions = [
            Self.region(1, [5, 6, 1]),          // two of three voters dead: lost
            Self.region(2, [5, 1, 2]),          // one of three dead: one more failure loses it
            Self.region(3, [5, 1, 2, 3, 4]),    // one of five dead: safe
            Self.region(4, [5, 6, 1], learners: [2]), // a learner does not vote: still lost
            Self.region(1, [5, 6, 1]),          // listed again by the other dead store: counted once
            Self.region(5, [5, 6]),             // nothing survives
        ]
        let a = RegionAvailability.tally(regions, alive: alive, storesRead: [6, 5], storesUnread: [])
        #expect(a.unavailableCount == 3)
        #expect(a.atRiskCount == 1)
        #expect(a.isExact && a.storesRead == [5, 6])
        #expect(a.unavailableByStores == [.init(stores: [5, 6], regions: 3)])
        #expect(a.unavailableSample.map(\.id) == [1, 4, 5])
        #expect(a.unavailableSample.last?.aliveVoterStores == [])
        #expect(a.storesHoldingLostVoters == [5, 6])
    }

    /// In a joint state both configurations need their majority (Raft's joint consensus).
    @Test func aJointStateNeedsAMajorityOfBothConfigurations() {
        // Outgoing {1, 2, 5} keeps 1, 2; incoming {1, 6, 7} keeps only 1 of 3: lost.
        let joint = Self.region(1, [1], incoming: [6, 7], demoting: [2, 5])
        let a = RegionAvailability.tally([joint], alive: [1, 2, 3], storesRead: [5], storesUnread: [])
        #expect(a.unavailableCount == 1)
        let fine = Self.region(2, [1, 2], incoming: [3], demoting: [5])
        #expect(RegionAvailability.tally([fine], alive: [1, 2, 3], storesRead: [5], storesUnread: []).unavailableCount == 0)
    }

    static func twoDead(unavailable: Int, unread: [UInt64] = []) -> ClusterSnapshot {
        var s = F.snapshot(stores: (1...6).map { F.store(UInt64($0)) })
        s.stores[3] = F.dead(s.stores[3])
        s.stores[4] = F.dead(s.stores[4])
        s.sources[.availability] = unread.isEmpty ? .complete : .partial("unread")
        s.availability = RegionAvailability(storesRead: [4, 5], storesUnread: unread, unavailableCount: unavailable, atRiskCount: 120,
                                            unavailableByStores: unavailable > 0 ? [.init(stores: [4, 5], regions: unavailable)] : [])
        return s
    }

    @Test func quorumLossOpensACriticalTicketInTheSamePass() throws {
        let result = HealthReconciler.reconcile(HealthInput(cluster: F.cluster(), snapshot: Self.twoDead(unavailable: 618), now: F.t0))
        let ticket = try #require(result.tickets.first { $0.spec.invariant == "regionsUnavailable" })
        #expect(ticket.status.state == .open, "no grace period: open in the pass that counts it")
        #expect(ticket.spec.severity == .critical)
        #expect(ticket.spec.subject == "cluster")
        #expect(ticket.spec.summary.contains("stores 4, 5"))
        #expect(ticket.status.readings.first { $0.name == "unavailableRegions" }?.value == 618)
        #expect(ticket.status.readings.first { $0.name == "exact" }?.value == 1)
        // The regions one failure away are a warning, after their own grace period.
        let atRisk = try #require(result.tickets.first { $0.spec.invariant == "regionsAtRisk" })
        #expect(atRisk.spec.severity == .warning && atRisk.status.state == .pending)
    }

    @Test func aLowerBoundStillBreaksButZeroOfAPartialReadIsUnknown() {
        let spec = F.cluster().spec.invariants.regionsUnavailable
        let partial = RegionAvailabilityCheck.unavailable(spec, Self.twoDead(unavailable: 10, unread: [6]))
        #expect(partial.violations.first?.readings.first { $0.name == "exact" }?.value == 0)
        let none = RegionAvailabilityCheck.unavailable(spec, Self.twoDead(unavailable: 0, unread: [6]))
        #expect(none.violations.isEmpty && none.finding(for: "cluster") == .unknown)
        let exactNone = RegionAvailabilityCheck.unavailable(spec, Self.twoDead(unavailable: 0))
        #expect(exactNone.finding(for: "cluster") == .holds)
        // Dead stores and no count at all: no verdict; every store alive: nothing can be lost.
        var unread = Self.twoDead(unavailable: 0)
        unread.availability = nil
        #expect(!RegionAvailabilityCheck.unavailable(spec, unread).judged)
        #expect(RegionAvailabilityCheck.unavailable(spec, F.snapshot()).finding(for: "cluster") == .holds)
    }
}
