import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A port someone else holds: `operator simulate` and `operator run` fail at once, naming the flag and the address,
/// instead of waiting out a listen timeout.
@Suite(.serialized) struct BusyPortTests {
    /// A loopback socket listening on a port the kernel chose, closed when the test is done with it.
    final class HeldPort {
        let fd: Int32
        let port: UInt16

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw POSIXError(.EBADF) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let listening = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, length) == 0 && listen(fd, 4) == 0 && getsockname(fd, $0, &length) == 0
                }
            }
            guard listening else {
                close(fd)
                throw POSIXError(.EADDRINUSE)
            }
            self.fd = fd
            port = UInt16(bigEndian: address.sin_port)
        }

        deinit { close(fd) }
    }

    func binary() throws -> URL {
        try #require(OperatorBinary.locate(), "the operator executable is built next to the tests")
    }

    @Test func simulateOnAPortInUseFailsAtOnceNamingTheFlag() async throws {
        let held = try HeldPort()
        let run = try await CLIProcess.run(try binary(), ["simulate", "--listen", "127.0.0.1:\(held.port)"], timeout: .seconds(60))
        #expect(run.status == 1)
        #expect(run.stderr == "error: --listen: address already in use: 127.0.0.1:\(held.port)\n")
        #expect(run.stdout.isEmpty)
    }

    @Test(arguments: ["--metrics-bind-address", "--health-probe-bind-address"])
    func runOnAPortInUseFailsAtOnceNamingTheFlag(flag: String) async throws {
        let held = try HeldPort()
        let directory = try TemporaryDirectory()
        let specs = directory.path("specs")
        try FileManager.default.createDirectory(atPath: specs, withIntermediateDirectories: true)
        // The probes start first: with the metrics port held, the probe server already listening is stopped again.
        let busy = "127.0.0.1:\(held.port)"
        let arguments = ["run", "--specs", specs, "--db", directory.path("operator.db"), "--log-format", "text",
                         "--health-probe-bind-address", flag == "--health-probe-bind-address" ? busy : "127.0.0.1:0",
                         "--metrics-bind-address", flag == "--metrics-bind-address" ? busy : "0"]
        let run = try await CLIProcess.run(try binary(), arguments, timeout: .seconds(60))
        #expect(run.status == 1)
        let lastLine = run.stderr.split(separator: "\n").last.map(String.init)
        #expect(lastLine == "error: \(flag): address already in use: 127.0.0.1:\(held.port)", "\(run.stderr)")
        #expect(!run.stderr.contains("Timeout"))
    }
}
