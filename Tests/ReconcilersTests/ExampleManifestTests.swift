import Foundation
import Testing
@testable import Reconcilers

/// The examples in Manifests/examples are documentation; they must stay valid.
@Suite struct ExampleManifestTests {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Manifests/examples")

    @Test(arguments: ["tikvcluster.yaml", "storemaintenance.yaml", "approval.yaml"])
    func peopleWrittenExamplesValidate(file: String) throws {
        let text = try String(contentsOf: Self.dir.appendingPathComponent(file), encoding: .utf8)
        let parsed = SpecParser.parse(file: file, text: text)
        #expect(parsed.errors.isEmpty, "\(parsed.errors.map(\.description))")
        #expect(parsed.documents.count == 1)
    }

    @Test func togetherTheyResolveTheirReferences() throws {
        var set = SpecSet()
        let files = try ["tikvcluster.yaml", "storemaintenance.yaml", "approval.yaml"].map {
            SpecParser.parse(file: $0, text: try String(contentsOf: Self.dir.appendingPathComponent($0), encoding: .utf8))
        }
        #expect(set.apply(files).isEmpty)
        #expect(set.documents.count == 3)
    }
}
