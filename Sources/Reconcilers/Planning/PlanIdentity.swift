import Foundation

/// Turns what the planners want into stored plans without ever keeping two plans for one concern.
///
/// - A plan is identified by `spec.concern` within its cluster; its name is `<concern>-<cluster>`
///   (lower-cased, anything outside `[a-z0-9.-]` replaced by `-`).
/// - A `Pending`/`Approved` plan whose steps changed gets the new steps and revision, goes back to
///   `Pending`, and its `Approved` condition becomes `False, RevisionChanged` (approvals name a revision).
/// - A `Pending`/`Approved` plan whose drift vanished becomes `Superseded`, with a condition saying why.
/// - `Executing` plans are never rewritten; terminal plans are history and never reused: a new
///   occurrence of the concern gets generation n + 1, named `<concern>-<cluster>-<n+1>`.
/// - A concern whose latest plan is `Rejected` or `Cancelled` at the same revision is not proposed
///   again until its steps change (people said no to exactly this); one that `Succeeded` at the same
///   revision is done (unless the planner says the effect can be undone outside the plan).
enum PlanIdentity {
    /// `Blocked` reasons the planners set; other `Blocked` reasons belong to the execution gates and are left alone.
    static let plannerBlockReasons: Set<String> = [
        "NotEnoughStores", "ConcurrentMaintenance", "QuorumAtRisk", "PreconditionUnknown", "StoreNotFound", "NoLeaderTarget",
    ]

    static func baseName(concern: String, cluster: String) -> String {
        let raw = "\(concern)-\(cluster)".lowercased()
        let cleaned = String(raw.unicodeScalars.map { s -> Character in
            (s >= "a" && s <= "z") || (s >= "0" && s <= "9") || s == "." || s == "-" ? Character(s) : "-"
        })
        let trimmed = cleaned.trimmingCharacters(in: CharacterSet(charactersIn: "-."))
        return String((trimmed.isEmpty ? "plan" : trimmed).prefix(240))
    }

    static func name(concern: String, cluster: String, generation: Int) -> String {
        let base = baseName(concern: concern, cluster: cluster)
        return generation <= 1 ? base : "\(base)-\(generation)"
    }

    /// 1 for `<base>`, n for `<base>-n`.
    static func generation(of plan: RemediationPlan, cluster: String) -> Int {
        let base = baseName(concern: plan.spec.concern, cluster: cluster)
        if plan.name == base { return 1 }
        if plan.name.hasPrefix(base + "-"), let n = Int(plan.name.dropFirst(base.count + 1)) { return n }
        return 1
    }

    /// This cluster's plans of one origin for a concern, oldest generation first: a planner's (`reconciler`) or a
    /// model's (`ai`), never both.
    static func plans(for concern: String, origin: PlanOrigin = .reconciler, in plans: [RemediationPlan], cluster: String) -> [RemediationPlan] {
        plans.filter { $0.spec.origin == origin && $0.spec.concern == concern }
            .sorted { (generation(of: $0, cluster: cluster), $0.name) < (generation(of: $1, cluster: cluster), $1.name) }
    }

    /// The plan of a concern that is not terminal, if any.
    static func current(_ concern: String, origin: PlanOrigin = .reconciler, in plans: [RemediationPlan], cluster: String) -> RemediationPlan? {
        self.plans(for: concern, origin: origin, in: plans, cluster: cluster).first { !$0.status.phase.isTerminal }
    }

