import Foundation
import PDWire

/// Placement-rule and label-property endpoints (v8.5.7:server/api/rule.go, router.go:174-206, config.go:466-499).
extension PDRouter {
    static let placementDisabled = PDError(412, "[PD:placement:ErrPlacementDisabled]placement rules feature is disabled")

    /// The rule middleware (rule.go:60-74): 412 while placement rules are disabled.
    func withRules(_ body: () -> HTTPReply) -> HTTPReply {
        guard cluster.withState({ $0.config.placementRulesEnabled }) else { return .error(Self.placementDisabled) }
        return body()
    }

    /// `/config/rules`, `/config/rules/batch`, `/config/rules/group/{group}`.
    func rulesRoute(_ req: Request, _ rest: [String]) -> HTTPReply {
        withRules {
            switch (req.method, rest.count, rest.first) {
            case ("GET", 0, _): return .json(cluster.withState { .array($0.placement.sortedRules.map(\.json)) })
            case ("POST", 0, _): return setAllRules(req)
            case ("POST", 1, "batch"): return batchRules(req)
            case ("GET", 2, "group"):
                let g = rest[1].removingPercentEncoding ?? rest[1]
                return .json(cluster.withState { .array($0.placement.sortedRules.filter { $0.groupId == g }.map(\.json)) })
            case (_, 0, _), (_, 1, "batch"), (_, 2, "group"): return .methodNotAllowed
            default: return .notFoundPage
            }
        }
    }

    /// `/config/rule` (POST) and `/config/rule/{group}/{id}` (GET, DELETE).
    func ruleRoute(_ req: Request, _ rest: [String]) -> HTTPReply {
        withRules {
            if rest.isEmpty {
                guard req.method == "POST" else { return .methodNotAllowed }
                return setRule(req)
            }
            guard rest.count == 2 else { return .notFoundPage }
            let key = PlacementRuleSet.RuleKey(group: rest[0].removingPercentEncoding ?? rest[0], id: rest[1].removingPercentEncoding ?? rest[1])
            switch req.method {
            case "GET":
                guard let r = cluster.withState({ $0.placement.rules[key] }) else {
                    return .message("[PD:placement:ErrRuleNotFound]rule not found", status: 404)
                }
                return .json(r.json)
            case "DELETE":
                // Deleting an unknown rule succeeds; deleting the last one fails to build (rule.go:295-309).
                do {
                    try cluster.withState { c in try c.changeRules(set: [], delete: [key]) }
                } catch let e as PDError { return .error(e) } catch { return .notFoundPage }
                return .message("Delete rule successfully.")
            default: return .methodNotAllowed
            }
        }
    }

    /// `/config/placement-rule`: every group with its rules (GET), or all of them replaced (POST; `partial`
    /// replaces only the groups given).
    func placementRuleBundles(_ req: Request) -> HTTPReply {
        withRules {
            switch req.method {
            case "GET": return .json(cluster.withState { $0.placement.bundlesJSON })
            case "POST":
                let body: JSONValue
                switch RequestJSON.parse(req.body) { case .success(let v): body = v; case .failure(let e): return .error(e) }
                guard case .array(let items) = body else { return .inputError(Self.unmarshalText(body, "[]placement.GroupBundle")) }
                var bundles: [(group: PlacementRuleSet.Group, rules: [PlacementRuleSet.Rule])] = []
                for item in items {
                    guard case .string(let gid)? = item["group_id"] ?? .string("") else { return .inputError(Self.unmarshalText(item, "placement.GroupBundle")) }
                    let index: Int
                    switch item["group_index"] { case .int(let i)?: index = Int(i); case nil, .null?: index = 0
                    default: return .inputError("json: cannot unmarshal into Go struct field GroupBundle.group_index of type int") }
                    var override = false
                    if case .bool(let b)? = item["group_override"] { override = b }
                    var rules: [PlacementRuleSet.Rule] = []
                    if case .array(let rs)? = item["rules"] {
                        for rv in rs {
                            do { rules.append(try PlacementRuleSet.Rule.decode(rv)) } catch let e as PlacementRuleSet.DecodeError { return .inputError(e.message) } catch { return .notFoundPage }
                        }
                    }
                    bundles.append((PlacementRuleSet.Group(id: gid, index: index, override: override), rules))
                }
                let partial = req.has("partial")
                do {
                    try cluster.withState { c in try c.setAllGroupBundles(bundles, override: !partial) }
                } catch let e as PDError { return .error(e) } catch { return .notFoundPage }
                return .message("Update rules and groups successfully.")
            default: return .methodNotAllowed
            }
        }
    }

