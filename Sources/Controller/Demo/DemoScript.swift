import Foundation
import Reconcilers
import TiKVSimulator

/// The demo's chapters: each does something to the cluster (or asks a person), then waits — bounded —
/// until the controller's outcome is observed in the store. Headless, a chapter whose outcome never
/// comes fails the demo with the reason.
struct DemoScript {
    let env: DemoEnvironment
    let output: DemoOutput
    /// Approve without asking (`--auto`, `--headless`).
    let auto: Bool
    /// Real seconds to wait for each outcome.
    let patience: Duration
    /// Wait for the person's decision to appear in the store (made in the dashboard) instead of reading a line.
    var approveInDashboard = false

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func run() async throws {
        try await healthy()
        try await leaderSkew(store: 1)
        try await storeDies(store: 6)
        output.headline("The end", "every fault was detected, explained by its ticket, fixed by an approved plan, and the fix was verified by observation")
    }

    // MARK: Chapters

    private func healthy() async throws {
        output.headline("Chapter 1 — a healthy cluster", "6 TiKV stores in 3 zones behind a PD-compatible API at \(env.pdURL); the controller observes it every 5 s")
        let cluster = try await waitFor("the first complete observation") {
            try env.resources.get(TiKVClusterKind.self, env.clusterName).flatMap { $0.status.conditions.isTrue("Observed") ? $0 : nil }
        }
        let leaders = env.sim.withState { s in s.stores.indices.map { "\(s.stores[$0].id):\(s.storeStats[$0].leaderCount)" } }
        output.say("observed \(cluster.status.stores ?? 0) stores (\(cluster.status.storesUp ?? 0) Up), \(cluster.status.regions ?? 0) regions; leaders per store \(leaders.joined(separator: " "))")
    }

    private func storeDies(store id: UInt64) async throws {
        output.headline("Chapter 3 — a store dies", "the TiKV process of store \(id) is killed: no more heartbeats")
        await output.countdown(auto ? 0 : 3)
        _ = try env.inject(Fault(kind: .kill, store: id))
        output.say("fault injected: kill store \(id)")

        let ticket = try await waitFor("a ticket for store \(id)") {
            try env.resources.list(TicketKind.self).first { $0.spec.subject == "store/\(id)" && $0.spec.invariant == "storeDown" && $0.status.state == .open }
        }
        describe(ticket)
        try await explain(ticket)
        let plan = try await waitFor("a plan for the ticket") {
            try env.resources.list(RemediationPlanKind.self).first { $0.spec.ticket == ticket.name && !$0.status.phase.isTerminal }
        }
        describe(plan)
        try await approveAndFollow(plan)
        let resolved = try await waitFor("the ticket resolved by observation") {
            try env.resources.get(TicketKind.self, ticket.name).flatMap { $0.status.state == .resolved ? $0 : nil }
        }
        output.say("ticket \(resolved.name) resolved: store \(id) is Tombstone and its replicas live on the other stores")
    }

    private func leaderSkew(store id: UInt64) async throws {
        output.headline("Chapter 2 — leaders pile up on one store", "store \(id) takes the leadership of many regions (PD's own balancers are off in this demo, so the controller must act)")
        await output.countdown(auto ? 0 : 3)
        let fault = try env.inject(Fault(kind: .leaderSkew, store: id, factor: 0.5))
        _ = fault
        output.say("fault injected: leader skew towards store \(id)")
        let ticket = try await waitFor("a leader-skew ticket") {
            try env.resources.list(TicketKind.self).first { $0.spec.invariant == "leaderSkew" && $0.status.state == .open }
        }
        describe(ticket)
        try await explain(ticket)
        let plan = try await waitFor("a balance plan") {
            try env.resources.list(RemediationPlanKind.self).first { $0.spec.concern.contains("leader") && !$0.status.phase.isTerminal && !$0.spec.steps.isEmpty }
        }
        describe(plan)
        try await approveAndFollow(plan)
        _ = try await waitFor("the skew gone, verified by observation") {
            try env.resources.get(TicketKind.self, ticket.name).flatMap { $0.status.state == .resolved ? $0 : nil }
        }
        let leaders = env.sim.withState { s in s.stores.indices.filter { s.storeStats[$0].leaderCount > 0 }.map { "\(s.stores[$0].id):\(s.storeStats[$0].leaderCount)" } }
        output.say("ticket resolved; leaders per store now \(leaders.joined(separator: " "))")
    }

    // MARK: Steps shared by chapters

