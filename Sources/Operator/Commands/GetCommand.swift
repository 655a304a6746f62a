import ArgumentParser
import ControllerRuntime
import Foundation
import OperatorStore
import PDClient
import PDWire
import Reconcilers
import TiKVObservation

struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "List objects from the status store, or live stores, regions, hot regions and PD members.",
        discussion: """
            KIND is one of tikvclusters (tc), storemaintenances (sm), approvals, tickets, remediationplans (plans), events;
            or, read live from PD (needs --pd): stores, regions, hot, members.
            Examples: operator get plans; operator get plan/balance-leaders-basic -o yaml;
            operator get stores --pd http://127.0.0.1:2379 --prometheus http://127.0.0.1:9090 -o wide;
            operator get regions --pd http://127.0.0.1:2379 --store 4 --limit 20
            """
    )

    @Argument(help: "KIND, KIND/NAME, or KIND NAME.") var kind: String
    @Argument(help: "Object name.") var name: String?
    @Option(name: .shortAndLong, help: "Output format: table, wide, json, yaml, name.") var output: OutputFormat = .table
    @OptionGroup var store: StoreOptions
    @OptionGroup var live: LiveOptions

    func run() async throws {
        let (kindText, name) = try splitReference(kind, self.name)
        if let liveKind = LiveKind(kindText) {
            let text = try await Self.renderLive(liveKind, name: name, format: output, options: live, now: Date())
            output.isExact ? print(text, terminator: "") : printForPeople(text, terminator: "")
            return
        }
        let s = try store.openClient()
        let text = try Self.render(kindText: kindText, name: name, format: output, store: s, now: Date())
        output.isExact ? print(text, terminator: "") : printForPeople(text, terminator: "")
    }

    static func render(kindText: String, name: String?, format: OutputFormat, store: StatusStore, now: Date) throws -> String {
        if ["events", "event", "ev"].contains(kindText.lowercased()) {
            let events = try store.recentEvents(limit: 500)
            return ResourceTables.events(events, now: now) + "\n"
        }
        guard let kind = resolveKind(kindText) else {
            throw CLIError.failure("unknown kind \"\(kindText)\": use tikvclusters, storemaintenances, approvals, tickets, remediationplans or events")
        }
        return try render(kind, name: name, format: format, store: store, now: now)
    }

    static func render<K: APIKind>(_ kind: K.Type, name: String?, format: OutputFormat, store: StatusStore, now: Date) throws -> String {
        let typed = ResourceStore(store: store)
        var items: [Resource<K>]
        if let name {
            guard let one = try typed.get(K.self, name) else {
                throw CLIError.failure("\(K.plural) \"\(name)\" not found")
            }
            items = [one]
        } else {
            items = try typed.list(K.self)
        }
        switch format {
        case .json, .yaml:
            if name != nil, let one = items.first { return try format == .json ? Render.json(one) + "\n" : Render.yaml(one) }
            return try Render.list(items, format: format) + (format == .json ? "\n" : "")
        case .name:
            return items.map { "\(K.kind.lowercased())/\($0.name)\n" }.joined()
        case .table, .wide:
            if items.isEmpty { return "No \(K.plural) found.\n" }
            return try table(items, wide: format == .wide, store: store, now: now) + "\n"
        }
    }

    static func table<K: APIKind>(_ items: [Resource<K>], wide: Bool, store: StatusStore, now: Date) throws -> String {
        switch items {
        case let c as [TiKVCluster]: return ResourceTables.tikvClusters(c, wide: wide, now: now)
        case let m as [StoreMaintenance]: return ResourceTables.storeMaintenances(m, wide: wide, now: now)
        case let a as [Approval]: return ResourceTables.approvals(a, wide: wide, now: now)
        case let t as [Ticket]: return ResourceTables.tickets(t, wide: wide, now: now)
        case let p as [RemediationPlan]:
            return ResourceTables.plans(p, approvals: try Self.approvalCounts(p, store: store), wide: wide, now: now)
        default:
            return ""
        }
    }
}

/// Where the live views read from.
struct LiveOptions: ParsableArguments {
    @Option(name: .customLong("pd"), help: "A PD client URL for the live kinds (repeat for several members).") var pd: [String] = []
    @Option(help: "Prometheus URL, for the stores view's latency and QPS.") var prometheus: String?
    @Option(name: .customLong("store"), help: "regions: only regions with a peer on this store.") var storeID: UInt64?
    @Option(help: "regions: at most this many (0: all).") var limit: Int = 100
    @Option(help: "Seconds to wait for each answer.") var timeout: Int = 10
    @Option(name: .customLong("tls-ca"), help: "https PD: the CA file (default: the system's CAs).") var tlsCA: String?
    @Option(name: .customLong("tls-cert"), help: "https PD: the client certificate (with --tls-key).") var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "https PD: the client key.") var tlsKey: String?

    /// The TLS files given on the command line, as a spec's `pd.tls` would name them.
    var tls: TLSFiles? {
        tlsCA == nil && tlsCert == nil && tlsKey == nil ? nil : TLSFiles(caFile: tlsCA, certFile: tlsCert, keyFile: tlsKey)
    }
}

/// The kinds read live from PD rather than from the status store.
enum LiveKind: String, Sendable {
    case stores, regions, hot, members

    init?(_ text: String) {
        switch text.lowercased() {
        case "stores", "store": self = .stores
        case "regions", "region": self = .regions
        case "hot", "hotregions", "hot-regions": self = .hot
        case "members", "member", "pd": self = .members
        default: return nil
        }
    }
}

