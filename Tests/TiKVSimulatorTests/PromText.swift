import Foundation

/// A small Prometheus text-format (0.0.4) parser for tests: samples with their labels, comments skipped.
struct PromSample: Equatable {
    var name: String
    var labels: [String: String]
    var value: Double
}

enum PromTextError: Error { case malformed(String) }

struct PromText {
    var samples: [PromSample] = []

    init(_ text: String) throws {
        for raw in text.split(separator: "\n") {
            let line = Substring(raw)
            if line.isEmpty || line.hasPrefix("#") { continue }
            samples.append(try Self.parse(line))
        }
    }

    static func parse(_ line: Substring) throws -> PromSample {
        var i = line.startIndex
        while i < line.endIndex, line[i] != "{", line[i] != " " { i = line.index(after: i) }
        let name = String(line[line.startIndex..<i])
        guard !name.isEmpty else { throw PromTextError.malformed(String(line)) }
        var labels: [String: String] = [:]
        if i < line.endIndex, line[i] == "{" {
            i = line.index(after: i)
            while i < line.endIndex, line[i] != "}" {
                guard let eq = line[i...].firstIndex(of: "=") else { throw PromTextError.malformed(String(line)) }
                let key = String(line[i..<eq]).trimmingCharacters(in: CharacterSet(charactersIn: ", "))
                var j = line.index(after: eq)
                guard j < line.endIndex, line[j] == "\"" else { throw PromTextError.malformed(String(line)) }
                j = line.index(after: j)
                var value = ""
                while j < line.endIndex, line[j] != "\"" {
                    if line[j] == "\\" {
                        j = line.index(after: j)
                        guard j < line.endIndex else { throw PromTextError.malformed(String(line)) }
                        value.append(line[j] == "n" ? "\n" : line[j])
                    } else {
                        value.append(line[j])
                    }
                    j = line.index(after: j)
                }
                guard j < line.endIndex else { throw PromTextError.malformed(String(line)) }
                labels[key] = value
                i = line.index(after: j)
                if i < line.endIndex, line[i] == "," { i = line.index(after: i) }
            }
            guard i < line.endIndex else { throw PromTextError.malformed(String(line)) }
            i = line.index(after: i)
        }
        let rest = line[i...].split(separator: " ")
        guard let first = rest.first else { throw PromTextError.malformed(String(line)) }
        let value: Double
        switch first {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default:
            guard let v = Double(first) else { throw PromTextError.malformed(String(line)) }
            value = v
        }
        return PromSample(name: name, labels: labels, value: value)
    }

    func values(_ name: String, _ match: [String: String] = [:]) -> [PromSample] {
        samples.filter { s in s.name == name && match.allSatisfy { s.labels[$0.key] == $0.value } }
    }

    func value(_ name: String, _ match: [String: String]) -> Double? { values(name, match).first?.value }

    var instances: Set<String> { Set(samples.compactMap { $0.name.hasPrefix("tikv_") ? $0.labels["instance"] : nil }) }

    /// Cumulative bucket counts (le → count) of one histogram series.
    func buckets(_ name: String, _ match: [String: String]) -> [(le: Double, count: Double)] {
        values(name + "_bucket", match).compactMap { s in
            guard let le = s.labels["le"] else { return nil }
            return (le == "+Inf" ? .infinity : Double(le) ?? .nan, s.value)
        }.sorted { $0.le < $1.le }
    }

    /// `histogram_quantile` over the bucket increase between two scrapes, with Prometheus' linear interpolation.
    static func quantile(_ q: Double, from before: [(le: Double, count: Double)], to after: [(le: Double, count: Double)]) -> Double? {
        guard before.count == after.count, let total = after.last.map({ $0.count - (before.last?.count ?? 0) }), total > 0 else { return nil }
        let rank = q * total
        var prevBound = 0.0, prevCount = 0.0
        for (b, a) in zip(before, after) {
            let c = a.count - b.count
            if c >= rank {
                if a.le.isInfinite { return prevBound }
                return prevBound + (a.le - prevBound) * (rank - prevCount) / max(c - prevCount, 1e-9)
            }
            prevBound = a.le
            prevCount = c
        }
        return nil
    }
}
