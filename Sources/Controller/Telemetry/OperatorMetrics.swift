import CoreMetrics
import Foundation
import Metrics
import Prometheus
import Reconcilers
import Synchronization

/// Every metric the controller exports, recorded through swift-metrics into one Prometheus registry
/// that `/metrics` renders. Names follow controller-runtime's where one exists (so its dashboards
/// work); the rest are prefixed `operator_`. docs/operations.md lists them.
///
/// One instance per controller process (tests make their own, so their counts do not mix); the
/// manager records into it through `ControllerManager.Configuration.metrics`, the TiKV reconciler through its own.
final class OperatorMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    /// When the manager last loaded the spec files (readiness needs one load).
    private let specsSyncedAt = Mutex<Date?>(nil)

    init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
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

    /// Sampled when `/metrics` is scraped, per controller (a reconciler's name).
    func queue(depth: Int, workers: Int, controller c: String) {
        Gauge(label: "workqueue_depth", dimensions: [("name", c), ("controller", c)], factory: factory).record(depth)
        Gauge(label: "controller_runtime_max_concurrent_reconciles", dimensions: [("controller", c)], factory: factory)
            .record(workers)
    }

    // MARK: - Observation and the cluster's state after a pass

    /// An observation of `cluster` took `duration`; each source that failed or came back partial counts an error.
    func observed(_ snapshot: ClusterSnapshot, in duration: Duration) {
        Timer(label: "operator_observation_duration_seconds", dimensions: [("cluster", snapshot.cluster)], factory: factory)
            .record(duration: duration)
        for source in ObservationSource.allCases {
            let state: String
            switch snapshot.state(of: source) {
            case .failed: state = "failed"
            case .partial: state = "partial"
            case .complete, .skipped: continue
            }
            Counter(label: "operator_observation_errors_total",
                    dimensions: [("cluster", snapshot.cluster), ("source", source.rawValue), ("state", state)], factory: factory)
                .increment()
        }
    }

    /// The cluster as a pass left it: open tickets by severity, plans by phase, mode and kill switch.
    func passed(_ result: ClusterReconcileResult, killSwitch: Bool) {
        let cluster = result.cluster.name
        let open = result.tickets.filter { $0.status.state == .open }
        for severity in Severity.allCases {
            Gauge(label: "operator_tickets_open", dimensions: [("cluster", cluster), ("severity", severity.rawValue)],
                  factory: factory).record(open.filter { $0.spec.severity == severity }.count)
        }
        for phase in PlanPhase.allCases {
            Gauge(label: "operator_plans", dimensions: [("cluster", cluster), ("phase", phase.rawValue)], factory: factory)
                .record(result.plans.filter { $0.status.phase == phase }.count)
        }
        for mode in ClusterMode.allCases {
            Gauge(label: "operator_cluster_mode", dimensions: [("cluster", cluster), ("mode", mode.rawValue)], factory: factory)
                .record(result.cluster.spec.mode == mode ? 1 : 0)
        }
        Gauge(label: "operator_cluster_paused", dimensions: [("cluster", cluster)], factory: factory)
            .record(result.cluster.spec.paused ? 1 : 0)
        Gauge(label: "operator_kill_switch", factory: factory).record(killSwitch ? 1 : 0)
    }

    // MARK: - Actions, PD requests, diagnosis

    /// A PD mutation of a plan step was sent; `outcome` is what PD answered.
    func actionSent(_ kind: ActionKind, outcome: StepSender.Outcome) {
        let result = switch outcome {
        case .accepted: "accepted"
        case .refused: "refused"
        case .unknown: "unknown"
        }
        Counter(label: "operator_actions_total", dimensions: [("kind", kind.rawValue), ("result", result)], factory: factory)
            .increment()
    }

    /// One HTTP exchange with PD or Prometheus. `code` is the status, or the transport failure's name.
    func upstreamRequest(target: String, method: String, route: String, code: String, duration: Duration) {
        let name = target == "pd" ? "operator_pd_requests_total" : "operator_prometheus_requests_total"
        Counter(label: name, dimensions: [("method", method), ("route", route), ("code", code)], factory: factory).increment()
        Timer(label: "operator_upstream_request_duration_seconds", dimensions: [("target", target), ("route", route)],
              factory: factory).record(duration: duration)
    }

    enum DiagnosisResult: String, Sendable {
        /// The provider answered and the answer was recorded.
        case success
        /// The provider answered with an error (HTTP status, refusal, unparseable answer).
        case error
        case timeout
        /// Not called: the budget or rate limit for calls was used up.
        case skipped
    }

    /// One call to an LLM provider for a diagnosis (e.g. provider `anthropic`, `fake`).
    func diagnosisCall(provider: String, result: DiagnosisResult) {
        Counter(label: "operator_diagnosis_calls_total", dimensions: [("provider", provider), ("result", result.rawValue)],
                factory: factory).increment()
    }

    // MARK: - Spec files and rendering

    /// The manager loaded the spec files into the store.
    func specsSynced(at date: Date = Date()) {
        specsSyncedAt.withLock { $0 = date }
        Gauge(label: "operator_spec_sync_timestamp_seconds", factory: factory).record(date.timeIntervalSince1970)
    }

    var lastSpecSync: Date? { specsSyncedAt.withLock { $0 } }

    /// The Prometheus text exposition of everything recorded so far.
    func render() -> String { registry.emitToString() }
}
