import Foundation

/// One sample value. Prometheus sends values as strings, including `"NaN"`, `"+Inf"` and `"-Inf"`.
package struct PromPoint: Sendable, Hashable {
    /// Unix seconds (fractional).
    package var time: Double
    package var value: Double

    package static func == (a: PromPoint, b: PromPoint) -> Bool {
        a.time == b.time && (a.value == b.value || (a.value.isNaN && b.value.isNaN))
    }
    package func hash(into h: inout Hasher) {
        h.combine(time)
        h.combine(value.isNaN ? 0 : value)
    }
}

package struct PromSample: Sendable, Hashable {
    var labels: [String: String]
    var point: PromPoint
}

package struct PromSeries: Sendable, Hashable {
    package var labels: [String: String]
    package var points: [PromPoint]
}

/// The `data` of a successful `/api/v1/query` or `/api/v1/query_range`.
package enum PromResult: Sendable, Hashable {
    case vector([PromSample])
    case matrix([PromSeries])
    case scalar(PromPoint)
    case string(time: Double, value: String)
}

package struct PromQueryResponse: Sendable, Hashable {
    package var result: PromResult
    var warnings: [String]
    var infos: [String]

    var vector: [PromSample] {
        if case .vector(let v) = result { return v }
        return []
    }
}

/// Decodes Prometheus' envelope: `{"status","data":{"resultType","result"},"warnings","infos"}` or
/// `{"status":"error","errorType","error"}`.
enum PromEnvelope {
    struct Raw: Decodable {
        var status: String
        var data: RawData?
        var errorType: String?
        var error: String?
        var warnings: [String]?
        var infos: [String]?
    }

    struct RawData: Decodable {
        var resultType: String
        var result: RawResult
    }

    enum RawResult: Decodable {
        case samples([RawSeries])
        case pair(RawPair)

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let list = try? c.decode([RawSeries].self) { self = .samples(list); return }
            self = .pair(try c.decode(RawPair.self))
        }
    }

    struct RawSeries: Decodable {
        var metric: [String: String]?
        var value: RawPair?
        var values: [RawPair]?
    }

    /// `[<unix seconds>, "<value>"]`.
    struct RawPair: Decodable {
        var time: Double
        var text: String

        init(from decoder: any Decoder) throws {
            var c = try decoder.unkeyedContainer()
            time = try c.decode(Double.self)
            text = try c.decode(String.self)
        }

        func point() throws -> PromPoint {
            guard let v = PromValueText.parse(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "sample value \"\(text)\" is not a number"))
            }
            return PromPoint(time: time, value: v)
        }
    }

    static func result(from data: RawData) throws -> PromResult {
        switch (data.resultType, data.result) {
        case ("vector", .samples(let list)):
            return .vector(try list.map { s in
                guard let v = s.value else { throw mismatch("vector sample without value") }
                return PromSample(labels: s.metric ?? [:], point: try v.point())
            })
        case ("matrix", .samples(let list)):
            return .matrix(try list.map { s in
                PromSeries(labels: s.metric ?? [:], points: try (s.values ?? []).map { try $0.point() })
            })
        case ("scalar", .pair(let p)):
            return .scalar(try p.point())
        case ("string", .pair(let p)):
            return .string(time: p.time, value: p.text)
        default:
            throw mismatch("resultType \(data.resultType) does not match its result")
        }
    }

    private static func mismatch(_ m: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: [], debugDescription: m))
    }
}

/// Go's `strconv.FormatFloat` output as Prometheus writes it.
enum PromValueText {
    static func parse(_ s: String) -> Double? {
        switch s {
        case "NaN": return .nan
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        default: return Double(s)
        }
    }
}
