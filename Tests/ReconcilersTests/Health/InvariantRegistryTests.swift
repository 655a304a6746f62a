import Foundation
import Testing
@testable import Reconcilers

@Suite struct InvariantRegistryTests {
    /// The registry replaced a switch over the ids: what the compiler checked there is checked here.
    @Test func everyInvariantIsRegisteredExactlyOnce() {
        let ids = InvariantRegistry.tikv.map(\.id)
        #expect(ids.sorted() == InvariantID.allCases.sorted())
    }

    @Test func eachGracePeriodComesFromItsOwnSetting() {
        var inv = Invariants()
        inv.storeDown.gracePeriod = .minutes(7)
        inv.hotSpot.gracePeriod = .minutes(3)
        #expect(HealthReconciler.gracePeriod(.storeDown, inv) == .minutes(7))
        #expect(HealthReconciler.gracePeriod(.hotSpot, inv) == .minutes(3))
        #expect(HealthReconciler.gracePeriod(.storeFlapping, inv) == .zero, "flapping's window already says how long")
    }
}
