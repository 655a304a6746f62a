import Foundation
import PDWire
@testable import Reconcilers

extension InvariantID {
    /// The fake service's one invariant: its greeting is the one people asked for.
    static let greetingMatches = InvariantID(rawValue: "greetingMatches")
}

/// The fake service's health, for the tests only: one invariant registered as data, what it reads, and the planner
/// that turns its open ticket into a plan. Its tickets come from the core's `InvariantTickets`, not from code of its own.
extension FakeKVSubject {
    /// What people ask of the service: the greeting it must hold, and how long it may differ before its ticket opens.
    struct Desired: Sendable {
        var greeting: String
        var gracePeriod: GoDuration
    }

    /// What its invariants read in one pass.
    struct HealthReads: Sendable {
        var desired: Desired
        var snapshot: Snapshot
    }

    static let greetingKey = "greeting"
    /// What the invariant is judged on: the second half of its tickets' key.
    static let greetingSubject = "key/greeting"

    static let invariants = InvariantRegistry<HealthReads>([
        InvariantDefinition(id: .greetingMatches, evaluate: greetingMatches, gracePeriod: { $0.desired.gracePeriod }),
    ])

    /// Broken when the greeting read is not the desired one; no verdict on a read that did not answer in full.
    static func greetingMatches(_ reads: HealthReads) -> InvariantVerdict {
        guard reads.snapshot.isComplete else { return .noVerdict(.greetingMatches) }
        guard reads.snapshot.values[greetingKey] != reads.desired.greeting else { return InvariantVerdict(invariant: .greetingMatches) }
        return InvariantVerdict(invariant: .greetingMatches, violations: [
            Violation(invariant: .greetingMatches, subject: greetingSubject, severity: .warning,
                      summary: "greeting is not \(reads.desired.greeting)", readings: []),
        ])
    }

    /// The service's planner: an open ticket of its invariant becomes one put of the desired greeting.
    static func repair(_ ticket: Ticket, _ desired: Desired) -> SubjectPlan<FakeKVSubject>? {
        guard ticket.status.state == .open, ticket.spec.invariant == InvariantID.greetingMatches.rawValue else { return nil }
        let put = Put(key: greetingKey, value: desired.greeting)
        let step = SubjectPlanStep<FakeKVSubject>(name: "put-greeting", action: put, expectedEffect: "greeting is \(desired.greeting)",
                                                  timeout: .minutes(1))
        return SubjectPlan(metadata: ObjectMeta(name: "\(ticket.name)-repair", generation: 1),
                           spec: SubjectPlanSpec(cluster: ticket.spec.cluster, origin: .reconciler, concern: ticket.spec.key,
                                                 reason: ticket.spec.summary, ticket: ticket.name, steps: [step]))
    }
}
