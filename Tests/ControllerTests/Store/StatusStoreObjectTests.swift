import Foundation
import TestSupport
import GRDB
import Testing
import Reconcilers
@testable import OperatorStore

@Suite("StatusStore objects")
struct StatusStoreObjectTests {
    let directory: TemporaryDirectory
    let clock = TestClock()
    let store: StatusStore

    init() throws {
        directory = try TemporaryDirectory()
        store = try StatusStore(path: directory.path("store.db"), role: .controller(holder: "c1"), clock: clock.function)
        try store.acquireLease(ttl: .seconds(30))
    }

    @Test func createStartsAtGenerationOneWithHashAndMetadata() throws {
        let created = try store.putSpec(
            kind: "TiKVCluster", name: "main", spec: json(#"{"mode":"observe"}"#),
            labels: ["team": "db"], annotations: ["note": "x"], source: "specs/main.yaml",
            expectedResourceVersion: nil)
        #expect(created.generation == 1)
        #expect(created.specHash == ContentHash.hex(of: json(#"{"mode":"observe"}"#)))
        #expect(created.specHash.count == 16)
        #expect(created.status == nil)
        #expect(created.source == "specs/main.yaml")
        #expect(created.creationTimestamp == clock.now)
        #expect(try store.get(kind: "TiKVCluster", name: "main") == created)
    }

    @Test func fnv1aMatchesReferenceVectors() {
        // Published FNV-1a 64 test vectors.
        #expect(ContentHash.hex(of: Data()) == "cbf29ce484222325")
        #expect(ContentHash.hex(of: Data("a".utf8)) == "af63dc4c8601ec8c")
        #expect(ContentHash.hex(of: Data("foobar".utf8)) == "85944171f73967e8")
    }

    @Test func generationBumpsOnlyWhenTheSpecHashChanges() throws {
        let v1 = try store.putSpec(kind: "K", name: "a", spec: json(#"{"x":1}"#), expectedResourceVersion: nil)
        let labelsOnly = try store.putSpec(
            kind: "K", name: "a", spec: json(#"{"x":1}"#), labels: ["l": "v"],
            expectedResourceVersion: v1.resourceVersion)
        #expect(labelsOnly.generation == 1)
        #expect(labelsOnly.resourceVersion > v1.resourceVersion)
        #expect(labelsOnly.labels == ["l": "v"])

        let v2 = try store.putSpec(
            kind: "K", name: "a", spec: json(#"{"x":2}"#), labels: ["l": "v"],
            expectedResourceVersion: labelsOnly.resourceVersion)
        #expect(v2.generation == 2)
        #expect(v2.resourceVersion > labelsOnly.resourceVersion)
        #expect(v2.creationTimestamp == v1.creationTimestamp)
    }

    @Test func noOpWritesDoNotBumpResourceVersionOrChangeCounter() throws {
        let created = try store.putSpec(
            kind: "K", name: "a", spec: json(#"{"x":1}"#), labels: ["a": "b"], source: "f.yaml",
            expectedResourceVersion: nil)
        let counter = try store.changeCounter()
        let again = try store.putSpec(
            kind: "K", name: "a", spec: json(#"{"x":1}"#), labels: ["a": "b"], source: "f.yaml",
            expectedResourceVersion: created.resourceVersion)
        #expect(again == created)

        let withStatus = try store.putStatus(
            kind: "K", name: "a", status: json(#"{"ready":true}"#), expectedResourceVersion: created.resourceVersion)
        #expect(withStatus.resourceVersion > created.resourceVersion)
        let counterAfterStatus = try store.changeCounter()
        #expect(counterAfterStatus > counter)

        let sameStatus = try store.putStatus(
            kind: "K", name: "a", status: json(#"{"ready":true}"#), expectedResourceVersion: withStatus.resourceVersion)
        #expect(sameStatus == withStatus)
        #expect(try store.changeCounter() == counterAfterStatus)
        #expect(try store.currentResourceVersion() == withStatus.resourceVersion)
    }

    @Test func resourceVersionIsGlobalAndMonotonic() throws {
        let a = try store.putSpec(kind: "K", name: "a", spec: json("{}"), expectedResourceVersion: nil)
        let b = try store.putSpec(kind: "Other", name: "b", spec: json("{}"), expectedResourceVersion: nil)
        let a2 = try store.putStatus(kind: "K", name: "a", status: json("{}"), expectedResourceVersion: a.resourceVersion)
        #expect(a.resourceVersion < b.resourceVersion)
        #expect(b.resourceVersion < a2.resourceVersion)
        #expect(a2.generation == 1)
    }

    @Test func statusIsStoredApartFromSpec() throws {
        let created = try store.putSpec(kind: "K", name: "a", spec: json(#"{"x":1}"#), expectedResourceVersion: nil)
        let withStatus = try store.putStatus(
            kind: "K", name: "a", status: json(#"{"observedGeneration":1}"#), expectedResourceVersion: created.resourceVersion)
        #expect(withStatus.spec == json(#"{"x":1}"#))
        #expect(withStatus.status == json(#"{"observedGeneration":1}"#))
        // A spec update keeps the status (status says which generation it reflects).
        let updated = try store.putSpec(
            kind: "K", name: "a", spec: json(#"{"x":2}"#), expectedResourceVersion: withStatus.resourceVersion)
        #expect(updated.status == json(#"{"observedGeneration":1}"#))
        #expect(updated.generation == 2)
    }

    @Test func createOnlyConflictsWhenTheObjectExists() throws {
        _ = try store.putSpec(kind: "K", name: "a", spec: json("{}"), expectedResourceVersion: nil)
        #expect(throws: StoreError.alreadyExists(kind: "K", name: "a")) {
            try store.putSpec(kind: "K", name: "a", spec: json(#"{"y":1}"#), expectedResourceVersion: nil)
        }
        #expect(throws: StoreError.notFound(kind: "K", name: "missing")) {
            try store.putSpec(kind: "K", name: "missing", spec: json("{}"), expectedResourceVersion: 1)
        }
    }

    @Test func staleResourceVersionConflictsForSpecStatusAndDelete() throws {
        let v1 = try store.putSpec(kind: "K", name: "a", spec: json(#"{"x":1}"#), expectedResourceVersion: nil)
        let v2 = try store.putSpec(kind: "K", name: "a", spec: json(#"{"x":2}"#), expectedResourceVersion: v1.resourceVersion)
        let stale = v1.resourceVersion
        let conflict = StoreError.conflict(kind: "K", name: "a", expected: stale, actual: v2.resourceVersion)
        #expect(throws: conflict) {
            try store.putSpec(kind: "K", name: "a", spec: json(#"{"x":3}"#), expectedResourceVersion: stale)
        }
        // Even a write identical to the stored state is refused when its version is stale.
        #expect(throws: conflict) {
            try store.putSpec(kind: "K", name: "a", spec: json(#"{"x":2}"#), expectedResourceVersion: stale)
        }
        #expect(throws: conflict) {
            try store.putStatus(kind: "K", name: "a", status: json("{}"), expectedResourceVersion: stale)
        }
        #expect(throws: conflict) {
            try store.delete(kind: "K", name: "a", expectedResourceVersion: stale)
        }
        #expect(try store.get(kind: "K", name: "a") == v2)
    }

    @Test func deleteRemovesSpecAndStatus() throws {
        let created = try store.putSpec(kind: "K", name: "a", spec: json("{}"), expectedResourceVersion: nil)
        let withStatus = try store.putStatus(kind: "K", name: "a", status: json("{}"), expectedResourceVersion: created.resourceVersion)
        try store.delete(kind: "K", name: "a", expectedResourceVersion: withStatus.resourceVersion)
        #expect(try store.get(kind: "K", name: "a") == nil)
        let statusRows = try store.dbPool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM status") }
        #expect(statusRows == 0)
        #expect(throws: StoreError.notFound(kind: "K", name: "a")) {
            try store.delete(kind: "K", name: "a", expectedResourceVersion: withStatus.resourceVersion)
        }
        // Re-creating starts over at generation 1 with a newer resourceVersion.
        let recreated = try store.putSpec(kind: "K", name: "a", spec: json("{}"), expectedResourceVersion: nil)
        #expect(recreated.generation == 1)
        #expect(recreated.resourceVersion > withStatus.resourceVersion + 1)
    }

    @Test func listIsPerKindAndSortedByName() throws {
        for name in ["c", "a", "b"] {
            _ = try store.putSpec(kind: "K", name: name, spec: json("{}"), expectedResourceVersion: nil)
        }
        _ = try store.putSpec(kind: "Other", name: "0", spec: json("{}"), expectedResourceVersion: nil)
        #expect(try store.list(kind: "K").map(\.name) == ["a", "b", "c"])
        #expect(try store.list(kind: "Missing").isEmpty)
    }

    @Test func invalidJSONIsRefused() throws {
        #expect(throws: StoreError.invalidJSON(field: "spec of K/a")) {
            try store.putSpec(kind: "K", name: "a", spec: json("{not json"), expectedResourceVersion: nil)
        }
        #expect(try store.get(kind: "K", name: "a") == nil)
    }
}
