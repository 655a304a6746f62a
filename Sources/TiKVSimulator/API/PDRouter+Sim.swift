/// `/sim/v1`: faults and the virtual clock.
extension PDRouter {
    func sim(_ req: Request, _ p: [String]) -> HTTPReply {
        switch (req.method, p.count, p.first ?? "") {
        case ("GET", 1, "faults"):
            return .json(.array(cluster.withState { $0.faults }.map(faultJSON)))
        case ("POST", 1, "faults"):
            let body: JSONValue
            switch RequestJSON.parse(req.body) { case .success(let v): body = v; case .failure(let e): return .error(e) }
            guard case .string(let k)? = body["kind"], let kind = Fault.Kind(rawValue: k) else {
                return .message("unknown fault kind; one of \(Fault.Kind.allCases.map(\.rawValue).joined(separator: ", "))", status: 400)
            }
            var f = Fault(kind: kind)
            f.store = body["store"]?.number.map { UInt64(max(0, $0)) }
            f.region = body["region"]?.number.map { UInt64(max(0, $0)) }
            f.factor = body["factor"]?.number ?? body["percent"]?.number ?? (kind == .slow ? 10 : kind == .hotRegion ? 20 : 5)
            if case .string(let flow)? = body["flow"] { f.flow = flow }
            f.periodSeconds = Int64(body["period"]?.number ?? 60)
            if case .string(let m)? = body["member"] { f.member = m }
            f.seconds = body["seconds"]?.number
            let fault = f
            do {
                let id = try cluster.withState { c in try c.inject(fault) }
                return .json(.object([("id", .uint(id))]))
            } catch let e as PDError { return .error(e) } catch { return .notFoundPage }
        case ("DELETE", 2, "faults"):
            guard let id = UInt64(p[1]) else { return .message("bad fault id", status: 400) }
            do {
                try cluster.withState { c in try c.revert(faultId: id) }
                return .message("The fault is removed.")
            } catch let e as PDError { return .error(e) } catch { return .notFoundPage }
        case ("POST", 2, "clock") where p[1] == "advance":
            let body: JSONValue
            switch RequestJSON.parse(req.body) { case .success(let v): body = v; case .failure(let e): return .error(e) }
            guard let s = body["seconds"]?.number, s >= 0 else { return .message("missing seconds", status: 400) }
            cluster.advance(seconds: s)
            return .json(.object([("now", .int(cluster.nowNanos))]))
        case ("GET", 1, "mutations"):
            return .json(.array(cluster.withState { $0.mutationLog }.map { m in
                .object([("at", .int(m.atNanos)), ("method", .string(m.method)), ("path", .string(m.path)),
                         ("query", .string(m.query)), ("body", .string(m.body)), ("status", .int(Int64(m.status)))])
            }))
        case ("GET", 1, "clock"):
            return .json(.object([("now", .int(cluster.nowNanos))]))
        default:
            return .notFoundPage
        }
    }

    func faultJSON(_ f: Fault) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("id", .uint(f.id)), ("kind", .string(f.kind.rawValue))]
        if let s = f.store { pairs.append(("store", .uint(s))) }
        if let r = f.region { pairs.append(("region", .uint(r))) }
        pairs.append(("factor", .double(f.factor)))
        if f.kind == .hotRegion { pairs.append(("flow", .string(f.flow))) }
        if f.kind == .flapping { pairs.append(("period", .int(f.periodSeconds))) }
        if let m = f.member { pairs.append(("member", .string(m))) }
        if let s = f.seconds { pairs.append(("seconds", .double(s))) }
        return .object(pairs)
    }
}
