import Foundation
import PDClient
import Reconcilers
import TiKVObservation

/// One observer (PD and Prometheus clients) per cluster, rebuilt when the cluster's endpoints change,
/// so PD leader following and connection reuse survive from pass to pass.
package actor ClusterConnections {
    private struct Endpoints: Equatable {
        var pd: PDEndpoint
        var prometheus: PrometheusEndpoint?
    }

    private var observers: [String: (endpoints: Endpoints, observer: ClusterObserver)] = [:]
    private let transport: any HTTPTransport
    /// The manager's clock: snapshot times must agree with the `now` of the decisions that read them.
    private let clock: @Sendable () -> Date
    /// For a cluster whose spec names no Prometheus: a `/metrics` endpoint to read store metrics from
    /// directly (the demo's simulator). One reader per cluster: it keeps the scrapes its rates compare.
    private let exposition: URL?
    private var readers: [String: ExpositionMetrics] = [:]

    package init(transport: any HTTPTransport = CurlTransport(), exposition: URL? = nil, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.transport = transport
        self.exposition = exposition
        self.clock = clock
    }

    func observer(for cluster: TiKVCluster) -> ClusterObserver {
        let endpoints = Endpoints(pd: cluster.spec.pd, prometheus: cluster.spec.prometheus)
        if let cached = observers[cluster.name], cached.endpoints == endpoints { return cached.observer }
        var reader: ExpositionMetrics?
        if cluster.spec.prometheus == nil, let exposition {
            reader = readers[cluster.name] ?? ExpositionMetrics(url: exposition, transport: transport)
            readers[cluster.name] = reader
        }
        let observer = ClusterObserver(spec: cluster.spec, transport: transport, exposition: reader, clock: clock)
        observers[cluster.name] = (endpoints, observer)
        return observer
    }

    func forget(_ name: String) {
        observers[name] = nil
        readers[name] = nil
    }
}
