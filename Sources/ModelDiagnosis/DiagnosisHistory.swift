import Foundation
import PDWire
import Reconcilers
import TiKVObservation

/// The recent history a diagnosis reads: range queries over the last 30 minutes for the ticket's
/// store (p99 latency, QPS, scrape health), one point a minute.
package enum DiagnosisHistory {
    static let window: TimeInterval = 30 * 60
    static let step: Duration = .seconds(60)

    package static func fetch(_ prometheus: PrometheusClient?, snapshot: ClusterSnapshot, subject: String, now: Date) async
        -> (series: [DiagnosisContext.Series], notes: [String])
    {
        guard let prometheus else { return ([], ["history: no Prometheus configured, no metric history"]) }
        guard let id = HealthSubject.storeID(of: subject) else { return ([], []) }
        let matcher = StoreSeriesMatcher(stores: snapshot.stores.map { MetaStore(id: $0.id, address: $0.address, statusAddress: $0.statusAddress) })
        var series: [DiagnosisContext.Series] = []
        var notes: [String] = []
        for (name, query) in [("p99Latency", PromQLCatalogue.grpcP99Latency()), ("qps", PromQLCatalogue.qps()), ("up", PromQLCatalogue.tikvUp())] {
            do {
                let answer = try await prometheus.queryRange(query.expr, start: now.addingTimeInterval(-window), end: now, step: step)
                guard case .matrix(let all) = answer.result else { continue }
                guard let mine = all.first(where: { matcher.storeID(for: $0.labels, key: query.key) == id }) else {
                    notes.append("history \(name)/\(subject): no series in the last \(Int(window / 60)) minutes")
                    continue
                }
                series.append(DiagnosisContext.Series(
                    name: name, subject: subject, unit: query.unit,
                    points: mine.points.filter { !$0.value.isNaN }.map { [(($0.time - now.timeIntervalSince1970) * 10).rounded() / 10, $0.value] }))
            } catch {
                notes.append("history \(name)/\(subject): range query failed: \(DiagnosisContextBuilder.quote(error.description))")
            }
        }
        return (series, notes)
    }
}
