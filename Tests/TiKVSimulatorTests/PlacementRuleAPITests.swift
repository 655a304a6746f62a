import Foundation
import Testing
import TestSupport
@testable import TiKVSimulator

/// The placement-rule and label-property endpoints answered over loopback HTTP with PD's status and body,
/// transcribed from v8.5.7:tests/server/api/rule_test.go and tests/server/config/config_test.go.
@Suite(.serialized) struct PlacementRuleAPITests {
    static let config = "/pd/api/v1/config"

    func start() async throws -> LoopbackSimulator { try await LoopbackSimulator.start(SimulatedCluster(.generated(stores: 3, regions: 30, seed: 2))) }

    func rule(_ group: String, _ id: String, start: String = "1111", end: String = "3333", role: String = "voter", count: Int = 1) -> String {
        #"{"group_id":"\#(group)","id":"\#(id)","start_key":"\#(start)","end_key":"\#(end)","role":"\#(role)","is_witness":false,"count":\#(count)}"#
    }

    static let parseError = """
    {
      "code": "input",
      "msg": "invalid character 'o' in literal false (expecting 'a')",
      "data": {
        "Offset": 2
      }
    }

    """

    /// `checkSet`: new rule, update, then a parse error, a bad hex key and a bad count, each with PD's body.
    @Test func setRule() async throws {
        let live = try await start()
        try await withServer(live) { live in
            let cases: [(String, Int, String?)] = [
                (rule("a", "10"), 200, "\"Update rule successfully.\"\n"),
                (rule("a", "10", role: "follower", count: 3), 200, "\"Update rule successfully.\"\n"),
                ("foo", 400, Self.parseError),
                (rule("a", "10", start: "XXXX"), 400, "\"[PD:hex:ErrHexDecodingString]decode string XXXX error\"\n"),
                (rule("a", "10", count: -1), 400, "\"[PD:placement:ErrRuleContent]invalid rule content, invalid count -1\"\n"),
            ]
            for (body, status, want) in cases {
                let (s, b, _) = try await live.request("POST", Self.config + "/rule", body: body)
                #expect(s == status, "\(body) → \(b)")
                if let want { #expect(b == want) }
            }
            // The update took: a follower rule of count 3, version 1.
            let (_, got, _) = try await live.request("GET", Self.config + "/rule/a/10")
            let r = try #require(try JSONSerialization.jsonObject(with: Data(got.utf8)) as? [String: Any])
            #expect(r["role"] as? String == "follower" && r["count"] as? Int == 3 && r["version"] as? Int == 1)
        }
    }

    /// `checkGet` and `checkGetAll`: a set rule reads back; an unknown one is 404 `ErrRuleNotFound`.
    @Test func getRules() async throws {
        let live = try await start()
        try await withServer(live) { live in
            _ = try await live.request("POST", Self.config + "/rule", body: rule("a", "20"))
            let (s1, b1, _) = try await live.request("GET", Self.config + "/rule/a/20")
            #expect(s1 == 200)
            #expect(b1 == """
            {
              "group_id": "a",
              "id": "20",
              "start_key": "1111",
              "end_key": "3333",
              "role": "voter",
              "is_witness": false,
              "count": 1,
              "create_timestamp": \(try #require(Self.createTimestamp(b1)))
            }

            """)
            let (s2, b2, _) = try await live.request("GET", Self.config + "/rule/a/30")
            #expect(s2 == 404 && b2 == "\"[PD:placement:ErrRuleNotFound]rule not found\"\n")
            let (_, all, _) = try await live.request("GET", Self.config + "/rules")
            let rules = try #require(try JSONSerialization.jsonObject(with: Data(all.utf8)) as? [[String: Any]])
            // Sorted by (group index, group, index, id): group "a" before "pd".
            #expect(rules.map { "\($0["group_id"] ?? "")/\($0["id"] ?? "")" } == ["a/20", "pd/default"])
        }
    }

    static func createTimestamp(_ body: String) -> Int? {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["create_timestamp"] as? Int
    }

    /// `checkDelete`: deleting an existing and an unknown rule both answer 200.
    @Test func deleteRule() async throws {
        let live = try await start()
        try await withServer(live) { live in
            _ = try await live.request("POST", Self.config + "/rule", body: rule("g", "10", start: "8888", end: "9111"))
            for id in ["10", "15"] {
                let (s, b, _) = try await live.request("DELETE", Self.config + "/rule/g/\(id)")
                #expect(s == 200 && b == "\"Delete rule successfully.\"\n")
            }
            let (s, _, _) = try await live.request("GET", Self.config + "/rule/g/10")
            #expect(s == 404)
            // The last rule cannot go: the rule list would not build (500 ErrBuildRuleList).
            let (s2, b2, _) = try await live.request("DELETE", Self.config + "/rule/pd/default")
            #expect(s2 == 500 && b2 == "\"[PD:placement:ErrBuildRuleList]build rule list failed, no rule left\"\n")
        }
    }

    /// `checkBatch`: adds, deletes (by id and by id prefix), then a parse error, bad hex and bad count.
    @Test func batchRules() async throws {
        let live = try await start()
        try await withServer(live) { live in
            func op(_ action: String, _ ruleJSON: String, prefix: Bool = false) -> String {
                String(ruleJSON.dropLast()) + #","action":"\#(action)","delete_by_id_prefix":\#(prefix)}"#
            }
            let del: (String, String) -> String = { g, id in #"{"group_id":"\#(g)","id":"\#(id)","start_key":"","end_key":"","role":"","is_witness":false,"count":0}"# }
            let cases: [(String, Int, String)] = [
                ("[\(op("add", rule("a", "13"))),\(op("add", rule("b", "13"))),\(op("add", rule("a", "14")))]", 200, "\"Batch operations successfully.\"\n"),
                ("[\(op("del", del("a", "14"))),\(op("del", del("a", "1")))]", 200, "\"Batch operations successfully.\"\n"),
                ("[\(op("add", rule("a", "15"))),\(op("del", del("b", "1"), prefix: true))]", 200, "\"Batch operations successfully.\"\n"),
                ("foo", 400, Self.parseError),
                ("[\(op("add", rule("a", "16", start: "XXXX")))]", 400, "\"[PD:hex:ErrHexDecodingString]decode string XXXX error\"\n"),
                ("[\(op("add", rule("a", "17", count: -1)))]", 400, "\"[PD:placement:ErrRuleContent]invalid rule content, invalid count -1\"\n"),
            ]
            for (body, status, want) in cases {
                let (s, b, _) = try await live.request("POST", Self.config + "/rules/batch", body: body)
                #expect(s == status && b == want, "\(body) → \(s) \(b)")
            }
            let (_, all, _) = try await live.request("GET", Self.config + "/rules")
            let rules = try #require(try JSONSerialization.jsonObject(with: Data(all.utf8)) as? [[String: Any]])
            #expect(rules.map { "\($0["group_id"] ?? "")/\($0["id"] ?? "")" } == ["a/13", "a/15", "pd/default"])
            // Operations on one rule apply in order: added then deleted leaves nothing.
            let (s1, _, _) = try await live.request("POST", Self.config + "/rules/batch", body: "[\(op("add", rule("a", "18"))),\(op("del", del("a", "18")))]")
            let (s2, _, _) = try await live.request("GET", Self.config + "/rule/a/18")
            #expect(s1 == 200 && s2 == 404)
        }
    }

    /// `checkBundleBadRequest` (the `/placement-rule` cases): a rule whose group differs from its bundle's is
    /// refused; `checkLeaderAndVoter`: a leader rule and a voter rule in one group read back as posted.
    @Test func bundles() async throws {
        let live = try await start()
        try await withServer(live) { live in
            let ok = #"[{"group_id":"foo", "rules": [{"group_id":"foo", "id":"baz", "role":"voter", "count":1}]}]"#
            let bad = #"[{"group_id":"foo", "rules": [{"group_id":"bar", "id":"baz", "role":"voter", "count":1}]}]"#
            let (s1, _, _) = try await live.request("POST", Self.config + "/placement-rule", body: ok)
            #expect(s1 == 200)
            let (s2, b2, _) = try await live.request("POST", Self.config + "/placement-rule", body: bad)
            #expect(s2 == 400 && b2 == "\"[PD:placement:ErrRuleContent]invalid rule content, rule group bar does not match group ID foo\"\n")
            let leaderAndVoter = """
            [{"group_id":"1","group_index":1,"rules":[
              {"group_id":"1","id":"rule_1","index":1,"role":"voter","count":1,"label_constraints":[{"key":"zone","op":"in","values":["z1"]}]},
              {"group_id":"1","id":"rule_2","index":2,"role":"leader","count":1,"label_constraints":[{"key":"zone","op":"in","values":["z2"]}]}]}]
            """
            let (s3, _, _) = try await live.request("POST", Self.config + "/placement-rule", body: leaderAndVoter)
            #expect(s3 == 200)
            let (_, got, _) = try await live.request("GET", Self.config + "/placement-rule")
            let bundles = try #require(try JSONSerialization.jsonObject(with: Data(got.utf8)) as? [[String: Any]])
            #expect(bundles.count == 1 && bundles[0]["group_id"] as? String == "1" && bundles[0]["group_index"] as? Int == 1)
            let rules = try #require(bundles[0]["rules"] as? [[String: Any]])
            #expect(rules.map { $0["role"] as? String } == ["voter", "leader"])
            // PD's TearDownTest puts the default bundle back.
            let def = #"[{"group_id":"pd","rules":[{"group_id":"pd","id":"default","role":"voter","count":3}]}]"#
            let (s4, b4, _) = try await live.request("POST", Self.config + "/placement-rule", body: def)
            #expect(s4 == 200 && b4 == "\"Update rules and groups successfully.\"\n")
        }
    }

    /// `AdjustRule`'s other refusals, worded as PD words them (rule_manager.go:219-288), and the 412 while placement
    /// rules are disabled.
    @Test func validationErrors() async throws {
        let live = try await start()
        try await withServer(live) { live in
            let cases: [(String, String)] = [
                (rule("a", "1", role: "boss"), "invalid role boss"),
                (rule("a", "1", role: "leader", count: 2), "define multiple leaders by count 2"),
                (rule("a", "1", start: "3333", end: "1111"), "endKey should be greater than startKey"),
                (rule("", "1"), "group ID should not be empty"),
                (rule("a", ""), "ID should not be empty"),
                (#"{"group_id":"a","id":"1","role":"voter","count":1,"label_constraints":[{"key":"zone","op":"like","values":["z1"]}]}"#, "invalid op like"),
                (#"{"group_id":"a","id":"1","role":"learner","count":1,"label_constraints":[{"key":"engine","op":"in","values":["tiflash"]}]}"#,
                 "rule '1' from rule group 'a' can not match any store"),
            ]
            for (body, msg) in cases {
                let (s, b, _) = try await live.request("POST", Self.config + "/rule", body: body)
                #expect(s == 400 && b == "\"[PD:placement:ErrRuleContent]invalid rule content, \(msg)\"\n", "\(body) → \(b)")
            }
            let (s1, b1, _) = try await live.request("POST", Self.config + "/rule", body: #"{"group_id":"a","id":"1","role":"voter","count":"1"}"#)
            #expect(s1 == 400 && b1.contains("json: cannot unmarshal string into Go struct field Rule.count of type int"))
            _ = try await live.request("POST", Self.config + "/replicate", body: #"{"enable-placement-rules":"false"}"#)
            let (s2, b2, _) = try await live.request("GET", Self.config + "/rules")
            #expect(s2 == 412 && b2 == "\"[PD:placement:ErrPlacementDisabled]placement rules feature is disabled\"\n")
        }
    }

    /// Setting `pd/default` sets max-replicas (server/api/rule.go:274-285), and max-replicas sets the rule back.
    @Test func defaultRuleAndMaxReplicasStayEqual() async throws {
        let live = try await start()
        try await withServer(live) { live in
            _ = try await live.request("POST", Self.config + "/rule", body: rule("pd", "default", start: "", end: "", count: 5))
            let (_, rep, _) = try await live.request("GET", Self.config + "/replicate")
            #expect(rep.contains("\"max-replicas\": 5"))
            _ = try await live.request("POST", Self.config + "/replicate", body: #"{"max-replicas": 3}"#)
            let (_, r, _) = try await live.request("GET", Self.config + "/rule/pd/default")
            #expect(r.contains("\"count\": 3"))
        }
    }

    /// `TestConfigLabelProperty` (tests/server/config/config_test.go:283-340): set, read back in order, delete.
    @Test func labelProperty() async throws {
        let live = try await start()
        try await withServer(live) { live in
            let addr = Self.config + "/label-property"
            let (_, empty, _) = try await live.request("GET", addr)
            #expect(empty == "{}\n")
            for cmd in [#"{"type": "foo", "action": "set", "label-key": "zone", "label-value": "cn1"}"#,
                        #"{"type": "foo", "action": "set", "label-key": "zone", "label-value": "cn2"}"#,
                        #"{"type": "bar", "action": "set", "label-key": "host", "label-value": "h1"}"#] {
                let (s, b, _) = try await live.request("POST", addr, body: cmd)
                #expect(s == 200 && b == "\"The config is updated.\"\n")
            }
            let (_, got, _) = try await live.request("GET", addr)
            let cfg = try #require(try JSONSerialization.jsonObject(with: Data(got.utf8)) as? [String: [[String: String]]])
            #expect(cfg.count == 2)
            #expect(cfg["foo"] == [["key": "zone", "value": "cn1"], ["key": "zone", "value": "cn2"]])
            #expect(cfg["bar"] == [["key": "host", "value": "h1"]])
            for cmd in [#"{"type": "foo", "action": "delete", "label-key": "zone", "label-value": "cn1"}"#,
                        #"{"type": "bar", "action": "delete", "label-key": "host", "label-value": "h1"}"#] {
                _ = try await live.request("POST", addr, body: cmd)
            }
            let (_, after, _) = try await live.request("GET", addr)
            let cfg2 = try #require(try JSONSerialization.jsonObject(with: Data(after.utf8)) as? [String: [[String: String]]])
            #expect(cfg2.count == 1 && cfg2["foo"] == [["key": "zone", "value": "cn2"]])
            // GET /config carries it too; an unknown action is a 500.
            let (_, full, _) = try await live.request("GET", Self.config)
            #expect(full.contains("\"label-property\": {\n    \"foo\": ["))
            let (s, b, _) = try await live.request("POST", addr, body: #"{"type": "foo", "action": "move"}"#)
            #expect(s == 500 && b == "\"unknown action move\"\n")
        }
    }
}
