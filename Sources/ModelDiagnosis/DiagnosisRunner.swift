import Foundation
import Logging
import OperatorStore
import Reconcilers
import TiKVObservation

/// Diagnoses open tickets off the control loop. `TiKVClusterReconciler` calls `submit` after a pass's writes and
/// goes on at once; the runner builds each ticket's context, skips tickets whose stored diagnosis
/// has the same context digest, and runs the cluster's provider in the background with bounded
/// concurrency.
///
/// Finished diagnoses are written at the cluster's next `submit`, i.e. right after its next pass: a
/// cluster never has two passes at once, so a diagnosis write never races the pass's own ticket
/// writes. Writes touch the ticket's status only (compare-and-swap, re-read and retried once on a
/// conflict).
///
/// A diagnosis never approves, rejects or executes: its suggested actions stay on the ticket as data.
package actor DiagnosisRunner {
    package typealias ProviderFactory = @Sendable (DiagnosisConfig, CallBudget) throws(DiagnosisError) -> any DiagnosisProvider

    let maxConcurrent: Int
    /// A failed diagnosis with an unchanged context is retried no sooner than this.
    let retryAfterFailure: TimeInterval
    private let makeProvider: ProviderFactory
    private var logger: Logger
    private var running: [String: Task<Void, Never>] = [:]
    /// Per cluster: diagnoses finished in the background, written at its next `submit`.
    private var finished: [String: [Diagnosis]] = [:]
    /// Per ticket: the digest last attempted, when, and whether it failed.
    private var attempts: [String: (digest: String, at: Date, failed: Bool)] = [:]
    /// Per cluster: one budget while its diagnosis config stays the same.
    private var budgets: [String: (config: DiagnosisConfig, budget: CallBudget)] = [:]
    /// Told of every provider call and its outcome (the composition root counts them for `/metrics`).
    private let onCall: @Sendable (_ provider: String, _ outcome: CallOutcome) -> Void

    /// How one provider call ended, as `operator_diagnosis_calls_total{result}` counts it.
    package enum CallOutcome: String, Sendable, CaseIterable {
        /// The provider answered and the answer is recorded.
        case success
        /// The provider answered with an error (HTTP status, refusal, unparseable answer) or could not be reached.
        case error
        case timeout
        /// Not called: the hourly call budget was used up.
        case skipped

        init(_ error: DiagnosisError) {
            switch error {
            case .budgetExhausted: self = .skipped
            case .timeout: self = .timeout
            default: self = .error
            }
        }
    }

    package init(maxConcurrent: Int = 2, retryAfterFailure: TimeInterval = 600, logger: Logger = Logger(label: "operator.diagnosis"),
                 makeProvider: @escaping ProviderFactory = { config, budget throws(DiagnosisError) in try DiagnosisProviders.make(config, budget: budget) },
                 onCall: @escaping @Sendable (_ provider: String, _ outcome: CallOutcome) -> Void = { _, _ in }) {
        self.onCall = onCall
        self.maxConcurrent = max(1, maxConcurrent)
        self.retryAfterFailure = retryAfterFailure
        self.makeProvider = makeProvider
        self.logger = logger
    }

    /// Starts diagnoses for the cluster's open tickets that need one; returns without waiting for them.
    package func submit(cluster: TiKVCluster, snapshot: ClusterSnapshot, observer: ClusterObserver, resources: ResourceStore, now: Date) async {
        flush(cluster.name, resources: resources, now: now)
        guard let tickets = try? resources.list(TicketKind.self).filter({ $0.spec.cluster == cluster.name }) else { return }
        let open = tickets.filter { $0.status.state == .open }
        guard !open.isEmpty else { return }
        let plans = (try? resources.list(RemediationPlanKind.self).filter { $0.spec.cluster == cluster.name }) ?? []
        let maintenances = (try? resources.list(StoreMaintenanceKind.self).filter { $0.spec.cluster == cluster.name }) ?? []
        let events = Self.events(resources.store, tickets: tickets, plans: plans, cluster: cluster.name)
        for ticket in open where running[ticket.name] == nil {
            guard running.count < maxConcurrent else {
                logger.debug("Diagnosis capacity full; the next pass resubmits", metadata: ["cluster": "\(cluster.name)", "ticket": "\(ticket.name)"])
                break
            }
            let input = DiagnosisContextBuilder.Input(ticket: ticket, cluster: cluster, snapshot: snapshot, maintenances: maintenances,
                                                      events: events, plans: plans, tickets: tickets)
            let digest = DiagnosisContextBuilder.digest(DiagnosisContextBuilder.build(input))
            if ticket.status.diagnosis?.contextDigest == digest { continue }
            if let last = attempts[ticket.name], last.digest == digest, !last.failed || now.timeIntervalSince(last.at) < retryAfterFailure { continue }
            attempts[ticket.name] = (digest, now, false)
            let provider: any DiagnosisProvider
            do {
                provider = try makeProvider(cluster.spec.diagnosis, budget(for: cluster))
            } catch {
                attempts[ticket.name] = (digest, now, true)
                logger.warning("Cannot build the diagnosis provider", metadata: ["cluster": "\(cluster.name)", "error": "\(error)"])
                continue
            }
            let name = ticket.name
            let log = logger
            let onCall = self.onCall
            running[name] = Task {
                let prometheus = observer.prometheus
                let history = await DiagnosisHistory.fetch(prometheus, snapshot: snapshot, subject: ticket.spec.subject, now: now)
                var full = input
                full.history = history.series
                full.historyNotes = history.notes
                let context = DiagnosisContextBuilder.build(full)
                var diagnosis: Diagnosis?
                do {
                    diagnosis = try await provider.diagnose(context, now: now)
                    onCall(provider.name, .success)
                } catch {
                    onCall(provider.name, (error as? DiagnosisError).map(CallOutcome.init) ?? .error)
                    log.warning("Diagnosis failed", metadata: ["cluster": "\(cluster.name)", "ticket": "\(name)", "provider": "\(provider.name)", "error": "\(error)"])
                }
                self.finish(name, cluster: cluster.name, digest: digest, diagnosis: diagnosis, at: now)
            }
        }
    }

    /// Waits until every diagnosis started so far has ended (tests, shutdown).
    func waitUntilIdle() async {
        while let task = running.values.first { await task.value }
    }

    private func finish(_ ticket: String, cluster: String, digest: String, diagnosis: Diagnosis?, at: Date) {
        running[ticket] = nil
        attempts[ticket] = (digest, at, diagnosis == nil)
        if let diagnosis { finished[cluster, default: []].append(diagnosis) }
    }

    /// Writes the cluster's finished diagnoses; called between its passes.
    private func flush(_ cluster: String, resources: ResourceStore, now: Date) {
        for diagnosis in finished.removeValue(forKey: cluster) ?? [] {
            do {
                try Self.write(diagnosis, ticket: diagnosis.ticket, resources: resources, now: now)
                logger.info("Diagnosed", metadata: ["cluster": "\(cluster)", "ticket": "\(diagnosis.ticket)", "provider": "\(diagnosis.provider)",
                                                   "cause": "\(diagnosis.primary.cause.rawValue)", "confidence": "\(diagnosis.primary.confidence.rawValue)"])
            } catch {
                logger.warning("Cannot store a diagnosis", metadata: ["cluster": "\(cluster)", "ticket": "\(diagnosis.ticket)", "error": "\(error)"])
            }
        }
    }

    private func budget(for cluster: TiKVCluster) -> CallBudget {
        if let b = budgets[cluster.name], b.config == cluster.spec.diagnosis { return b.budget }
        let b = CallBudget(perHour: cluster.spec.diagnosis.maxCallsPerHour)
        budgets[cluster.name] = (cluster.spec.diagnosis, b)
        return b
    }

    /// Writes the diagnosis into the ticket's status and sets its `Diagnosed` condition. The ticket is
    /// re-read on a conflict (a pass wrote it meanwhile) and the write tried once more.
    static func write(_ diagnosis: Diagnosis, ticket name: String, resources: ResourceStore, now: Date) throws {
        for attempt in 0..<2 {
            guard var ticket = try resources.get(TicketKind.self, name), ticket.status.state != .resolved else { return }
            ticket.status.diagnosis = diagnosis
            _ = ticket.status.conditions.set(
                "Diagnosed", .true, reason: "Diagnosed",
                message: "\(diagnosis.primary.cause.rawValue) (\(diagnosis.primary.confidence.rawValue) confidence) by \(diagnosis.provider)",
                observedGeneration: ticket.metadata.generation, now: now)
            do {
                try resources.updateStatus(ticket)
                return
            } catch StoreError.conflict where attempt == 0 {
                continue
            }
        }
    }

    /// Recent events about the cluster, its tickets and plans.
    package static func events(_ store: StatusStore, tickets: [Ticket], plans: [RemediationPlan], cluster: String) -> [Event] {
        let names = Set(tickets.map { "\(TicketKind.kind)/\($0.name)" } + plans.map { "\(RemediationPlanKind.kind)/\($0.name)" } + ["\(TiKVClusterKind.kind)/\(cluster)"])
        return ((try? store.recentEvents(limit: 500)) ?? []).filter { names.contains("\($0.regardingKind)/\($0.regardingName)") }.prefix(50).map {
            Event(regarding: ObjectReference(kind: $0.regardingKind, name: $0.regardingName), type: $0.type == .warning ? .warning : .normal,
                  reason: $0.reason, message: $0.message, firstTimestamp: $0.firstTimestamp, lastTimestamp: $0.lastTimestamp)
        }
    }
}
