import Foundation
import PDClient
import Reconcilers

/// A `ClusterObserver` whose traffic is counted, so the observation benchmark (its own
/// executable, `Benchmarks/ObserveBench`) can drive the real observer over real HTTP.
package struct CountedObserver: Sendable {
    package struct Pass: Sendable {
        package var snapshot: ClusterSnapshot
        package var requests: Int
        package var bodyBytes: Int
        package var paths: [String]
    }

    private let observer: ClusterObserver
    private let transport: CountingTransport

    /// `followLeader: false` talks only to the given URLs (the simulator advertises in-cluster member
    /// URLs that do not resolve outside a Kubernetes cluster).
    package init(pd: PDEndpoint, prometheus: PrometheusEndpoint? = nil, followLeader: Bool = true) {
        transport = CountingTransport()
        observer = ClusterObserver(pd: pd, prometheus: prometheus, transport: transport, retry: RetryBackoff(maxAttempts: 1),
                                   followLeader: followLeader)
    }

    /// One observation and what it cost on the wire.
    package func observe(cluster: String, regions: RegionScope, now: Date) async -> Pass {
        transport.reset()
        let snapshot = await observer.observe(cluster: cluster, regions: regions, now: now)
        let totals = transport.snapshot
        return Pass(snapshot: snapshot, requests: totals.requests, bodyBytes: totals.bodyBytes, paths: totals.paths)
    }
}
