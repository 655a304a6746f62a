import Foundation
import Reconcilers

/// A `ClusterObserver` whose traffic is counted, public so the observation benchmark (its own
/// executable, `Benchmarks/ObserveBench`) can drive the real observer over real HTTP.
public struct CountedObserver: Sendable {
    public struct Pass: Sendable {
        public var snapshot: ClusterSnapshot
        public var requests: Int
        public var bodyBytes: Int
        public var paths: [String]
    }

    private let observer: ClusterObserver
    private let transport: CountingTransport

    /// `followLeader: false` talks only to the given URLs (the simulator advertises in-cluster member
    /// URLs that do not resolve outside a Kubernetes cluster).
    public init(pd: PDEndpoint, prometheus: PrometheusEndpoint? = nil, followLeader: Bool = true) {
        transport = CountingTransport()
        observer = ClusterObserver(pd: pd, prometheus: prometheus, transport: transport, retry: RetryBackoff(maxAttempts: 1),
                                   followLeader: followLeader)
    }

    /// One observation and what it cost on the wire.
    public func observe(cluster: String, regions: RegionScope, now: Date) async -> Pass {
        transport.reset()
        let snapshot = await observer.observe(cluster: cluster, regions: regions, now: now)
        let totals = transport.snapshot
        return Pass(snapshot: snapshot, requests: totals.requests, bodyBytes: totals.bodyBytes, paths: totals.paths)
    }
}
