/// One metric value for one subject. Missing data is never read as healthy: "no series" and
/// "query failed" are their own cases, distinct from a number.
public enum MetricReading: Sendable, Hashable {
    case value(Double)
    /// Prometheus answered but had no series for this subject (not scraped, wrong labels, PD too old).
    case noSeries
    /// The series exists but its value is NaN (e.g. a quantile over no traffic).
    case notANumber
    /// The query itself failed, or no Prometheus is configured.
    case failed(String)

    public var value: Double? {
        if case .value(let v) = self { return v }
        return nil
    }

    public var isKnown: Bool { value != nil }
}
