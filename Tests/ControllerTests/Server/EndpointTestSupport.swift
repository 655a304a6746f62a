import Foundation
@testable import PDClient

/// A GET over loopback through the controller's own transport; nil when nothing answered.
func httpGet(_ url: String) async -> (status: Int, body: String)? {
    guard let target = URL(string: url) else { return nil }
    let limits = HTTPLimits.patient
    guard let response = try? await CurlTransport().send(HTTPRequest(url: target), limits: limits) else { return nil }
    return (response.head.status, String(decoding: response.body, as: UTF8.self))
}

/// The samples of a Prometheus text exposition, by metric name, with their label text; nil when
/// a line does not parse.
func parseExposition(_ text: String) -> [String: [(labels: String, value: Double)]]? {
    var out: [String: [(labels: String, value: Double)]] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { return nil }
        let series = line[..<space]
        let name: Substring
        let labels: Substring
        if let brace = series.firstIndex(of: "{") {
            guard series.hasSuffix("}") else { return nil }
            name = series[..<brace]
            labels = series[series.index(after: brace)..<series.index(before: series.endIndex)]
        } else {
            name = series
            labels = ""
        }
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }) else { return nil }
        out[String(name), default: []].append((String(labels), value))
    }
    return out
}
