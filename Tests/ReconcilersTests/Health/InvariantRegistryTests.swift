import Foundation
import Testing
@testable import Reconcilers

@Suite struct InvariantRegistryTests {
    /// The registry replaced a switch over a closed list of ids: what the compiler checked there is checked here.
    /// Each setting in `spec.invariants` has exactly one registered invariant of its name, and none is without one.
    @Test func everyInvariantIsRegisteredExactlyOnce() throws {
        let ids = TiKVInvariants.registry.ids
        #expect(Set(ids).count == ids.count)
        let settings = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(Invariants())) as? [String: Any])
        #expect(ids.map(\.rawValue).sorted() == settings.keys.sorted())
    }

    @Test func eachGracePeriodComesFromItsOwnSetting() {
        var spec = HealthFixtures.cluster().spec
        spec.invariants.storeDown.gracePeriod = .minutes(7)
        spec.invariants.hotSpot.gracePeriod = .minutes(3)
        let context = TiKVInvariantContext(spec: spec, snapshot: HealthFixtures.snapshot(), maintenances: [], history: [],
                                           now: HealthFixtures.t0)
        let registry = TiKVInvariants.registry
        #expect(registry.gracePeriod(.storeDown, context) == .minutes(7))
        #expect(registry.gracePeriod(.hotSpot, context) == .minutes(3))
        #expect(registry.gracePeriod(.storeFlapping, context) == .zero, "flapping's window already says how long")
    }

    /// Tickets are stored by the invariant's name: an id is its name alone, as the closed enum it replaced encoded it.
    @Test func anIdEncodesAsItsNameAlone() throws {
        let data = try JSONEncoder().encode([InvariantID.storeDown, InvariantID(rawValue: "greetingMatches")])
        #expect(String(decoding: data, as: UTF8.self) == #"["storeDown","greetingMatches"]"#)
        #expect(try JSONDecoder().decode([InvariantID].self, from: data) == [.storeDown, InvariantID(rawValue: "greetingMatches")])
        #expect("\(InvariantID.leftoverScheduler)" == "leftoverScheduler")
    }
}
