import ArgumentParser
import Foundation
import Reconcilers

struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "List objects from the status store.",
        discussion: """
            KIND is one of tikvclusters (tc), storemaintenances (sm), approvals, tickets, remediationplans (plans), events.
            Examples: operator get plans; operator get plan/balance-leaders-basic -o yaml
            """
    )

    @Argument(help: "KIND, KIND/NAME, or KIND NAME.") var kind: String
    @Argument(help: "Object name.") var name: String?
    @Option(name: .shortAndLong, help: "Output format: table, wide, json, yaml, name.") var output: OutputFormat = .table
    @OptionGroup var store: StoreOptions

    func run() throws {
        let (kindText, name) = try splitReference(kind, self.name)
        let s = try store.openClient()
        print(try Self.render(kindText: kindText, name: name, format: output, store: s, now: Date()), terminator: "")
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
            var counts: [String: Int] = [:]
            for plan in p {
                let records = try store.approvals(plan: plan.name)
                counts[plan.name] = Set(records.filter { $0.revision == plan.spec.revision && $0.decision == .approve }.map(\.approver)).count
            }
            return ResourceTables.plans(p, approvals: counts, wide: wide, now: now)
        default:
            return ""
        }
    }
}
