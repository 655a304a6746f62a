import PDWire

/// `GET|POST /stores/limit` and `POST /store/{id}/limit` with PD's bodies and validation order
/// (v8.5.7:server/api/store.go:307-372, 414-529, 764-793). v8.5.7 has no `GET /store/{id}/limit`.
extension PDRouter {
    func storesLimit(_ req: Request) -> HTTPReply {
        switch req.method {
        case "GET":
            return cluster.withState { c in
                guard c.storeLimitVersion == "v1" else {
                    return .message("current store limit version:\(c.storeLimitVersion) not support get limit", status: 400)
                }
                var include = false
                if let v = req.first("include_tombstone"), !v.isEmpty {
                    guard let b = Self.goParseBool(v) else {
                        return .message("strconv.ParseBool: parsing \(JSONValue.string(v).compact()): invalid syntax", status: 400)
                    }
                    include = b
                }
                return .json(Self.limitsJSON(c.storeLimitRates(includeTombstone: include)))
            }
        case "POST":
            let version = cluster.withState { $0.storeLimitVersion }
            guard version == "v1" else { return .message("current store limit version:\(version) not support get limit", status: 400) }
            let input: LimitInput
            switch parseLimitInput(req) { case .success(let v): input = v; case .failure(let e): return e }
            if let labels = input.labels {
                cluster.withState { $0.setLabelStoresLimit(types: input.types, rate: input.rate, labels: labels) }
            } else {
                cluster.withState { $0.setAllStoresLimit(types: input.types, rate: input.rate, ttlSeconds: input.ttl) }
            }
            return .message("Set store limit successfully.")
        default: return .methodNotAllowed
        }
    }

    func storeLimitPost(_ req: Request, _ id: UInt64) -> HTTPReply {
        let (version, known) = cluster.withState { ($0.storeLimitVersion, $0.storeIndex(id) != nil) }
        guard version == "v1" else { return .message("current store limit version:\(version) not support set limit", status: 400) }
        guard known else { return .error(.storeNotFound(id, status: 500)) }
        let input: LimitInput
        switch parseLimitInput(req) { case .success(let v): input = v; case .failure(let e): return e }
        do {
            try cluster.withState { c in try c.setStoreLimit(id, types: input.types, rate: input.rate, ttlSeconds: input.ttl) }
        } catch let e as PDError { return .error(e) } catch { return .notFoundPage }
        return .message("The store's limit is updated.")
    }

    enum LimitParse {
        case success(LimitInput)
        case failure(HTTPReply)
    }

    struct LimitInput {
        var rate: Double
        var types: [StoreLimitTable.LimitType]
        var ttl: Int
        var labels: [(String, String)]?
    }

    /// The shared body checks, in PD's order: JSON object, `rate`, `type`, `?ttlSecond`.
    private func parseLimitInput(_ req: Request) -> LimitParse {
        let body: JSONValue
        switch RequestJSON.parse(req.body) { case .success(let v): body = v; case .failure(let e): return .failure(HTTPReply.error(e)) }
        guard case .object = body else {
            return .failure(HTTPReply.inputError("json: cannot unmarshal \(Self.goTypeName(body)) into Go value of type map[string]interface {}"))
        }
        guard let rateValue = body["rate"] else { return .failure(HTTPReply.message("rate unset", status: 400)) }
        guard let rate = rateValue.number, rate > 0 else { return .failure(HTTPReply.message("invalid rate which should be larger than 0", status: 400)) }
        var types: [StoreLimitTable.LimitType] = [.addPeer, .removePeer]
        if let t = body["type"] {
            guard case .string(let name) = t else { return .failure(HTTPReply.message("bad format type", status: 400)) }
            // An empty name means add-peer (parseStoreLimitType).
            guard let type = name.isEmpty ? .addPeer : StoreLimitTable.LimitType(rawValue: name) else {
                return .failure(HTTPReply.message("unknown type", status: 400))
            }
            types = [type]
        }
        var ttl = 0
        if let t = req.first("ttlSecond"), !t.isEmpty {
            guard let v = Int(t) else { return .failure(HTTPReply.message("strconv.Atoi: parsing \(JSONValue.string(t).compact()): invalid syntax", status: 400)) }
            ttl = v
        }
        var labels: [(String, String)]?
        if let l = body["labels"] {
            guard case .object(let pairs) = l else { return .failure(HTTPReply.inputError("labels must be an object")) }
            var out: [(String, String)] = []
            for (k, v) in pairs {
                guard case .string(let s) = v else { return .failure(HTTPReply.inputError("labels must be strings")) }
                out.append((k, s))
            }
            labels = out
        }
        return .success(LimitInput(rate: rate, types: types, ttl: ttl, labels: labels))
    }

    /// `map[uint64]StoreLimitConfig` as Go encodes it: keys sorted as strings, float64 values.
    static func limitsJSON(_ rates: [(UInt64, add: Double, remove: Double)]) -> JSONValue {
        .object(rates.map { (String($0.0), JSONValue.object([("add-peer", goFloat($0.add)), ("remove-peer", goFloat($0.remove))])) }
            .sorted { $0.0 < $1.0 })
    }

    /// A float64 as `encoding/json` prints it: integral values without a fraction.
    static func goFloat(_ v: Double) -> JSONValue {
        v == v.rounded() && abs(v) < 1e21 ? .int(Int64(v)) : .double(v)
    }

    static func goParseBool(_ s: String) -> Bool? {
        switch s {
        case "1", "t", "T", "TRUE", "true", "True": true
        case "0", "f", "F", "FALSE", "false", "False": false
        default: nil
        }
    }

    static func goTypeName(_ v: JSONValue) -> String {
        switch v {
        case .array: "array"
        case .string: "string"
        case .bool: "bool"
        case .null: "null"
        default: "number"
        }
    }
}