extension GetCommand {
    /// Reads one live view from PD (and Prometheus for stores). PD unreachable is one clear error.
    static func renderLive(_ kind: LiveKind, name: String?, format: OutputFormat, options: LiveOptions, now: Date) async throws -> String {
        guard !options.pd.isEmpty else {
            throw CLIError.failure("`get \(kind.rawValue)` reads a live cluster: pass --pd URL (e.g. --pd http://127.0.0.1:2379)")
        }
        for url in options.pd + [options.prometheus].compactMap({ $0 }) {
            guard let u = URL(string: url), u.scheme == "http" || u.scheme == "https", u.host != nil else {
                throw CLIError.failure("\"\(url)\" is not an http(s) URL")
            }
        }
        guard (options.tlsCert == nil) == (options.tlsKey == nil) else {
            throw CLIError.failure("--tls-cert and --tls-key go together: a client certificate needs its key")
        }
        let timeout = GoDuration.seconds(Int64(max(1, options.timeout)))
        let observer = ClusterObserver(pd: PDEndpoint(urls: options.pd, timeout: timeout, tls: options.tls),
                                       prometheus: options.prometheus.map { PrometheusEndpoint(url: $0, timeout: timeout) },
                                       retry: RetryBackoff(maxAttempts: 2))
        let pdText = options.pd.joined(separator: ", ")
        // One deadline for the read, as a pass has: a hung PD costs about one timeout, not every retry.
        let budget = LiveReadBudget(pdTimeout: timeout, metricsTimeout: timeout)
        switch kind {
        case .stores:
            let (stores, state, metricsState) = await budget.stores { await observer.observeStores(now: now) }
            if case .failed(let reason) = state { throw budget.failure("stores", pd: pdText, reason) }
            var selected = stores
            if let name {
                guard let id = UInt64(name), let one = stores.first(where: { $0.id == id }) else {
                    throw CLIError.failure("store \"\(name)\" not found")
                }
                selected = [one]
            }
            if case .failed(let reason) = metricsState { printError("warning: metrics unavailable: \(reason)") }
            return try output(selected.map { LiveTables.storeRow($0, now: now) }, format: format, named: { "store/\($0.id)" }) {
                LiveTables.stores(selected, wide: format == .wide, now: now)
            }
        case .regions:
            let regions = try await budget.regionList {
                try await liveRegions(observer.pd, name: name, store: options.storeID, limit: options.limit, pdText: pdText, budget: budget)
            }
            return try output(regions.map(LiveTables.regionRow), format: format, named: { "region/\($0.id)" }) {
                LiveTables.regions(regions, wide: format == .wide)
            }
        case .hot:
            let hot = await budget.reads { await observer.observeHotspot() }
            if case .failed(let reason) = hot.state { throw budget.failure("hot regions", pd: pdText, reason) }
            return try output(hot.regions.map(LiveTables.hotRow), format: format, named: { "region/\($0.region)" }) {
                LiveTables.hot(hot.regions, wide: format == .wide)
            }
        case .members:
            let m = await budget.reads { await observer.observeMembers() }
            if case .failed(let reason) = m.state { throw budget.failure("members", pd: pdText, reason) }
            return try output(m.members.map(LiveTables.memberRow), format: format, named: { "member/\($0.name)" }) {
                LiveTables.members(m.members)
            }
        }
    }

    /// One region by id, the regions of one store, or the first `limit` regions in key order.
    static func liveRegions(_ pd: PDClient, name: String?, store: UInt64?, limit: Int, pdText: String,
                            budget: LiveReadBudget) async throws -> [RegionInfo] {
        do {
            if let name {
                guard let id = UInt64(name) else { throw CLIError.failure("region id \"\(name)\" is not a number") }
                return [try await pd.region(id: id)]
            }
            var out: [RegionInfo] = []
            let wanted = limit > 0 ? limit : Int.max
            if let store {
                for try await r in pd.regions(onStore: store) {
                    out.append(r)
                    if out.count >= wanted { break }
                }
            } else {
                pages: for try await page in pd.regionPages(pageSize: min(wanted, 1024)) {
                    for r in page {
                        out.append(r)
                        if out.count >= wanted { break pages }
                    }
                }
            }
            return out
        } catch let e as CLIError {
            throw e
        } catch {
            throw budget.failure("regions", pd: pdText, "\(error)")
        }
    }

    /// Table, wide, JSON (a kubectl `List`), YAML documents, or `kind/name` lines.
    static func output<Row: Encodable>(_ rows: [Row], format: OutputFormat, named: (Row) -> String, table: () -> String) throws -> String {
        switch format {
        case .json: return try Render.json(ObjectList(items: rows)) + "\n"
        case .yaml: return try Render.list(rows, format: .yaml)
        case .name: return rows.map { named($0) + "\n" }.joined()
        case .table, .wide: return rows.isEmpty ? "No resources found.\n" : table() + "\n"
        }
    }

    /// Per plan, the people who approved its current revision and were not refused (a bad signature, an unknown key
    /// approves nothing). The controller's `Approved` condition is the authority; this is the table's count.
    static func approvalCounts(_ plans: [RemediationPlan], store: StatusStore) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for plan in plans {
            let records = try store.approvals(plan: plan.name)
            counts[plan.name] = Set(records.filter { $0.revision == plan.spec.revision && $0.decision == .approve && $0.refusal == nil }
                .map(\.approver)).count
        }
        return counts
    }
}
