import Foundation
import Reconcilers
import Synchronization
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A PD that accepts every request and never answers costs a pass one `pd.timeout`, not one per request and retry:
/// once it timed out it is not asked again in the pass (no retry, no `/leader` lookup), and the pass says why.
@Suite(.serialized) struct HungPDPassTests {
    @Test func aHungPDIsAskedOnceARequestAndNeverAgainInThePass() async throws {
        let h = try await ControlLoopHarness()
        try await withServer(h) { h in
            // Raw sockets on threads of their own: a request is counted as soon as its head arrives, however busy
            // the test process's task executor is. Each connection is held open, unanswered, until the client goes.
            let requests = Mutex<[String]>([])
            let hung = try RawServer.start { c in
                let line = String(c.head.prefix { $0 != "\r" && $0 != "\n" })
                requests.withLock { $0.append(line) }
                var byte: UInt8 = 0
                while recv(c.fd, &byte, 1, 0) > 0 {}
            }
            defer { hung.stop() }
            try h.writeSpec("cluster.yaml", h.clusterYAML(mode: "execute")
                .replacingOccurrences(of: h.pdURL, with: hung.url.absoluteString)
                .replacingOccurrences(of: "timeout: 30s", with: "timeout: 500ms"))
            try h.syncSpecs()

            try await h.pass()
            // The store-level observation asks each thing once, at the same moment: one `/leader` lookup and 17
            // reads. Before, each read was retried twice with a `/leader` lookup before each retry (86).
            let first = requests.withLock { $0 }
            #expect(first.count <= 18, "\(first.count) requests: \(first.sorted())")
            #expect(first.filter { $0.contains("/leader ") }.count <= 1, "\(first.sorted())")

            // The pass says what happened, in the cluster's Observed condition: e.g. "PD responseTimeout from
            // http://127.0.0.1:…: not asked again in this pass after GET /config: request did not complete in time: …".
            let observed = try #require(try h.cluster()?.status.conditions[type: "Observed"])
            #expect(observed.status == .false)
            #expect(observed.message.contains("in time"), "\(observed.message)")

            // The next pass starts afresh: each request once more, no more.
            try await h.pass()
            let all = requests.withLock { $0 }
            #expect(!all.isEmpty && all.count <= 36, "\(all.count) requests in two passes: \(all.sorted())")
            #expect(Dictionary(grouping: all, by: { $0 }).values.allSatisfy { $0.count <= 2 }, "\(all.sorted())")
        }
    }
}
