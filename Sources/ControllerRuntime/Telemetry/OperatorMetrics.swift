import CoreMetrics
import Foundation
import Metrics
import Prometheus

/// Every metric the controller exports, recorded through swift-metrics into one Prometheus registry
/// that `/metrics` renders. Names follow controller-runtime's where one exists (so its dashboards
/// work); the rest are prefixed `operator_`. docs/operations.md lists them.
///
/// One instance per controller process (tests make their own, so their counts do not mix); the
/// manager records into it through `ControllerManager.Configuration.metrics`, the TiKV reconciler through its own.
/// What names TiKV (observations, plans, PD requests) is recorded by `OperatorMetrics+TiKV` in `TiKVController`.
package final class OperatorMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    package let factory: PrometheusMetricsFactory

    /// `process_*`, read from /proc at each scrape.
    private let process = ProcessMetrics()

    package init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        // controller-runtime's reconcile buckets (5 ms … 60 s); an observation can take as long.
        let reconcileBuckets: [Duration] = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
            .seconds(30), .seconds(60),
        ]
        factory.durationHistogramBuckets = [
            "controller_runtime_reconcile_time_seconds": reconcileBuckets,
            "operator_observation_duration_seconds": reconcileBuckets,
        ]
        self.factory = factory
        // Which build is running, as Prometheus' own `*_build_info`: 1, with the version and revision as labels.
        Gauge(label: "operator_build_info", dimensions: [("version", OperatorVersion.version), ("revision", OperatorVersion.revision)],
              factory: factory).record(1)
    }

    // MARK: - Reconciles and the work queue

    enum ReconcileResult: String, Sendable {
        case success, error, requeue
        case requeueAfter = "requeue_after"
    }

    /// One pass of `controller` (a reconciler's name) finished or failed after `duration`; `retried` when it
    /// went back through backoff.
    func reconciled(_ result: ReconcileResult, in duration: Duration, retried: Bool, controller c: String) {
        Counter(label: "controller_runtime_reconcile_total", dimensions: [("controller", c), ("result", result.rawValue)],
                factory: factory).increment()
        if result == .error {
            Counter(label: "controller_runtime_reconcile_errors_total", dimensions: [("controller", c)], factory: factory)
                .increment()
        }
        if retried {
            Counter(label: "workqueue_retries_total", dimensions: [("name", c), ("controller", c)], factory: factory)
                .increment()
        }
        Timer(label: "controller_runtime_reconcile_time_seconds", dimensions: [("controller", c)], factory: factory)
            .record(duration: duration)
    }

    /// A controller's loop started: its counters exist from then on at 0, so `rate()` and the dashboard's panels
    /// read 0 rather than nothing until the first error or retry.
    func controllerStarted(_ c: String) {
        for result in [ReconcileResult.success, .error, .requeue, .requeueAfter] {
            Counter(label: "controller_runtime_reconcile_total", dimensions: [("controller", c), ("result", result.rawValue)],
                    factory: factory).increment(by: 0)
        }
        Counter(label: "controller_runtime_reconcile_errors_total", dimensions: [("controller", c)], factory: factory).increment(by: 0)
        Counter(label: "workqueue_retries_total", dimensions: [("name", c), ("controller", c)], factory: factory).increment(by: 0)
    }

    /// Sampled when `/metrics` is scraped, per controller (a reconciler's name).
    package func queue(depth: Int, workers: Int, controller c: String) {
        Gauge(label: "workqueue_depth", dimensions: [("name", c), ("controller", c)], factory: factory).record(depth)
        Gauge(label: "controller_runtime_max_concurrent_reconciles", dimensions: [("controller", c)], factory: factory)
            .record(workers)
    }

    // MARK: - Spec files and rendering

    /// The manager loaded the spec files into the store.
    func specsSynced(at date: Date = Date()) {
        Gauge(label: "operator_spec_sync_timestamp_seconds", factory: factory).record(date.timeIntervalSince1970)
    }

    /// The Prometheus text exposition of everything recorded so far, with the process's own readings sampled now.
    package func render() -> String {
        process.sample(into: factory)
        return registry.emitToString()
    }
}