    /// Asks for the approval the plan needs (or notes the policy approved it), then follows its steps
    /// until it is observed done.
    private func approveAndFollow(_ plan: RemediationPlan) async throws {
        let needs = ApprovalEvaluator.required(for: plan.spec, policy: try clusterPolicy())
        if needs == 0 {
            output.say("risk \(plan.spec.risk.rawValue): the demo policy runs it without a person")
        } else if auto {
            try await Task.sleep(for: .seconds(1))
            try env.approve(plan, as: "demo-user")
            output.say("approved by demo-user (--auto) at revision \(plan.spec.revision)")
        } else if approveInDashboard {
            output.ask("Approve plan \(plan.name) in the dashboard: select it, press a, then y")
            let decision = try await waitFor("a decision on plan \(plan.name)") {
                try env.store.approvals(plan: plan.name).last { $0.revision == plan.spec.revision }
            }
            guard decision.decision == .approve else { throw Failure(description: "plan \(plan.name) was rejected by \(decision.approver)") }
            output.say("approved by \(decision.approver) at revision \(plan.spec.revision)")
        } else {
            output.ask("Approve plan \(plan.name) (risk \(plan.spec.risk.rawValue), revision \(plan.spec.revision))? Press Enter to approve, Ctrl-C to stop")
            _ = await Task.detached { readLine() }.value
            try env.approve(plan, as: currentUser())
            output.say("approved by \(currentUser()) at revision \(plan.spec.revision)")
        }
        var reported = Set<String>()
        let done = try await waitFor("plan \(plan.name) to succeed", explain: { try planState(plan.name) }) { () -> RemediationPlan? in
            guard let p = try env.resources.get(RemediationPlanKind.self, plan.name) else { return nil }
            for (i, s) in p.status.steps.enumerated() where s.phase != .pending {
                let key = "\(i)-\(s.phase.rawValue)"
                if reported.insert(key).inserted, i < p.spec.steps.count {
                    let what = p.spec.steps[i].action.summary
                    switch s.phase {
                    case .running: output.say("  step \(i + 1)/\(p.spec.steps.count) running: \(what)" + (s.pdRequest.map { " — \($0)" } ?? ""))
                    case .succeeded, .skipped: output.say("  step \(i + 1)/\(p.spec.steps.count) done: \(s.observedEffect ?? what)")
                    case .failed: output.say("  step \(i + 1)/\(p.spec.steps.count) failed: \(s.lastError ?? "")")
                    case .pending: break
                    }
                }
            }
            if p.status.phase == .failed || p.status.phase == .cancelled || p.status.phase == .rejected {
                throw Failure(description: "plan \(p.name) ended \(p.status.phase.rawValue): \(p.status.conditions.map { "\($0.type) \($0.reason): \($0.message)" }.joined(separator: "; "))")
            }
            return p.status.phase == .succeeded ? p : nil
        }
        output.say("plan \(done.name) succeeded: every step's effect was observed")
    }

    /// The plan's phase and conditions, for a failure message.
    private func planState(_ name: String) throws -> String {
        guard let p = try env.resources.get(RemediationPlanKind.self, name) else { return "plan \(name) is gone" }
        let done = p.status.steps.filter { $0.phase == .succeeded || $0.phase == .skipped }.count
        return "plan \(name) is \(p.status.phase.rawValue), \(done)/\(p.spec.steps.count) steps done; "
            + p.status.conditions.map { "\($0.type)=\($0.status.rawValue) \($0.reason): \($0.message)" }.joined(separator: "; ")
    }

    private func clusterPolicy() throws -> ApprovalPolicy {
        try env.resources.get(TiKVClusterKind.self, env.clusterName)?.spec.approval ?? ApprovalPolicy()
    }

    /// Waits for the diagnosis of the ticket (the rules engine, off the loop) and prints its gist.
    private func explain(_ ticket: Ticket) async throws {
        let diagnosis = try await waitFor("the diagnosis of \(ticket.name)") {
            try env.resources.get(TicketKind.self, ticket.name)?.status.diagnosis
        }
        output.say("diagnosis (\(diagnosis.provider), \(diagnosis.primary.confidence.rawValue) confidence): \(diagnosis.primary.title)")
        for e in diagnosis.primary.evidence.prefix(3) { output.say("  evidence: \(e.statement)") }
        for a in diagnosis.alternatives.prefix(2) { output.say("  ruled out: \(a.title) — \(a.whyRuledOut)") }
        output.say("  recommended: \(diagnosis.recommendedAction)")
    }

    private func describe(_ t: Ticket) {
        output.say("ticket \(t.name) (\(t.spec.severity.rawValue)): \(t.spec.summary)")
        for r in t.status.readings.prefix(4) {
            output.say("  reading \(r.name) = \(r.value.map { String(format: "%.2f", $0) } ?? "unknown") \(r.unit) (\(r.source))")
        }
    }

    private func describe(_ p: RemediationPlan) {
        output.say("plan \(p.name) (risk \(p.spec.risk.rawValue), revision \(p.spec.revision)): \(p.spec.reason)")
        for (i, step) in p.spec.steps.prefix(6).enumerated() {
            output.say("  \(i + 1). \(step.action.summary)")
        }
        if p.spec.steps.count > 6 { output.say("  … \(p.spec.steps.count - 6) more step(s)") }
    }

    /// Polls the store until `probe` returns a value; fails after `patience` with what was awaited.
    private func waitFor<T>(_ what: String, explain: () throws -> String = { "" }, _ probe: () throws -> T?) async throws -> T {
        output.waiting(what)
        let deadline = ContinuousClock.now + patience
        while ContinuousClock.now < deadline {
            if let v = try probe() { return v }
            try await Task.sleep(for: .milliseconds(200))
        }
        if let v = try probe() { return v }
        let why = try explain()
        throw Failure(description: "gave up waiting for \(what) after \(patience)" + (why.isEmpty ? "" : ": \(why)"))
    }
}
