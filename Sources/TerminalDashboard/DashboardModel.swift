import Foundation
import OperatorStore
import PDWire
import Reconcilers

/// One refresh's worth of reads: the store's objects, approvals and events, and PD's store list.
package struct DashboardData: Sendable {
    var cluster: String
    var mode: String?
    package var stores: [StoreSnapshot] = []
    /// Why the store list is missing or partial ("PD unreachable: …"); nil when it was observed.
    package var observationProblem: String?
    package var tickets: [Ticket] = []
    package var plans: [RemediationPlan] = []
    package var approvals: [ApprovalRecord] = []
    package var events: [EventRecord] = []
    /// The demo's latest timeline lines, when the dashboard runs inside `operator demo`.
    package var narration: [String] = []
    package var now: Date

    package init(cluster: String, mode: String? = nil, now: Date) {
        self.cluster = cluster
        self.mode = mode
        self.now = now
    }
}

/// Cluster-wide QPS (sum over stores) and p99 (worst store) over the last `capacity` refreshes,
/// plus each store's QPS; an unknown reading is kept as nil so a gap shows as a gap.
package struct WorkloadHistory: Sendable, Equatable {
    var capacity: Int
    private(set) var qps: [Double?] = []
    private(set) var p99: [Double?] = []
    private(set) var storeQPS: [UInt64: [Double?]] = [:]

    init(capacity: Int = 60) { self.capacity = max(1, capacity) }

    mutating func record(_ stores: [StoreSnapshot]) {
        let known = stores.compactMap(\.metrics.qps.value)
        Self.push(known.isEmpty ? nil : known.reduce(0, +), into: &qps, capacity)
        Self.push(stores.compactMap(\.metrics.p99Latency.value).max(), into: &p99, capacity)
        for store in stores { Self.push(store.metrics.qps.value, into: &storeQPS[store.id, default: []], capacity) }
        let present = Set(stores.map(\.id))
        storeQPS = storeQPS.filter { present.contains($0.key) }
    }

    private static func push(_ value: Double?, into series: inout [Double?], _ capacity: Int) {
        series.append(value)
        if series.count > capacity { series.removeFirst(series.count - capacity) }
    }
}

