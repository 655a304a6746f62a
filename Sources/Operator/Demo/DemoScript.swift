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
        try await slowStore(store: 2, factor: 20)
        try await diskFills(store: 3, toAvailablePercent: 15)
        try await storeFlaps(store: 4, periodSeconds: 120)
        // Last: it leaves five stores, and every other chapter starts from all six.
        try await storeDies(store: 6)
        output.headline("The end", "every fault was detected, explained by its ticket, fixed by an approved plan, and the fix was verified by observation")
    }

    // MARK: Chapters

    private func healthy() async throws {
        output.headline("Chapter 1 — a healthy cluster", "6 TiKV stores in 3 zones behind a PD-compatible API at \(env.pdURL); the controller observes it every second")
        let cluster = try await waitFor("the first complete observation") {
            try env.resources.get(TiKVClusterKind.self, env.clusterName).flatMap { $0.status.conditions.isTrue("Observed") ? $0 : nil }
        }
        let leaders = env.sim.withState { s in s.stores.indices.map { "\(s.stores[$0].id):\(s.storeStats[$0].leaderCount)" } }
        output.say("observed \(cluster.status.stores ?? 0) stores (\(cluster.status.storesUp ?? 0) Up), \(cluster.status.regions ?? 0) regions; leaders per store \(leaders.joined(separator: " "))")
        // The same metrics the controller reads, through an observer of the script's own.
        let probe = env.metricsProbe()
        let latencies = try await waitFor("a p99 latency for every store (\(env.prometheus == nil ? "two scrapes of /metrics" : "Prometheus's first scrapes"))") {
            () async throws -> [String]? in
            let observed = await probe.observeStores(now: env.now)
            let known = observed.stores.compactMap { s in s.metrics.p99Latency.value.map { "\(s.id):\(Int(($0 * 1000).rounded())) ms" } }
            return known.count == observed.stores.count && !known.isEmpty ? known : nil
        }
        output.say("p99 latency per store \(latencies.joined(separator: " ")), below the 500ms threshold")
    }

    private func leaderSkew(store id: UInt64) async throws {
        output.headline("Chapter 2 — leaders pile up on one store", "store \(id) takes the leadership of many regions (PD's own balancers are off in this demo, so the controller must act)")
        _ = try await inject(Fault(kind: .leaderSkew, store: id, factor: 0.5), "leader skew towards store \(id)")
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
        try await resolved(ticket, "the skew gone, verified by observation")
        output.say("ticket resolved; leaders per store now \(leaderCounts())")
        try await settled()
    }

    private func slowStore(store id: UInt64, factor: Double) async throws {
        output.headline("Chapter 3 — a slow store", "store \(id)'s disk turns \(Int(factor))× slower: its requests' p99 latency climbs past the 500ms threshold")
        let fault = try await inject(Fault(kind: .slow, store: id, factor: factor), "slow store \(id) (latency ×\(Int(factor)))")
        let (ticket, plan) = try await ticketAndPlan(invariant: "highLatency", store: id, concern: "evict-leaders-store-\(id)")
        try await approveAndFollow(plan)
        output.say("store \(id) serves no leaders now (leaders per store \(leaderCounts())): clients no longer wait on its disk")

        output.say("the disk is replaced: fault lifted, store \(id) is as fast as the others again")
        try env.revert(fault)
        output.say("an idle store has no latency to measure, so the ticket resolves on PD's slow score, TiKV's own disk probe, back at 1")
        try await resolved(ticket, "the highLatency ticket resolved by observation")
        try await evictionRemoved(store: id)
    }

    private func diskFills(store id: UInt64, toAvailablePercent percent: Double) async throws {
        output.headline("Chapter 4 — a disk fills up", "something else writes to store \(id)'s disk until only \(Int(percent)) % is free, below PD's 20 % low-space line")
        let fault = try await inject(Fault(kind: .diskFill, store: id, factor: percent), "disk of store \(id) filled to \(Int(percent)) % free")
        let (ticket, plan) = try await ticketAndPlan(invariant: "lowSpace", store: id, concern: "move-regions-store-\(id)")
        try await approveAndFollow(plan)
        try await resolved(ticket, "the lowSpace ticket resolved by observation")
        output.say("store \(id) has \(availablePercent(id)) free after the moves")
        output.say("the stray files are deleted: fault lifted, the space they took is free again")
        try env.revert(fault)
        try await settled()
    }

    private func storeFlaps(store id: UInt64, periodSeconds: Int64) async throws {
        output.headline("Chapter 5 — a flapping store", "store \(id)'s TiKV restarts every \(periodSeconds) s (simulated): down for half of each cycle, up for the other")
        let fault = try await inject(Fault(kind: .flapping, store: id, periodSeconds: periodSeconds), "store \(id) flaps")
        let (ticket, plan) = try await ticketAndPlan(invariant: "storeFlapping", store: id, concern: "evict-leaders-store-\(id)")
        try await approveAndFollow(plan)
        output.say("store \(id) leads nothing while it flaps (leaders per store \(leaderCounts()))")
        output.say("the crash is fixed: fault lifted; the ticket resolves once the store stays up for the flapping window (5 min simulated)")
        try env.revert(fault)
        try await resolved(ticket, "the storeFlapping ticket resolved by observation")
        try await evictionRemoved(store: id)
    }

    private func storeDies(store id: UInt64) async throws {
        output.headline("Chapter 6 — a store dies", "the TiKV process of store \(id) is killed: no more heartbeats")
        _ = try await inject(Fault(kind: .kill, store: id), "kill store \(id)")
        let ticket = try await waitFor("a storeDown ticket for store \(id)") {
            try env.resources.list(TicketKind.self).first { $0.spec.subject == "store/\(id)" && $0.spec.invariant == "storeDown" && $0.status.state == .open }
        }
        describe(ticket)
        try await explain(ticket)
        let plan = try await waitFor("a plan for the ticket") {
            try env.resources.list(RemediationPlanKind.self).first { $0.spec.ticket == ticket.name && !$0.status.phase.isTerminal }
        }
        describe(plan)
        try await approveAndFollow(plan)
        try await resolved(ticket, "the ticket resolved by observation")
        output.say("ticket \(ticket.name) resolved: store \(id) is Tombstone and its replicas live on the other stores")
    }

    // MARK: Steps shared by chapters

    /// The countdown (none with `--auto`), then the fault, said as it lands; returns its id to lift it later.
    private func inject(_ fault: Fault, _ what: String) async throws -> UInt64 {
        await output.countdown(auto ? 0 : 3)
        let id = try env.inject(fault)
        output.say("fault injected: \(what)")
        return id
    }

    /// After a fixed store's ticket resolves, the eviction no longer mitigates anything: the leftover-scheduler
    /// playbook removes it (low risk, no person) and the balance plan gives the leaders back.
    private func evictionRemoved(store id: UInt64) async throws {
        let cleanup = try await waitFor("the plan removing store \(id)'s evict-leader scheduler") {
            try env.resources.list(RemediationPlanKind.self).last { $0.spec.concern == "remove-evict-leader-store-\(id)" }
        }
        describe(cleanup)
        try await approveAndFollow(cleanup)
        try await settled()
        output.say("store \(id) leads again (leaders per store \(leaderCounts())); no eviction is left behind")
    }

    /// Waits for the chapter's ticket on the store (printed with its diagnosis) and the playbook's plan for it.
    private func ticketAndPlan(invariant: String, store id: UInt64, concern: String) async throws -> (Ticket, RemediationPlan) {
        let ticket = try await waitFor("a \(invariant) ticket for store \(id)") {
            try env.resources.list(TicketKind.self).first { $0.spec.subject == "store/\(id)" && $0.spec.invariant == invariant && $0.status.state == .open }
        }
        describe(ticket)
        try await explain(ticket)
        let plan = try await waitFor("the \(concern) plan") {
            try env.resources.list(RemediationPlanKind.self).first { $0.spec.concern == concern && !$0.status.phase.isTerminal }
        }
        describe(plan)
        return (ticket, plan)
    }

    private func resolved(_ ticket: Ticket, _ what: String) async throws {
        _ = try await waitFor(what, explain: { try ticketState(ticket.name) }) {
            try env.resources.get(TicketKind.self, ticket.name).flatMap { $0.status.state == .resolved ? $0 : nil }
        }
    }

    /// The next chapter starts from a recovered cluster: no ticket open or pending and no plan in flight.
    /// Plans the policy runs by itself (a rebalance after the fix) are followed here; one that needs a
    /// person fails the wait rather than being approved behind the reader's back.
    private func settled() async throws {
        var followed = Set<String>()
        let deadline = ContinuousClock.now + patience
        output.waiting("the cluster to settle: no open ticket, no plan in flight")
        while ContinuousClock.now < deadline {
            let plans = try env.resources.list(RemediationPlanKind.self).filter { !$0.status.phase.isTerminal && !$0.spec.steps.isEmpty }
            if let next = plans.first(where: { !followed.contains($0.name) }),
               ApprovalEvaluator.required(for: next.spec, policy: try clusterPolicy()) == 0 {
                followed.insert(next.name)
                describe(next)
                try await approveAndFollow(next)
                continue
            }
            let open = try env.resources.list(TicketKind.self).filter { $0.status.state != .resolved }
            if open.isEmpty && plans.isEmpty {
                output.say("settled: every ticket resolved, no plan in flight")
                return
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        let open = try env.resources.list(TicketKind.self).filter { $0.status.state != .resolved }.map { "\($0.name) (\($0.status.state.rawValue))" }
        let plans = try env.resources.list(RemediationPlanKind.self).filter { !$0.status.phase.isTerminal }.map { "\($0.name) (\($0.status.phase.rawValue))" }
        throw Failure(description: "gave up waiting for the cluster to settle after \(patience): tickets \(open), plans \(plans)")
    }

    private func ticketState(_ name: String) throws -> String {
        guard let t = try env.resources.get(TicketKind.self, name) else { return "ticket \(name) is gone" }
        return "ticket \(name) is \(t.status.state.rawValue): " + t.status.readings.prefix(4)
            .map { "\($0.name)=\($0.value.map { String(format: "%.3g", $0) } ?? "unknown")" }.joined(separator: " ")
    }

    private func leaderCounts() -> String {
        env.sim.withState { s in s.stores.indices.filter { s.stores[$0].state != .tombstone }.map { "\(s.stores[$0].id):\(s.storeStats[$0].leaderCount)" } }
            .joined(separator: " ")
    }

    private func availablePercent(_ id: UInt64) -> String {
        env.sim.withState { s in
            guard let i = s.stores.firstIndex(where: { $0.id == id }), s.stores[i].capacityBytes > 0 else { return "unknown" }
            return String(format: "%.1f %%", Double(s.stores[i].availableBytes) / Double(s.stores[i].capacityBytes) * 100)
        }
    }

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
            // Read on a thread of its own (a blocking read must not hold a task thread); the wait ends with the line or
            // when Ctrl-C cancels the chapters.
            let (enter, pressed) = AsyncStream<Void>.makeStream()
            Thread.detachNewThread { _ = readLine(); pressed.yield(); pressed.finish() }
            for await _ in enter { break }
            try Task.checkCancellation()
            try env.approve(plan, as: DemoEnvironment.keyboardApprover)
            output.say("approved by \(DemoEnvironment.keyboardApprover) at revision \(plan.spec.revision)")
        }
        var reported = Set<String>()
        // A plan of a few steps is narrated step by step; a long one (a rebalance) a line per batch.
        let stepByStep = plan.spec.steps.count <= 6
        let done = try await waitFor("plan \(plan.name) to succeed", explain: { try planState(plan.name) }) { () -> RemediationPlan? in
            guard let p = try env.resources.get(RemediationPlanKind.self, plan.name) else { return nil }
            var started: [Int] = [], finished: [Int] = []
            for (i, s) in p.status.steps.enumerated() where s.phase != .pending && i < p.spec.steps.count {
                guard reported.insert("\(i)-\(s.phase.rawValue)").inserted else { continue }
                let what = p.spec.steps[i].action.summary
                switch s.phase {
                case .running:
                    started.append(i)
                    if stepByStep { output.say("  step \(i + 1)/\(p.spec.steps.count) running: \(what)" + (s.pdRequest.map { " — \($0)" } ?? "")) }
                case .succeeded, .skipped:
                    finished.append(i)
                    if stepByStep { output.say("  step \(i + 1)/\(p.spec.steps.count) done: \(s.observedEffect ?? what)") }
                case .failed: output.say("  step \(i + 1)/\(p.spec.steps.count) failed: \(s.lastError ?? "")")
                case .pending: break
                }
            }
            if !stepByStep, let first = started.first, let last = started.last {
                let request = p.status.steps[first].pdRequest.map { " — \($0)" } ?? ""
                output.say("  steps \(first + 1)–\(last + 1) of \(p.spec.steps.count) running\(p.spec.steps[first].batch.map { " (batch \($0))" } ?? ""), e.g. \(p.spec.steps[first].action.summary)\(request)")
            }
            if !stepByStep, let last = finished.last {
                let total = p.status.steps.filter { $0.phase == .succeeded || $0.phase == .skipped }.count
                output.say("  \(total)/\(p.spec.steps.count) steps done, each verified by observation (e.g. \(p.status.steps[last].observedEffect ?? p.spec.steps[last].action.summary))")
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
    private func waitFor<T>(_ what: String, explain: () throws -> String = { "" }, _ probe: () async throws -> T?) async throws -> T {
        output.waiting(what)
        let deadline = ContinuousClock.now + patience
        while ContinuousClock.now < deadline {
            if let v = try await probe() { return v }
            try await Task.sleep(for: .milliseconds(200))
        }
        if let v = try await probe() { return v }
        let why = try explain()
        throw Failure(description: "gave up waiting for \(what) after \(patience)" + (why.isEmpty ? "" : ": \(why)"))
    }
}