    static func apply(_ outcomes: [PlannerOutcome], to input: [RemediationPlan], cluster: String, now: Date)
        -> (plans: [RemediationPlan], events: [Event]) {
        var byName = Dictionary(input.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var events: [Event] = []
        var handled = Set<[String]>()

        func supersede(_ plan: RemediationPlan, reason: String, message: String) {
            guard plan.status.phase == .pending || plan.status.phase == .approved else { return }
            var p = plan
            p.status.phase = .superseded
            p.status.conditions.set(.superseded, .true, reason: reason, message: message, observedGeneration: p.metadata.generation, now: now)
            byName[p.name] = p
            events.append(event(p.name, .normal, "PlanSuperseded", message, now))
        }

        for outcome in outcomes where handled.insert([outcome.origin.rawValue, outcome.concern]).inserted {
            let existing = plans(for: outcome.concern, origin: outcome.origin, in: input, cluster: cluster)
            let live = existing.filter { !$0.status.phase.isTerminal }
            // Never two live plans for one concern: keep the newest, supersede the others.
            for extra in live.dropLast() {
                supersede(extra, reason: "Duplicate", message: "plan \(live[live.count - 1].name) carries the same concern")
            }
            let current = live.last
            switch outcome.decision {
            case .undecided:
                continue
            case .vanished(let reason, let message):
                if let current { supersede(current, reason: reason, message: message) }
            case .desired(let desired):
                if let current, !desired.revisesInPlace, current.spec.revision != desired.spec.revision {
                    guard current.status.phase != .executing else { continue }
                    var generation = (existing.map { self.generation(of: $0, cluster: cluster) }.max() ?? 0) + 1
                    while byName[name(concern: outcome.concern, cluster: cluster, generation: generation)] != nil { generation += 1 }
                    let next = name(concern: outcome.concern, cluster: cluster, generation: generation)
                    supersede(current, reason: "SuggestionChanged", message: "a new diagnosis suggests other steps: see plan \(next)")
                    let plan = create(next, desired, now: now, events: &events)
                    byName[plan.name] = plan
                } else if let current {
                    guard current.status.phase != .executing else { continue }
                    let updated = update(current, to: desired, now: now, events: &events)
                    byName[updated.name] = updated
                } else if let latest = existing.last, latest.spec.revision == desired.spec.revision,
                          latest.status.phase == .rejected || latest.status.phase == .cancelled
                            || (latest.status.phase == .succeeded && desired.succeededPlanSatisfies) {
                    continue
                } else {
                    var generation = (existing.map { self.generation(of: $0, cluster: cluster) }.max() ?? 0) + 1
                    while byName[name(concern: outcome.concern, cluster: cluster, generation: generation)] != nil { generation += 1 }
                    let plan = create(name(concern: outcome.concern, cluster: cluster, generation: generation), desired, now: now, events: &events)
                    byName[plan.name] = plan
                }
            }
        }
        // Concerns no planner raised this pass: their drift is gone (a model's plan: nothing proposes it any more).
        for plan in input where !handled.contains([plan.spec.origin.rawValue, plan.spec.concern]) {
            if plan.spec.origin == .ai {
                supersede(byName[plan.name] ?? plan, reason: "Withdrawn", message: "no diagnosis proposes this plan any more")
            } else {
                supersede(byName[plan.name] ?? plan, reason: "DriftResolved", message: "what this plan fixes is no longer observed")
            }
        }
        return (byName.values.sorted { $0.name < $1.name }, events)
    }

    private static func create(_ name: String, _ desired: DesiredPlan, now: Date, events: inout [Event]) -> RemediationPlan {
        var plan = RemediationPlan(metadata: ObjectMeta(name: name, creationTimestamp: now), spec: desired.spec)
        plan.status.phase = .pending
        plan.status.conditions.set(.approved, .false, reason: "AwaitingApproval",
                                   message: "revision \(desired.spec.revision) (risk \(desired.spec.risk.rawValue)) awaits approval",
                                   observedGeneration: 0, now: now)
        events.append(event(name, .normal, "PlanCreated", "\(desired.spec.steps.count) steps: \(desired.spec.reason)", now))
        if let blocked = desired.blocked {
            plan.status.conditions.set(.blocked, .true, reason: blocked.reason, message: blocked.message, observedGeneration: 0, now: now)
            events.append(event(name, .warning, "PlanBlocked", blocked.message, now))
        }
        return plan
    }

    private static func update(_ current: RemediationPlan, to desired: DesiredPlan, now: Date, events: inout [Event]) -> RemediationPlan {
        var p = current
        let generation = p.metadata.generation
        if p.spec.revision != desired.spec.revision {
            let old = p.spec.revision
            p.spec.steps = desired.spec.steps
            p.spec.revision = desired.spec.revision
            p.status.phase = .pending
            p.status.steps = []
            if p.status.conditions[type: .approved] != nil {
                p.status.conditions.set(.approved, .false, reason: "RevisionChanged",
                                        message: "the steps changed (revision \(old) → \(desired.spec.revision)); approvals of \(old) no longer count",
                                        observedGeneration: generation, now: now)
            }
            events.append(event(p.name, .normal, "PlanRevised", "revision \(old) → \(desired.spec.revision): \(desired.spec.steps.count) steps: \(desired.spec.reason)", now))
        }
        p.spec.reason = desired.spec.reason
        p.spec.ticket = desired.spec.ticket
        p.spec.proposal = desired.spec.proposal
        p.spec.after = desired.spec.after
        p.spec.notBefore = desired.spec.notBefore
        if let blocked = desired.blocked {
            if p.status.conditions.set(.blocked, .true, reason: blocked.reason, message: blocked.message, observedGeneration: generation, now: now),
               current.status.conditions[type: .blocked]?.status != .true {
                events.append(event(p.name, .warning, "PlanBlocked", blocked.message, now))
            }
        } else if let b = p.status.conditions[type: .blocked], b.status == .true, plannerBlockReasons.contains(b.reason) {
            p.status.conditions.set(.blocked, .false, reason: "PreconditionsMet", message: "every precondition holds",
                                    observedGeneration: generation, now: now)
            events.append(event(p.name, .normal, "PlanUnblocked", "every precondition holds", now))
        }
        return p
    }

    static func event(_ plan: String, _ type: EventType, _ reason: String, _ message: String, _ now: Date) -> Event {
        Event(regarding: ObjectReference(kind: RemediationPlanKind.kind, name: plan), type: type, reason: reason, message: message,
              firstTimestamp: now, lastTimestamp: now)
    }
}
