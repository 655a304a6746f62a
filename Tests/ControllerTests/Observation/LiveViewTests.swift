import Foundation
import Synchronization
import Testing
import PDWire
import Reconcilers
import TiKVSimulator
import TestSupport
@testable import ControllerRuntime
@testable import Operator

/// `operator get stores|regions|hot|members --pd URL` against the simulator over loopback HTTP.
@Suite struct LiveViewTests {
    func render(_ kind: LiveKind, _ args: [String], name: String? = nil, format: OutputFormat = .table, now: Date) async throws -> String {
        try await GetCommand.renderLive(kind, name: name, format: format, options: try LiveOptions.parse(args), now: now)
    }

    @Test func liveKindsNeedPD() async throws {
        await #expect(throws: CLIError.self) { try await render(.stores, [], now: Date()) }
        do {
            _ = try await render(.regions, [], now: Date())
        } catch let e as CLIError {
            #expect(e.description.contains("--pd"))
        }
    }

    @Test func storesTableShowsHeartbeatCorrectedStateAndUnknownLatency() async throws {
        let sim = try await LoopbackSimulator.start(.fixtureClusterA())
        try await withServer(sim) { sim in
            _ = try sim.cluster.withState { try $0.inject(Fault(kind: .kill, store: 4)) }
            sim.cluster.advance(seconds: 30)
            let text = try await render(.stores, ["--pd", sim.url], now: sim.now)
            let lines = text.split(separator: "\n").map(String.init)
            #expect(lines.first?.split(separator: " ", omittingEmptySubsequences: true) ==
                    ["ID", "ADDRESS", "STATE", "LEADERS", "REGIONS", "CAPACITY", "AVAILABLE", "P99-LATENCY"])
            let store4 = try #require(lines.first { $0.hasPrefix("4 ") })
            #expect(store4.contains("Disconnected ("))
            let store1 = try #require(lines.first { $0.hasPrefix("1 ") })
            #expect(store1.contains(" Up "))
            #expect(store1.contains("1TiB"))
            // No Prometheus: latency is unknown, never a number.
            #expect(store1.hasSuffix("unknown"))

            let wide = try await render(.stores, ["--pd", sim.url], format: .wide, now: sim.now)
            #expect(wide.contains("STATUS-ADDRESS"))
            #expect(wide.contains("basic-tikv-0.basic-tikv-peer.tidb.svc:20180"))
            #expect(wide.contains("host=basic-tikv-0"))

            let json = try await render(.stores, ["--pd", sim.url], format: .json, now: sim.now)
            let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
            let items = try #require(decoded?["items"] as? [[String: Any]])
            #expect(items.map { $0["id"] as? Int } == [1, 4, 5])
            #expect(items.allSatisfy { $0["p99LatencySeconds"] == nil })
            #expect(items.first { $0["id"] as? Int == 4 }?["liveness"] as? String == "disconnected")
        }
    }

    @Test func regionsByStoreWithLimitAndMembersAndHot() async throws {
        let sim = try await LoopbackSimulator.start(.fixtureClusterA())
        try await withServer(sim) { sim in
            let two = try await render(.regions, ["--pd", sim.url, "--store", "4", "--limit", "2"], now: sim.now)
            #expect(two.split(separator: "\n").count == 3)
            let all = try await render(.regions, ["--pd", sim.url], format: .json, now: sim.now)
            let items = try #require((try JSONSerialization.jsonObject(with: Data(all.utf8)) as? [String: Any])?["items"] as? [[String: Any]])
            #expect(items.compactMap { $0["id"] as? Int } == [2, 8, 12, 16, 20, 24])
            let one = try await render(.regions, ["--pd", sim.url], name: "24", format: .name, now: sim.now)
            #expect(one == "region/24\n")

            let members = try await render(.members, ["--pd", sim.url], now: sim.now)
            let leader = try #require(members.split(separator: "\n").first { $0.contains("basic-pd-1") })
            #expect(leader.contains("*"))
            #expect(members.split(separator: "\n").first { $0.contains("basic-pd-2") }?.contains("Unhealthy") == true)

            let hot = try await render(.hot, ["--pd", sim.url], now: sim.now)
            #expect(hot.hasPrefix("DIRECTION") || hot == "No resources found.\n")
        }
    }

    @Test func unreachablePDIsOneClearError() async throws {
        let url = try await LoopbackServer.refusingURL().absoluteString
        do {
            _ = try await render(.stores, ["--pd", url, "--timeout", "2"], now: Date())
            Issue.record("expected an error")
        } catch let e as CLIError {
            #expect(e.description.hasPrefix("cannot read stores from PD (\(url))"))
            #expect(!e.description.contains("\n"))
        }
    }

    /// A PD that accepts every request and never answers: `get stores` and `get members` ask each path once (no
    /// retry, one `/leader` lookup), then fail with one line naming PD, its address and the timeout.
    @Test(arguments: ["stores", "members"])
    func aHungPDIsAskedOncePerReadThenNamed(_ kind: String) async throws {
        let binary = try #require(OperatorBinary.locate(), "the operator executable is built next to the tests")
        let pd = try SilentHTTPServer()
        defer { pd.stop() }
        let url = pd.url
        let run = try await CLIProcess.run(binary, ["get", kind, "--pd", url, "--timeout", "1"])
        let paths = pd.asked
        #expect(run.status == 1, "\(run.status): \(run.stderr)")
        #expect(!paths.isEmpty && paths.values.allSatisfy { $0 == 1 }, "each read asked once: \(paths)")
        #expect(paths["/pd/api/v1/leader", default: 0] <= 1)
        let line = run.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(line.hasPrefix("error: cannot read \(kind) from PD (\(url)): no answer from http://127.0.0.1:\(pd.port) within the timeout (1s)"),
                "\(line)")
        #expect(!line.contains("\n"))
    }

    @Test func stateAndValueFormatting() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        var s = StoreSnapshot(id: 7, address: "a:20160", state: .offline, stateName: "Offline", liveness: .down,
                              lastHeartbeat: now.addingTimeInterval(-35 * 60))
        #expect(LiveTables.storeState(s, now: now) == "Offline, Down (35m)")
        s.state = .up
        s.stateName = "Disconnected"
        s.liveness = .disconnected
        s.lastHeartbeat = now.addingTimeInterval(-35)
        #expect(LiveTables.storeState(s, now: now) == "Disconnected (35s)")
        s.liveness = .alive
        s.stateName = "Up"
        #expect(LiveTables.storeState(s, now: now) == "Up")
        #expect(LiveTables.latency(.value(0.0123)) == "12.3ms")
        #expect(LiveTables.latency(.value(2.5)) == "2.5s")
        #expect(LiveTables.latency(.noSeries) == "-")
        #expect(LiveTables.latency(.notANumber) == "-")
        #expect(LiveTables.latency(.failed("timeout")) == "unknown")
        #expect(LiveTables.rate(.value(0)) == "0")
    }
}
