import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// README.md's tour, run as written: every command of the blocks marked `<!-- tour -->`, in order, in one shell in a
/// fresh directory, with `swift run operator` as the built executable. The `# …` lines under a command are its exact
/// output. The one change made to the text: each loopback port (`127.0.0.1:2379`, `:8080`, `:8081`) becomes a free
/// one the kernel chose, so the test never meets another process's port.
@Suite(.serialized) struct ReadmeTourTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    struct Step {
        var command: String
        /// The `# …` lines written under the command, without the `# `; nil when there are none.
        var output: [String]?
    }

    /// The commands of the marked blocks, in order.
    static func steps(readme: String) -> [Step] {
        var steps: [Step] = []
        var marked = false, inBlock = false
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if !inBlock {
                if line == "<!-- tour -->" { marked = true } else if line == "```sh", marked { inBlock = true } else if !line.isEmpty { marked = false }
                continue
            }
            if line == "```" {
                inBlock = false
                marked = false
            } else if line.hasPrefix("# "), !steps.isEmpty {
                steps[steps.count - 1].output = (steps[steps.count - 1].output ?? []) + [String(line.dropFirst(2))]
            } else if !line.trimmingCharacters(in: .whitespaces).isEmpty {
                steps.append(Step(command: line))
            }
        }
        return steps
    }

    /// A port no one listens on now, chosen by the kernel.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EBADF) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test func everyCommandOfTheTourRunsInOrderOnAFreshDirectory() async throws {
        let binary = try #require(OperatorBinary.locate(), "the operator executable is built next to the tests")
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        var steps = Self.steps(readme: readme)
        #expect(steps.count >= 20, "the tour's blocks are marked <!-- tour -->")
        #expect(steps.contains { $0.output != nil })

        // Each README port becomes a free one, the same one wherever it appears.
        var ports: [String: String] = [:]
        let pattern = try NSRegularExpression(pattern: #"127\.0\.0\.1:(\d+)"#)
        for i in steps.indices {
            let text = steps[i].command as NSString
            for match in pattern.matches(in: steps[i].command, range: NSRange(location: 0, length: text.length)).reversed() {
                let port = text.substring(with: match.range(at: 1))
                if ports[port] == nil { ports[port] = String(try Self.freePort()) }
            }
            for (from, to) in ports { steps[i].command = steps[i].command.replacingOccurrences(of: "127.0.0.1:\(from)", with: "127.0.0.1:\(to)") }
        }

        let dir = try TemporaryDirectory()
        let work = dir.path("tour"), results = dir.path("results"), bin = dir.path("bin")
        for path in [work, results, bin] { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        try FileManager.default.createSymbolicLink(atPath: work + "/Manifests", withDestinationPath: Self.root.appendingPathComponent("Manifests").path)
        // `swift run operator …` is the built executable; exec, so a background job is the operator itself and `kill %1` stops it.
        let wrapper = """
        #!/bin/sh
        [ "$1" = run ] && [ "$2" = operator ] || { echo "not a tour command: swift $*" >&2; exit 127; }
        shift 2
        exec "$OPERATOR_BIN" "$@"

        """
        try wrapper.write(toFile: bin + "/swift", atomically: true, encoding: .utf8)
        guard chmod(bin + "/swift", 0o755) == 0 else { throw POSIXError(.EACCES) }

        // One shell runs the tour, so `export` and jobs carry from command to command; each command's output and
        // status go to files, and the first failure ends the tour. Whatever still runs at the end is stopped.
        var script = """
        set -u
        trap 'kill $(jobs -p) 2>/dev/null; wait' EXIT
        cd '\(work)'

        """
        for (i, step) in steps.enumerated() {
            script += "{ \(step.command)\n} > '\(results)/\(i).out' 2>&1 < /dev/null\n"
            script += "status=$?; echo $status > '\(results)/\(i).status'; [ $status -eq 0 ] || exit $status\n"
        }
        let run = try await ChildProcess.run("/bin/bash", ["-c", script],
                                             environment: ["OPERATOR_BIN": binary.path, "PATH": bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
                                                           "OPERATOR_DB": nil],
                                             limit: .seconds(300))
        let read = { (name: String) in (try? String(contentsOfFile: results + "/" + name, encoding: .utf8)) ?? "" }
        for (i, step) in steps.enumerated() {
            let status = read("\(i).status").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !status.isEmpty else {
                Issue.record("never ran: \(step.command) (the tour ended with status \(run.status): \(run.stderr))")
                break
            }
            let output = read("\(i).out")
            #expect(status == "0", "\(step.command) exited \(status):\n\(output)")
            if let expected = step.output {
                #expect(output == expected.joined(separator: "\n") + "\n", "\(step.command)")
            }
        }
        #expect(run.status == 0, "\(run.stderr)")
    }
}
