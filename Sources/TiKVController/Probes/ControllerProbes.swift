import ControllerRuntime
import Foundation
import OperatorStore
import Reconcilers
import Synchronization

/// Gathers what `/healthz`, `/readyz` and `/metrics` report from a running manager: the TiKV clusters,
/// their last passes, the lease, the work queues. Times are the manager's clock, as its passes are.
package final class ControllerProbes: Sendable {
    let manager: ControllerManager
    let metrics: OperatorMetrics
    /// The holder name this controller took the lease as.
    let holder: String
    let slack: TimeInterval
    private let knownSince = Mutex<[String: Date]>([:])

    package init(manager: ControllerManager, metrics: OperatorMetrics, holder: String, slack: TimeInterval = 60) {
        self.manager = manager
        self.metrics = metrics
        self.holder = holder
        self.slack = slack
    }

    /// The clusters in the store with their last pass; nil when the store cannot be read.
    private func clusters(now: Date) -> [LoopHealth.ClusterState]? {
        guard let clusters = try? ResourceStore(store: manager.store).list(TiKVClusterKind.self) else { return nil }
        let passes = manager.lastPasses(of: TiKVClusterReconciler.name)
        return knownSince.withLock { known in
            let names = Set(clusters.map(\.name))
            known = known.filter { names.contains($0.key) }
            return clusters.map { c in
                let since = known[c.name] ?? now
                known[c.name] = since
                return LoopHealth.ClusterState(name: c.name, resyncPeriod: c.spec.resyncPeriod.seconds,
                                               lastPass: passes[c.name], knownSince: since)
            }
        }
    }

    func health() -> LoopHealth.Verdict {
        let now = manager.clock()
        guard let clusters = clusters(now: now) else {
            return LoopHealth.Verdict(ok: false, lines: ["[-] store unreadable"])
        }
        let cap = Double(manager.config.backoffCap.components.seconds)
        return LoopHealth.health(clusters, backoffCap: cap, slack: slack, leaseLost: manager.lease.lostError?.description, now: now)
    }

    func readiness() -> LoopHealth.Verdict {
        let now = manager.clock()
        guard let clusters = clusters(now: now) else {
            return LoopHealth.Verdict(ok: false, lines: ["[-] store unreadable"])
        }
        // The lease's times are the store's own (wall clock), not the manager's.
        let lease = try? manager.store.currentLease()
        let held = lease.map { $0.holder == holder && $0.isValid(at: Date()) } ?? false
        return LoopHealth.readiness(specs: manager.lastSpecLoad, leaseHeld: held, clusters: clusters)
    }

    /// Samples what is read rather than counted (the queues), then renders the exposition.
    func metricsText() async -> String {
        for controller in manager.controllers {
            metrics.queue(depth: await controller.queue.depth, workers: controller.workers, controller: controller.name)
        }
        return metrics.render()
    }

    /// The routes of the probe server and of the metrics server.
    package var probeRoutes: [String: EndpointServer.Route] {
        [
            "/healthz": { self.health().response },
            "/readyz": { self.readiness().response },
        ]
    }

    package var metricsRoutes: [String: EndpointServer.Route] {
        ["/metrics": { EndpointResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8",
                                        body: await self.metricsText()) }]
    }
}
