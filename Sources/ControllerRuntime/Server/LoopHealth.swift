import Foundation

/// The verdicts behind `/healthz` and `/readyz`, decided from plain values (no clock: `now` is given).
///
/// Healthy: the store lease was not lost, and every known cluster finished a pass within its bound — three
/// resync periods, or one plus the longest retry backoff when passes fail, plus slack — counted from its last
/// pass or, before the first, from when the loop first knew of it. A worker stuck in a pass (a wedged loop) lets
/// that age grow until the kubelet restarts the pod. No clusters at all is healthy. A lost lease is final: the
/// process can do nothing more, so it must be restarted (it exits at once; the probe says so meanwhile).
/// Ready: the spec files were loaded, the store lease is ours, at least one TiKVCluster is in force (valid now, or
/// valid before and kept in force), and every cluster was observed once.
package enum LoopHealth {
    package struct ClusterState: Sendable, Equatable {
        var name: String
        var resyncPeriod: TimeInterval
        var lastPass: Date?
        /// When the loop first knew of the cluster.
        var knownSince: Date

        package init(name: String, resyncPeriod: TimeInterval, lastPass: Date? = nil, knownSince: Date) {
            self.name = name
            self.resyncPeriod = resyncPeriod
            self.lastPass = lastPass
            self.knownSince = knownSince
        }
    }

    package struct Verdict: Sendable, Equatable {
        var ok: Bool
        /// One line per check: what passed or why it failed.
        var lines: [String]

        package init(ok: Bool, lines: [String]) {
            self.ok = ok
            self.lines = lines
        }

        package var response: EndpointResponse {
            EndpointResponse(status: ok ? 200 : 503, body: (lines + [ok ? "ok" : "failed"]).joined(separator: "\n") + "\n")
        }
    }

    static func bound(resyncPeriod: TimeInterval, backoffCap: TimeInterval, slack: TimeInterval) -> TimeInterval {
        max(3 * resyncPeriod, resyncPeriod + backoffCap) + slack
    }

    package static func health(_ clusters: [ClusterState], backoffCap: TimeInterval, slack: TimeInterval = 60, leaseLost: String? = nil,
                               now: Date) -> Verdict {
        var ok = true
        var lines: [String] = []
        if let leaseLost {
            ok = false
            lines.append("[-] store lease lost: \(leaseLost)")
        }
        for c in clusters.sorted(by: { $0.name < $1.name }) {
            let since = c.lastPass ?? c.knownSince
            let age = now.timeIntervalSince(since)
            let limit = bound(resyncPeriod: c.resyncPeriod, backoffCap: backoffCap, slack: slack)
            let what = c.lastPass == nil ? "no pass yet, known for" : "last pass"
            if age > limit {
                ok = false
                lines.append("[-] loop cluster/\(c.name): \(what) \(Int(age))s ago, over the \(Int(limit))s bound")
            } else {
                lines.append("[+] loop cluster/\(c.name) ok")
            }
        }
        if clusters.isEmpty { lines.append("[+] loop ok (no clusters yet)") }
        return Verdict(ok: ok, lines: lines)
    }

    package static func readiness(specs: SpecLoad?, leaseHeld: Bool, clusters: [ClusterState]) -> Verdict {
        var lines: [String] = []
        if let specs {
            let rejected = specs.rejected.isEmpty ? "" : ", rejected: " + specs.rejected.joined(separator: ", ")
            lines.append("[+] specs loaded (\(specs.files) file\(specs.files == 1 ? "" : "s")\(rejected))")
        } else {
            lines.append("[-] specs not loaded yet")
        }
        lines.append(leaseHeld ? "[+] store lease held" : "[-] store lease not held")
        // Nothing to reconcile is not ready: a typo that rejects every file must not look like a working controller.
        if clusters.isEmpty, let specs {
            let why = specs.rejected.isEmpty ? "the spec files declare none"
                : "\(specs.rejected.count) of \(specs.files) spec file\(specs.files == 1 ? "" : "s") rejected (operator validate -f lists every error)"
            lines.append("[-] no valid TiKVCluster in force: \(why)")
        }
        let unobserved = clusters.filter { $0.lastPass == nil }.map(\.name).sorted()
        if unobserved.isEmpty {
            if !clusters.isEmpty { lines.append("[+] every cluster observed") }
        } else {
            lines.append("[-] not observed yet: " + unobserved.map { "cluster/\($0)" }.joined(separator: ", "))
        }
        return Verdict(ok: specs != nil && leaseHeld && !clusters.isEmpty && unobserved.isEmpty, lines: lines)
    }
}
