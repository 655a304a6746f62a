import Foundation
import PDWire
import Testing
@testable import Reconcilers

/// The replica isolation count (`ReplicaIsolation.Tally`) and its invariant on hand-built stores: six stores in three
/// zones, two hosts each, as the simulator's six-store cluster.
@Suite struct ReplicaIsolationTests {
    typealias F = HealthFixtures
    let t0 = HealthFixtures.t0

    /// Store i+1 in zone z(i%3+1) on host h(i+1); `dead` stores are Disconnected.
    func stores(dead: Set<UInt64> = [], hosts: [UInt64: String] = [:]) -> [StoreSnapshot] {
        (0..<6).map { i in
            let id = UInt64(i + 1)
            var s = F.store(id, at: t0)
            s.labels = ["zone": "z\(i % 3 + 1)", "host": hosts[id] ?? "h\(id)"]
            return dead.contains(id) ? F.dead(s, at: t0) : s
        }
    }

    func count(_ regions: [[UInt64]], labels: [String] = ["zone", "host"], isolation: String = "",
               stores: [StoreSnapshot]) -> ReplicaIsolation {
        var tally = ReplicaIsolation.Tally(locationLabels: labels, isolationLevel: isolation, stores: stores)
        for (i, voters) in regions.enumerated() { tally.add(regionID: UInt64(100 + i), voterStoreIDs: voters) }
        return tally.finish(exact: true)
    }

    @Test func twoReplicasInOneZoneAreCountedWhileThreeZonesAreUp() {
        // Stores 1 and 4 are both in z1; 1, 2, 3 span the three zones.
        let r = count([[1, 2, 3], [1, 4, 2], [2, 5, 6], [4, 5, 6]], stores: stores())
        #expect(r.regionsByLevel == ["zone": 2])
        #expect(r.violatingRegions == 2)
        #expect(r.sample == [101, 102])
        #expect(r.sampledRegions == 4)
        #expect(r.distinctValues == ["zone": 3, "host": 6])
    }

    /// With z3's stores down only two zones can be told apart: two replicas in one of them is the best PD can do.
    /// Under `isolation-level: zone` sharing the zone is counted anyway.
    @Test func aZoneShareIsCountedOnlyWhenTheUpStoresOfferEnoughZonesOrAtTheIsolationLevel() {
        let twoZones = stores(dead: [3, 6])
        #expect(count([[1, 4, 2]], stores: twoZones).violatingRegions == 0)
        #expect(count([[1, 4, 2]], isolation: "zone", stores: twoZones).regionsByLevel == ["zone": 1])
        // An isolation level that is not one of the location labels does nothing.
        #expect(count([[1, 4, 2]], isolation: "rack", stores: twoZones).violatingRegions == 0)
    }

    /// The topmost shortfall counts once: a region whose zones are as spread as they can be may still share a host.
    @Test func aHostShareBelowASpreadZoneIsCountedAtTheHostLevel() {
        let shared = stores(dead: [3, 6], hosts: [1: "hx", 4: "hx"])
        let r = count([[1, 4, 2], [1, 2, 5]], stores: shared)
        #expect(r.regionsByLevel == ["host": 1])
        #expect(r.sample == [100])
    }

    /// A voter on a store PD does not list shares nothing; a single replica has nothing to be separated from.
    @Test func unknownStoresAndSingleReplicasAreNotCounted() {
        #expect(count([[1, 99, 2], [1]], stores: stores()).violatingRegions == 0)
        #expect(count([[1, 4, 2]], labels: [], stores: stores()).violatingRegions == 0)
    }

    @Test func theSampleIsCappedAndTheExactFlagKept() {
        let regions = (0..<15).map { _ in [UInt64(1), 4, 2] }
        var tally = ReplicaIsolation.Tally(locationLabels: ["zone"], isolationLevel: "", stores: stores())
        for (i, v) in regions.enumerated() { tally.add(regionID: UInt64(200 - i), voterStoreIDs: v) }
        let r = tally.finish(exact: false)
        #expect(r.regionsByLevel == ["zone": 15])
        #expect(r.sample.count == ReplicaIsolation.sampleCap)
        #expect(r.sample == r.sample.sorted())
        #expect(!r.exact)
    }

    // MARK: The invariant

    func snapshot(_ isolation: ReplicaIsolation?, labels: [String] = ["zone", "host"], source: SourceState = .complete) -> ClusterSnapshot {
        F.with(F.snapshot(stores: stores())) {
            $0.settings.locationLabels = labels
            $0.isolation = isolation
            $0.sources[.isolation] = source
        }
    }

    func verdict(_ snapshot: ClusterSnapshot, spec: TiKVClusterSpec = F.cluster().spec) -> InvariantVerdict {
        HealthReconciler.evaluate(spec, snapshot, [], history: [], now: t0).first { $0.invariant == .replicaIsolation } ?? .noVerdict(.replicaIsolation)
    }

    @Test func oneWarningPerLabelLevelWithTheCountInItsReadings() throws {
        let counted = ReplicaIsolation(locationLabels: ["zone", "host"], sampledRegions: 600, exact: true,
                                       regionsByLevel: ["zone": 12, "host": 3], distinctValues: ["zone": 3, "host": 6], sample: [7])
        let v = verdict(snapshot(counted))
        #expect(v.violations.map(\.subject) == ["label/host", "label/zone"])
        let zone = try #require(v.violations.first { $0.subject == "label/zone" })
        #expect(zone.severity == .warning)
        #expect(zone.summary == "regions have two replicas in one zone although the up stores span enough zones to separate them")
        #expect(zone.readings.first { $0.name == "regions" }?.value == 12)
        #expect(zone.readings.first { $0.name == "sampledRegions" }?.value == 600)
        #expect(zone.readings.first { $0.name == "exact" }?.value == 1)
        #expect(zone.readings.first { $0.name == "distinctValues" }?.value == 3)
        var strict = counted
        strict.isolationLevel = "zone"
        #expect(verdict(snapshot(strict)).violations.first { $0.subject == "label/zone" }?.summary
                == "regions have two replicas in one zone, the isolation level PD must never share")
    }

    @Test func withoutLocationLabelsItHoldsAndWithoutItsSourceItJudgesNothing() {
        #expect(verdict(snapshot(nil, labels: [])).judged)
        #expect(verdict(snapshot(nil, labels: [])).violations.isEmpty)
        let failed = verdict(snapshot(nil, source: .failed("timeout")))
        #expect(!failed.judged)
        let none = verdict(snapshot(ReplicaIsolation(locationLabels: ["zone", "host"], sampledRegions: 600)))
        #expect(none.judged && none.violations.isEmpty)
        let off = verdict(snapshot(ReplicaIsolation(locationLabels: ["zone"], regionsByLevel: ["zone": 1])),
                          spec: F.cluster { $0.invariants.replicaIsolation.enabled = false }.spec)
        #expect(off.violations.isEmpty)
    }
}