    private func setRule(_ req: Request) -> HTTPReply {
        let body: JSONValue
        switch RequestJSON.parse(req.body) { case .success(let v): body = v; case .failure(let e): return .error(e) }
        let rule: PlacementRuleSet.Rule
        do { rule = try PlacementRuleSet.Rule.decode(body) } catch { return .inputError(error.message) }
        do {
            try cluster.withState { c in try c.changeRules(set: [rule], delete: []) }
        } catch let e as PDError { return .error(e) } catch { return .notFoundPage }
        return .message("Update rule successfully.")
    }

    private func setAllRules(_ req: Request) -> HTTPReply {
        let body: JSONValue
        switch RequestJSON.parse(req.body) { case .success(let v): body = v; case .failure(let e): return .error(e) }
        guard case .array(let items) = body else { return .inputError(Self.unmarshalText(body, "[]*placement.Rule")) }
        var rules: [PlacementRuleSet.Rule] = []
        for item in items {
            do { rules.append(try PlacementRuleSet.Rule.decode(item)) } catch { return .inputError(error.message) }
        }
        do {
            try cluster.withState { c in try c.changeRules(set: rules, delete: []) }
        } catch let e as PDError { return .error(e) } catch { return .notFoundPage }
        return .message("Update rules successfully.")
    }

    /// `RuleOp` list (rule_manager.go:563-618): `add` with a whole rule, `del` by (group, id) or id prefix.
    private func batchRules(_ req: Request) -> HTTPReply {
        let body: JSONValue
        switch RequestJSON.parse(req.body) { case .success(let v): body = v; case .failure(let e): return .error(e) }
        guard case .array(let items) = body else { return .inputError(Self.unmarshalText(body, "[]placement.RuleOp")) }
        var ops: [ClusterState.RuleOp] = []
        for item in items {
            let rule: PlacementRuleSet.Rule
            do { rule = try PlacementRuleSet.Rule.decode(item) } catch { return .inputError(error.message) }
            var byPrefix = false
            if case .bool(let b)? = item["delete_by_id_prefix"] { byPrefix = b }
            switch item["action"] {
            case .string("add")?: ops.append(.add(rule))
            case .string("del")?: ops.append(.delete(PlacementRuleSet.RuleKey(group: rule.groupId, id: rule.id), byPrefix: byPrefix))
            default: continue
            }
        }
        do {
            try cluster.withState { c in try c.batchRules(ops) }
        } catch let e as PDError { return .error(e) } catch { return .notFoundPage }
        return .message("Batch operations successfully.")
    }

    static func unmarshalText(_ v: JSONValue, _ goType: String) -> String {
        PlacementRuleSet.DecodeError(got: v, field: nil, goType: goType).message
    }

    /// `/config/label-property` (config.go:466-499): GET the map; POST `{"type","action":"set|delete",
    /// "label-key","label-value"}`; any other action answers 500 `unknown action <a>`.
    func labelPropertyRoute(_ req: Request) -> HTTPReply {
        switch req.method {
        case "GET": return .json(cluster.withState { Self.labelPropertyJSON($0.config.labelProperty) })
        case "POST":
            let body: JSONValue
            switch RequestJSON.parse(req.body) { case .success(let v): body = v; case .failure(let e): return .error(e) }
            guard case .object(let pairs) = body else { return .inputError(Self.unmarshalText(body, "map[string]string")) }
            var input: [String: String] = [:]
            for (k, v) in pairs {
                switch v {
                case .string(let s): input[k] = s
                case .null: continue
                default: return .inputError(PlacementRuleSet.DecodeError(got: v, field: nil, goType: "string").message)
                }
            }
            let typ = input["type"] ?? "", key = input["label-key"] ?? "", value = input["label-value"] ?? ""
            switch input["action"] {
            case "set": cluster.withState { $0.config.setLabelProperty(typ, key: key, value: value) }
            case "delete": cluster.withState { $0.config.deleteLabelProperty(typ, key: key, value: value) }
            default: return .message("unknown action \(input["action"] ?? "")", status: 500)
            }
            return .message("The config is updated.")
        default: return .methodNotAllowed
        }
    }

    /// `LabelPropertyConfig` as Go encodes a map: keys sorted.
    static func labelPropertyJSON(_ m: [String: [(key: String, value: String)]]) -> JSONValue {
        .object(m.keys.sorted().map { t in
            (t, .array((m[t] ?? []).map { .object([("key", .string($0.key)), ("value", .string($0.value))]) }))
        })
    }
}
