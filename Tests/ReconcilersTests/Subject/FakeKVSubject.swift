import Foundation
@testable import Reconcilers

/// A second subject, for the tests only: a key-value service whose one action writes a key. It proves the seam: it
/// runs through the core's approval, gates, stages and executor without a line of the core written for it.
enum FakeKVSubject: ExecutedSubject {
    /// Write `value` under `key`.
    struct Put: Codable, Sendable, Hashable {
        var key: String
        var value: String
    }

    /// The exact request: what dry-run records and the executor sends.
    struct Request: Sendable, Hashable, CustomStringConvertible {
        var key: String
        var value: String
        var description: String { "PUT /kv/\(key) \(value)" }
    }

    /// What one read of the service shows.
    struct Snapshot: SubjectSnapshot {
        var values: [String: String]
        var isComplete = true
        var incompleteReasons: [String] = []
        var completedAt: Date
    }

    /// The settings people gave the service.
    struct PassReads: Sendable {
        var settings: ExecutionSettings
    }

    typealias StepReads = Void
    /// The service has nothing to cancel.
    typealias Cancellation = Never

    static let service = "KV"

    static func summary(of action: Put) -> String { "set \(action.key) to \(action.value)" }
    static func risk(of action: Put) -> RiskTier { .medium }
    static func mutates(_ action: Put) -> Bool { true }
    static func isSlow(_ action: Put) -> Bool { false }
    static func request(for action: Put) -> Request? { action.key.isEmpty ? nil : Request(key: action.key, value: action.value) }
    static func unsendable(_ action: Put) -> String { "the put names no key" }

    static func effect(of action: Put, on snapshot: Snapshot, reads: Void) -> StepEffect.Verdict {
        guard snapshot.isComplete else { return .unknown("the service was not read in full") }
        let now = snapshot.values[action.key]
        return now == action.value ? .holds("\(action.key) is \(action.value)") : .notYet("\(action.key) is \(now ?? "unset")")
    }

    /// Keys under `system/` belong to the service itself.
    static func gate(_ action: Put, snapshot: Snapshot, reads: Void, limits: Limits, now: Date) -> (gate: Gate, why: String)? {
        action.key.hasPrefix("system/") ? (.preconditions, "\(action.key) belongs to the service") : nil
    }

    static func settings(of reads: PassReads) -> ExecutionSettings { reads.settings }
    static func stepReads(for action: Put, in reads: PassReads) {}
    static func cancellation(for action: Put) -> Never? { nil }

    // Only the core's stages, in the core's order.
    static let planStages: [PlanExecution.PlanStage<FakeKVSubject>] = [
        EndedPlanCleanup.run, KillSwitchStage.run, ApprovalStage.run, DependencyStage.run, StepWindows.run, OutcomeStage.run,
    ]
    static let stepStages: [PlanExecution.StepStage<FakeKVSubject>] = [
        RunningStepStage.run, RetryBackoff.run, WaitStepStart.run, GateStage.run, SendStage.run,
    ]
    static var plannerBlockReasons: Set<String> { [] }

    static func cleanUpEnded(_ plan: SubjectPlan<FakeKVSubject>, input: SubjectExecutionInput<FakeKVSubject>,
                             result: inout SubjectExecutionResult<FakeKVSubject>) -> SubjectPlan<FakeKVSubject> { plan }
    static func whileRunning(_ pass: inout SubjectPlanPass<FakeKVSubject>, _ at: SubjectWindowStep<FakeKVSubject>,
                             _ input: SubjectExecutionInput<FakeKVSubject>, startedAt: Date) -> StepFlow? { nil }
    static func whenHeld(_ pass: inout SubjectPlanPass<FakeKVSubject>, _ at: SubjectWindowStep<FakeKVSubject>,
                         _ input: SubjectExecutionInput<FakeKVSubject>, gate: Gate, why: String) -> StepFlow? { nil }
}

/// The service itself: keys and values in memory.
actor FakeKVService {
    private var values: [String: String] = [:]
    private(set) var received: [FakeKVSubject.Request] = []

    func apply(_ request: FakeKVSubject.Request) {
        received.append(request)
        values[request.key] = request.value
    }

    func read(at now: Date) -> FakeKVSubject.Snapshot {
        FakeKVSubject.Snapshot(values: values, completedAt: now)
    }
}

/// Sends the subject's requests to the service: the subject's `Executor`.
struct FakeKVExecutor: Executor {
    let service: FakeKVService
    /// Keys the service refuses to write: provably nothing happens.
    var readOnly: Set<String> = []

    func send(_ request: FakeKVSubject.Request) async -> StepOutcome {
        if readOnly.contains(request.key) { return .refused("\(request.key) is read-only") }
        await service.apply(request)
        return .accepted("stored")
    }
}
