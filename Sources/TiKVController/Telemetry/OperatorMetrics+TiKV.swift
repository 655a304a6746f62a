import ControllerRuntime
import Foundation
import Metrics
import ModelDiagnosis
import Reconcilers

/// The TiKV controller's metrics, recorded into the process's one `OperatorMetrics` registry beside the
/// manager's: observations, the cluster as a pass left it, PD mutations sent, and HTTP exchanges with PD and
/// Prometheus. Apart from `OperatorMetrics` so the generic manager's library names no TiKV type.
extension OperatorMetrics {
    // MARK: - Observation and the cluster's state after a pass

    /// An observation of `cluster` took `duration`; each source that failed or came back partial counts an error.
    /// Every series a source can count exists from the first observation at 0 (a healthy cluster's panel reads 0,
    /// not nothing).
    func observed(_ snapshot: ClusterSnapshot, in duration: Duration) {
        Timer(label: "operator_observation_duration_seconds", dimensions: [("cluster", snapshot.cluster)], factory: factory)
            .record(duration: duration)
        for source in ObservationSource.allCases {
            let failed: Bool
            switch snapshot.state(of: source) {
            case .failed: failed = true
            case .partial: failed = false
            case .complete, .skipped:
                for state in ["failed", "partial"] {
                    Counter(label: "operator_observation_errors_total",
                            dimensions: [("cluster", snapshot.cluster), ("source", source.rawValue), ("state", state)], factory: factory)
                        .increment(by: 0)
                }
                continue
            }
            Counter(label: "operator_observation_errors_total",
                    dimensions: [("cluster", snapshot.cluster), ("source", source.rawValue), ("state", failed ? "failed" : "partial")],
                    factory: factory).increment()
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
        for kind in ActionKind.allCases {
            for outcome in ["accepted", "refused", "unknown"] {
                Counter(label: "operator_actions_total", dimensions: [("kind", kind.rawValue), ("result", outcome)], factory: factory)
                    .increment(by: 0)
            }
        }
        let provider = result.cluster.spec.diagnosis.provider.rawValue
        for outcome in DiagnosisRunner.CallOutcome.allCases {
            Counter(label: "operator_diagnosis_calls_total", dimensions: [("provider", provider), ("result", outcome.rawValue)],
                    factory: factory).increment(by: 0)
        }
    }

    // MARK: - Diagnosis

    /// One call to a diagnosis provider (`rules`, `anthropic`, `openai`) and how it ended.
    package func diagnosisCall(provider: String, outcome: DiagnosisRunner.CallOutcome) {
        Counter(label: "operator_diagnosis_calls_total", dimensions: [("provider", provider), ("result", outcome.rawValue)],
                factory: factory).increment()
    }

    // MARK: - Actions and PD requests

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
}
