import ControllerRuntime
import Testing

/// `operator version` and `--version` say which build runs, with the revision the image was built from.
@Suite struct VersionCommandTests {
    @Test func versionAndRevisionFromTheImage() async throws {
        let binary = try #require(OperatorBinary.locate(), "the operator executable is built next to the tests")
        let plain = try await CLIProcess.run(binary, ["version"], environment: ["OPERATOR_REVISION": ""])
        #expect(plain.status == 0)
        #expect(plain.stdout == "operator \(OperatorVersion.version) (revision unknown)\n")
        let image = try await CLIProcess.run(binary, ["--version"], environment: ["OPERATOR_REVISION": "8be2fa8"])
        #expect(image.status == 0)
        #expect(image.stdout == "operator \(OperatorVersion.version) (revision 8be2fa8)\n")
    }
}
