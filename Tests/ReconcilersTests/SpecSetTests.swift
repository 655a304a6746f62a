import Foundation
import Testing
@testable import Reconcilers

private func cluster(_ name: String, urls: String = "[\"http://127.0.0.1:2379\"]", extra: String = "") -> String {
    "apiVersion: operator.tikv/v1alpha1\nkind: TiKVCluster\nmetadata: {name: \(name)}\nspec:\n  pd: {urls: \(urls)}\n\(extra)"
}

private func maintenance(_ name: String, cluster: String) -> String {
    "apiVersion: operator.tikv/v1alpha1\nkind: StoreMaintenance\nmetadata: {name: \(name)}\nspec: {cluster: \(cluster), storeID: 4, reason: disk}\n"
}

@Suite struct SpecSetTests {
    @Test func duplicateNamesAcrossFilesRejectTheLaterFile() {
        var set = SpecSet()
        let errors = set.apply([
            SpecParser.parse(file: "a.yaml", text: cluster("basic")),
            SpecParser.parse(file: "b.yaml", text: cluster("basic")),
        ])
        #expect(errors.map(\.description) == ["b.yaml:3:18: metadata.name: duplicate TiKVCluster \"basic\": also defined at a.yaml:3:18"])
        #expect(set.documents.map(\.file) == ["a.yaml"])
    }

    @Test func referenceToUnknownClusterIsAnError() {
        var set = SpecSet()
        let errors = set.apply([SpecParser.parse(file: "m.yaml", text: maintenance("drain-4", cluster: "nope"))])
        #expect(errors.map(\.description) == ["m.yaml:4:17: spec.cluster: references unknown TiKVCluster \"nope\""])
        #expect(set.documents.isEmpty)
    }

    /// On a first load a cluster whose document fails has no valid version: a maintenance of it says
    /// the cluster is invalid, not unknown.
    @Test func referenceToAnInvalidClusterSaysSo() {
        var set = SpecSet()
        let errors = set.apply([
            SpecParser.parse(file: "c.yaml", text: cluster("basic", extra: "  mode: exekute\n")),
            SpecParser.parse(file: "m.yaml", text: maintenance("drain-4", cluster: "basic")),
        ])
        #expect(errors.map(\.description) == [
            "c.yaml:6:9: spec.mode: unsupported value \"exekute\": must be one of observe, dryRun, execute",
            "m.yaml:4:17: spec.cluster: references TiKVCluster \"basic\", which c.yaml declares but which is not valid (see its errors)",
        ])
        #expect(set.documents.isEmpty)
    }

    @Test func aFailingFileKeepsItsLastValidVersionInForce() throws {
        var set = SpecSet()
        set.apply([SpecParser.parse(file: "c.yaml", text: cluster("basic", extra: "  mode: execute\n"))])
        #expect(set.allErrors.isEmpty)
        // A typo in the new version: the old one stays in force, and the error is reported.
        let errors = set.apply([SpecParser.parse(file: "c.yaml", text: cluster("basic", extra: "  mode: exekute\n"))])
        #expect(errors.count == 1)
        let doc = try #require(set.documents.first)
        guard case .tikvCluster(let c) = doc.object else { Issue.record("expected cluster"); return }
        #expect(c.spec.mode == .execute)
        #expect(set.files["c.yaml"]?.isStale == true)
        // Fixed: the new version is in force and the error is gone.
        set.apply([SpecParser.parse(file: "c.yaml", text: cluster("basic", extra: "  mode: dryRun\n"))])
        #expect(set.allErrors.isEmpty)
        guard case .tikvCluster(let c2) = try #require(set.documents.first).object else { return }
        #expect(c2.spec.mode == .dryRun)
    }

    @Test func aRejectedClusterFileStillSatisfiesReferencesWithItsLastValidVersion() {
        var set = SpecSet()
        set.apply([
            SpecParser.parse(file: "c.yaml", text: cluster("basic")),
            SpecParser.parse(file: "m.yaml", text: maintenance("drain-4", cluster: "basic")),
        ])
        let errors = set.apply([
            SpecParser.parse(file: "c.yaml", text: cluster("basic", extra: "  paused: perhaps\n")),
            SpecParser.parse(file: "m.yaml", text: maintenance("drain-4", cluster: "basic")),
        ])
        #expect(errors.count == 1)
        // The cluster's last valid version is still in force, so the maintenance's reference holds.
        #expect(Set(set.documents.map(\.object.name)) == ["basic", "drain-4"])
        #expect(set.files["c.yaml"]?.isStale == true)
        #expect(set.files["m.yaml"]?.errors.isEmpty == true)
    }

    @Test func deletingAFileRemovesItsObjects() {
        var set = SpecSet()
        set.apply([SpecParser.parse(file: "c.yaml", text: cluster("basic")), SpecParser.parse(file: "d.yaml", text: cluster("other"))])
        set.apply([SpecParser.parse(file: "c.yaml", text: cluster("basic"))])
        #expect(set.documents.map(\.object.name) == ["basic"])
    }

    @Test func aNewFileWithErrorsContributesNothing() {
        var set = SpecSet()
        set.apply([SpecParser.parse(file: "c.yaml", text: "kind: [")])
        #expect(set.documents.isEmpty)
        #expect(set.allErrors.count == 1)
    }
}
