import Foundation
import TestSupport
import Testing
@testable import ControllerRuntime
@testable import OperatorStore
@testable import Reconcilers

/// The spec files → store path, against a real SQLite file.
@Suite struct SpecSyncTests {
    let dir: String
    init() throws {
        dir = NSTemporaryDirectory() + "spec-sync-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/specs", withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: dir + "/specs/" + name, atomically: true, encoding: .utf8)
    }

    func cluster(mode: String) -> String {
        "apiVersion: operator.tikv/v1alpha1\nkind: TiKVCluster\nmetadata: {name: basic}\nspec:\n  pd: {urls: [\"http://127.0.0.1:2379\"]}\n  mode: \(mode)\n"
    }

    @Test func generationMovesOnlyWithSpecContentAndInvalidFilesKeepTheLastValidGeneration() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try StatusStore(path: dir + "/op.db", role: .controller(holder: "test"))
        _ = try store.acquireLease(ttl: .seconds(30))
        let sync = SpecSync(store: store, actor: "controller")
        var set = SpecSet()
        func pass() throws -> SpecSync.Outcome {
            set.apply(try SpecDirectory.parse(paths: [dir + "/specs"]))
            return try sync.sync(set, now: Date())
        }

        try write("c.yaml", cluster(mode: "observe"))
        #expect(try pass().created == ["TiKVCluster/basic"])
        let first = try #require(try ResourceStore(store: store).get(TiKVClusterKind.self, "basic"))
        #expect(first.metadata.generation == 1)
        #expect(first.status.conditions.isTrue("Valid"))

        // Unchanged files: an idle pass writes nothing.
        let before = try store.changeCounter()
        #expect(try pass().isEmpty)
        #expect(try store.changeCounter() == before)

        // A comment changes the file but not the spec: same generation.
        try write("c.yaml", "# tuned\n" + cluster(mode: "observe"))
        #expect(try pass().updated.isEmpty)
        #expect(try ResourceStore(store: store).get(TiKVClusterKind.self, "basic")?.metadata.generation == 1)

        // A real change moves the generation.
        try write("c.yaml", cluster(mode: "dryRun"))
        #expect(try pass().updated == ["TiKVCluster/basic"])
        #expect(try ResourceStore(store: store).get(TiKVClusterKind.self, "basic")?.metadata.generation == 2)

        // An invalid edit: generation 2 stays in force, Valid=False names the problem.
        try write("c.yaml", cluster(mode: "sometimes"))
        _ = try pass()
        let kept = try #require(try ResourceStore(store: store).get(TiKVClusterKind.self, "basic"))
        #expect(kept.spec.mode == .dryRun)
        #expect(kept.metadata.generation == 2)
        let valid = try #require(kept.status.conditions[type: "Valid"])
        #expect(valid.status == .false)
        #expect(valid.reason == "InvalidSpec")
        #expect(valid.message.contains("c.yaml:6:9: spec.mode: unsupported value \"sometimes\""))

        // Deleting the file removes the object, and the audit log says so.
        try FileManager.default.removeItem(atPath: dir + "/specs/c.yaml")
        #expect(try pass().deleted == ["TiKVCluster/basic"])
        #expect(try store.audit(kind: "TiKVCluster", name: "basic").map(\.action) == ["SpecCreated", "SpecUpdated", "SpecDeleted"])
    }

    @Test func configMapVolumeLayoutAndSymlinkSwap() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The kubelet's layout: ..<timestamp>/c.yaml, ..data -> ..<timestamp>, c.yaml -> ..data/c.yaml.
        let root = dir + "/cm"
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/..2026_01_01_v1", withIntermediateDirectories: true)
        try cluster(mode: "observe").write(toFile: root + "/..2026_01_01_v1/c.yaml", atomically: true, encoding: .utf8)
        try fm.createSymbolicLink(atPath: root + "/..data", withDestinationPath: "..2026_01_01_v1")
        try fm.createSymbolicLink(atPath: root + "/c.yaml", withDestinationPath: "..data/c.yaml")
        #expect(try SpecDirectory.files(at: root) == [root + "/c.yaml"])
        let fp1 = SpecDirectory.fingerprint(path: root)

        // Update: a new timestamped dir, then an atomic rename of a new ..data link over the old one.
        try fm.createDirectory(atPath: root + "/..2026_01_01_v2", withIntermediateDirectories: true)
        try cluster(mode: "execute").write(toFile: root + "/..2026_01_01_v2/c.yaml", atomically: true, encoding: .utf8)
        try fm.createSymbolicLink(atPath: root + "/..data_tmp", withDestinationPath: "..2026_01_01_v2")
        #expect(rename(root + "/..data_tmp", root + "/..data") == 0)
        #expect(SpecDirectory.fingerprint(path: root) != fp1)
        let parsed = try SpecDirectory.parse(paths: [root])
        guard case .tikvCluster(let c) = try #require(parsed.first?.documents.first).object else { Issue.record("no cluster"); return }
        #expect(c.spec.mode == .execute)
    }

    func named(_ name: String) -> String {
        cluster(mode: "observe").replacingOccurrences(of: "name: basic", with: "name: \(name)")
    }

    @Test func aFileOverOneMebibyteIsRefusedAndTheRestStillLoads() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Valid YAML: a cluster padded with a comment past the cap.
        let padding = "#" + String(repeating: "x", count: SpecDirectory.maxFileBytes) + "\n"
        try write("big.yaml", named("big") + padding)
        try write("c.yaml", cluster(mode: "observe"))
        var set = SpecSet()
        let errors = set.apply(try SpecDirectory.parse(paths: [dir + "/specs"]))
        #expect(errors.map(\.description) == [dir + "/specs/big.yaml: not read: the file is larger than 1 MiB (1048576 bytes, a ConfigMap's limit)"])
        #expect(set.documents.map(\.object.name) == ["basic"])
        // The fingerprint does not read it whole either, and still sees it shrink.
        let before = SpecDirectory.fingerprint(path: dir + "/specs")
        try write("big.yaml", named("big"))
        #expect(SpecDirectory.fingerprint(path: dir + "/specs") != before)
        #expect(set.apply(try SpecDirectory.parse(paths: [dir + "/specs"])).isEmpty)
    }

    @Test func filesPastTheDirectoryLimitAreRefusedAndKeepTheirLastValidVersion() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for i in 0..<SpecDirectory.maxFiles { try write(String(format: "c%04d.yaml", i), named(String(format: "c%04d", i))) }
        var set = SpecSet()
        #expect(set.apply(try SpecDirectory.parse(paths: [dir + "/specs"])).isEmpty)
        #expect(set.documents.count == SpecDirectory.maxFiles)

        // One more file sorts first: the last by name is now past the limit, refused, and its cluster stays in force.
        try write("a.yaml", named("a"))
        let errors = set.apply(try SpecDirectory.parse(paths: [dir + "/specs"]))
        #expect(errors.map(\.description) == [
            dir + "/specs/c0999.yaml: not read: \(dir)/specs holds 1001 spec files, more than the 1000 the controller reads from "
                + "one directory (the first 1000 by name are read)",
        ])
        let names = Set(set.documents.map(\.object.name))
        #expect(names.count == SpecDirectory.maxFiles + 1)
        #expect(names.contains("a") && names.contains("c0999"))
    }
}
