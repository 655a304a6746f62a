import ArgumentParser
import ControllerRuntime
import Foundation
import ModelDiagnosis
import OperatorStore
import PDClient
import Reconcilers
import TiKVObservation

/// `operator diagnose ticket/NAME`: one diagnosis on demand with the cluster's configured provider,
/// printed and not stored. With the rules provider it needs nothing beyond PD and Prometheus.
struct DiagnoseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagnose",
        abstract: "Diagnose a ticket now with the cluster's provider and print the result (read-only)."
    )

    @Argument(help: "ticket/NAME or ticket NAME.") var kind: String
    @Argument(help: "Ticket name.") var name: String?
    @Option(name: .shortAndLong, help: "Output format: table (a report), json, yaml.") var output: OutputFormat = .table
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let (kindText, name) = try splitReference(kind, self.name)
        guard let name, resolveKind(kindText) == TicketKind.self else { throw ValidationError("diagnose needs ticket/NAME") }
        let resources = ResourceStore(store: try store.openClient())
        guard let ticket = try resources.get(TicketKind.self, name) else { throw CLIError.failure("tickets \"\(name)\" not found") }
        guard let cluster = try resources.get(TiKVClusterKind.self, ticket.spec.cluster) else {
            throw CLIError.failure("the ticket's cluster \"\(ticket.spec.cluster)\" is not in the store")
        }
        let diagnosis = try await Self.diagnose(ticket, cluster: cluster, resources: resources, now: Date())
        switch output {
        case .json: print(try Render.json(diagnosis))
        case .yaml: print(try Render.yaml(diagnosis), terminator: "")
        default: printForPeople(DiagnosisReport.render(diagnosis, now: Date()), terminator: "")
        }
    }

    /// Observes the cluster afresh, builds the ticket's context and runs the configured provider once.
    static func diagnose(_ ticket: Ticket, cluster: TiKVCluster, resources: ResourceStore, now: Date,
                         transport: any HTTPTransport = CurlTransport()) async throws -> Diagnosis {
        let observer = ClusterObserver(spec: cluster.spec, transport: transport)
        let snapshot = await observer.observe(cluster: cluster.name, regions: .none, now: now)
        let tickets = try resources.list(TicketKind.self).filter { $0.spec.cluster == cluster.name }
        let plans = try resources.list(RemediationPlanKind.self).filter { $0.spec.cluster == cluster.name }
        let history = await DiagnosisHistory.fetch(observer.prometheus, snapshot: snapshot, subject: ticket.spec.subject, now: now)
        var input = DiagnosisContextBuilder.Input(
            ticket: ticket, cluster: cluster, snapshot: snapshot,
            maintenances: try resources.list(StoreMaintenanceKind.self).filter { $0.spec.cluster == cluster.name },
            history: history.series, events: DiagnosisRunner.events(resources.store, tickets: tickets, plans: plans, cluster: cluster.name),
            plans: plans, tickets: tickets)
        input.historyNotes = history.notes
        let provider = try DiagnosisProviders.make(cluster.spec.diagnosis, budget: CallBudget(perHour: cluster.spec.diagnosis.maxCallsPerHour),
                                                   transport: transport)
        return try await provider.diagnose(DiagnosisContextBuilder.build(input), now: now)
    }
}