/// The dashboard's state, pure: what was read, what is selected, what is being confirmed.
/// Key presses turn into commands (quit, record a decision) that the loop carries out.
package struct DashboardModel: Sendable {
    /// A selectable row: plans first (what needs a person), then tickets.
    enum Item: Hashable, Sendable {
        case plan(String)
        case ticket(String)
    }

    /// A decision waiting for `y`: bound to the revision the person saw.
    package struct Confirmation: Equatable, Sendable {
        package var plan: String
        package var revision: String
        package var decision: ApprovalRecord.Decision
    }

    package enum Command: Equatable, Sendable {
        case none
        case quit
        case decide(Confirmation)
    }

    private(set) var data: DashboardData
    private(set) var history: WorkloadHistory
    private(set) var selection: Item?
    private(set) var confirming: Confirmation?
    /// The last outcome shown in the footer ("plan/x approved …", an error).
    package var message: String?

    package init(data: DashboardData, historyLength: Int = 60) {
        self.data = data
        self.history = WorkloadHistory(capacity: historyLength)
        self.data.plans = Self.ordered(data.plans)
        self.data.tickets = Self.ordered(data.tickets)
        history.record(data.stores)
        selection = Self.initialSelection(self.data, items: items)
    }

    /// Takes a refresh: orders plans and tickets, keeps the selection by name (or moves to the first
    /// item when the selected one is gone), and appends the workload sample.
    package mutating func update(_ fresh: DashboardData) {
        let known = Set(data.plans.map(\.name))
        data = fresh
        data.plans = Self.ordered(fresh.plans)
        data.tickets = Self.ordered(fresh.tickets)
        history.record(fresh.stores)
        // A plan that newly waits for a person takes the selection unless one waiting is already selected.
        if confirming == nil, selectedPlan?.status.phase != .pending,
           let arrived = data.plans.first(where: { $0.status.phase == .pending && !known.contains($0.name) }) {
            selection = .plan(arrived.name)
            return
        }
        if let s = selection, items.contains(s) { return }
        selection = Self.initialSelection(data, items: items)
        if let c = confirming, selection != .plan(c.plan) { confirming = nil }
    }

    /// Every selectable row in display order.
    var items: [Item] { data.plans.map { .plan($0.name) } + data.tickets.map { .ticket($0.name) } }

    var selectedPlan: RemediationPlan? {
        guard case .plan(let name) = selection else { return nil }
        return data.plans.first { $0.name == name }
    }

    var selectedTicket: Ticket? {
        guard case .ticket(let name) = selection else { return nil }
        return data.tickets.first { $0.name == name }
    }

    /// Approvals and rejections recorded for the plan's current revision.
    func decisions(for plan: RemediationPlan) -> [ApprovalRecord] {
        data.approvals.filter { $0.plan == plan.name && $0.revision == plan.spec.revision }
    }

    package mutating func handle(_ key: Terminal.Key) -> Command {
        if key == .interrupt { return .quit }
        if let pending = confirming {
            confirming = nil
            if key == .character("y") || key == .character("Y") { return .decide(pending) }
            message = "plan/\(pending.plan): \(pending.decision == .approve ? "approval" : "rejection") cancelled"
            return .none
        }
        switch key {
        case .up, .character("k"): move(by: -1)
        case .down, .character("j"): move(by: 1)
        case .character("q"), .character("Q"): return .quit
        case .character("a"): ask(.approve)
        case .character("r"): ask(.reject)
        default: break
        }
        return .none
    }

    private mutating func move(by step: Int) {
        let all = items
        guard !all.isEmpty else { selection = nil; return }
        guard let current = selection, let index = all.firstIndex(of: current) else { selection = all.first; return }
        selection = all[min(max(index + step, 0), all.count - 1)]
    }

    private mutating func ask(_ decision: ApprovalRecord.Decision) {
        guard let plan = selectedPlan else {
            message = "select a plan to \(decision.rawValue) (↑/↓ or j/k)"
            return
        }
        guard !plan.status.phase.isTerminal else {
            message = "plan/\(plan.name) is \(plan.status.phase.rawValue); there is nothing left to decide"
            return
        }
        message = nil
        confirming = Confirmation(plan: plan.name, revision: plan.spec.revision, decision: decision)
    }

    // MARK: Ordering

    /// Plans a person can still act on first (oldest first: the queue), then finished ones, newest first.
    static func ordered(_ plans: [RemediationPlan]) -> [RemediationPlan] {
        let open = plans.filter { !$0.status.phase.isTerminal }.sorted { created($0.metadata) < created($1.metadata) }
        let done = plans.filter { $0.status.phase.isTerminal }.sorted { created($0.metadata) > created($1.metadata) }
        return open + done
    }

    /// Open tickets by severity, then pending, then resolved (most recent first).
    static func ordered(_ tickets: [Ticket]) -> [Ticket] {
        func rank(_ t: Ticket) -> Int {
            switch t.status.state {
            case .open: 0
            case .pending: 1
            case .resolved: 2
            }
        }
        return tickets.sorted { a, b in
            if rank(a) != rank(b) { return rank(a) < rank(b) }
            if a.spec.severity != b.spec.severity { return a.spec.severity > b.spec.severity }
            return (a.status.lastSeen ?? .distantPast) > (b.status.lastSeen ?? .distantPast)
        }
    }

    private static func created(_ meta: ObjectMeta) -> Date { meta.creationTimestamp ?? .distantPast }

    /// The first plan waiting for a person, else the first row.
    private static func initialSelection(_ data: DashboardData, items: [Item]) -> Item? {
        if let waiting = data.plans.first(where: { $0.status.phase == .pending }) { return .plan(waiting.name) }
        return items.first
    }
}
