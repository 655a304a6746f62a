import Foundation
import Testing
@testable import OperatorStore

@Suite("StoreError messages")
struct StoreErrorTests {
    @Test func messagesNameWhatHappenedAndWhatToDo() {
        let expiry = Date(timeIntervalSince1970: 1_750_000_000)
        #expect(StoreError.conflict(kind: "RemediationPlan", name: "p", expected: 3, actual: 5).description
            == "RemediationPlan/p was modified concurrently: expected resourceVersion 3, found 5; re-read it and retry")
        #expect(StoreError.leaseHeld(holder: "pod-a", expiresAt: expiry).description
            .contains("in use by controller \"pod-a\" (lease valid until 2025-06-15T15:06:40Z)"))
        #expect(StoreError.leaseLost(holder: "pod-a", currentHolder: "pod-b").description
            == "controller \"pod-a\" no longer holds the store lease (it is now held by \"pod-b\"); refusing to write")
        #expect(StoreError.readOnlyRole(operation: "delete K/a").description
            == "a client may not delete K/a; only the controller holding the lease may")
        #expect(StoreError.schemaTooNew(found: 3, known: 1).localizedDescription
            == "the store's schema version 3 is newer than this binary knows (1); upgrade operator before opening this file")
    }
}
