/// Where a snapshot's store metrics came from: Prometheus, or the stores' `/metrics` scraped by the
/// controller itself (no Prometheus configured but an exposition endpoint given, as in the demo).
/// Readings and diagnoses name it, so nobody goes looking for a Prometheus that does not exist.
public enum MetricsOrigin: String, Codable, Sendable, Hashable {
    case prometheus
    case metricsEndpoint = "metrics-endpoint"

    /// A reading's source prefix: `prometheus:<query>` or `metrics:<name>`.
    public var readingPrefix: String { self == .prometheus ? "prometheus" : "metrics" }

    /// Who scrapes the stores, to begin a sentence.
    public var scraper: String { self == .prometheus ? "Prometheus" : "The controller's own /metrics scraper" }
}
