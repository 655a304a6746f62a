import Foundation
import Testing
@testable import Reconcilers

/// The smallest valid TiKVCluster, for tests that append a field to it.
let minimalCluster = """
apiVersion: operator.tikv/v1alpha1
kind: TiKVCluster
metadata:
  name: basic
spec:
  pd:
    urls: ["http://127.0.0.1:2379"]

"""

private func errors(_ text: String, file: String = "specs/c.yaml") -> [String] {
    SpecParser.parse(file: file, text: text).errors.map(\.description)
}

@Suite struct SpecParserTests {
    @Test func minimalClusterGetsEveryDefault() throws {
        let parsed = SpecParser.parse(file: "c.yaml", text: minimalCluster)
        #expect(parsed.errors.isEmpty)
        guard case .tikvCluster(let c) = try #require(parsed.documents.first).object else {
            Issue.record("expected a TiKVCluster")
            return
        }
        #expect(c.name == "basic")
        #expect(c.spec.mode == .observe)
        #expect(c.spec.paused == false)
        #expect(c.spec.resyncPeriod == .seconds(30))
        #expect(c.spec.pd.timeout == .seconds(5))
        #expect(c.spec.invariants.storeDown.severity == .critical)
        #expect(c.spec.invariants.highLatency.p99Threshold == .milliseconds(500))
        #expect(c.spec.approval.high.requiredApprovals == 1)
        #expect(c.spec.approval.ttl == .hours(1))
        #expect(c.spec.limits.maxInFlightSteps == 4)
        #expect(c.spec.balance.leaders.maxSkewPercent == 10)
        #expect(c.spec.diagnosis.provider == .rules)
    }

    @Test func severalDocumentsPerFileAndEmptyDocumentsSkipped() {
        let text = minimalCluster + "---\n---\n" + """
        apiVersion: operator.tikv/v1alpha1
        kind: StoreMaintenance
        metadata: {name: drain-4}
        spec: {cluster: basic, storeID: 4, reason: kernel upgrade}
        """
        let parsed = SpecParser.parse(file: "a.yaml", text: text)
        #expect(parsed.errors.isEmpty)
        #expect(parsed.documents.map(\.object.kind) == ["TiKVCluster", "StoreMaintenance"])
    }

    @Test func yamlSyntaxErrorNamesLineAndColumn() {
        let text = "apiVersion: operator.tikv/v1alpha1\nkind: TiKVCluster\nmetadata:\n  name: [basic\nspec: {}\n"
        let e = errors(text)
        #expect(e.count == 1)
        #expect(e.first?.hasPrefix("specs/c.yaml:5:5: YAML syntax error:") == true)
    }

    @Test func unknownApiVersionAndKind() {
        #expect(errors("apiVersion: v1\nkind: TiKVCluster\nmetadata: {name: a}\nspec: {}\n") ==
            ["specs/c.yaml:1:13: apiVersion: unknown apiVersion \"v1\": expected operator.tikv/v1alpha1"])
        #expect(errors("apiVersion: operator.tikv/v1alpha1\nkind: TikvCluster\nmetadata: {name: a}\n") ==
            ["specs/c.yaml:2:7: kind: unknown kind \"TikvCluster\": expected one of TiKVCluster, StoreMaintenance, Approval"])
        #expect(errors("apiVersion: operator.tikv/v1alpha1\nkind: Ticket\nmetadata: {name: a}\n") ==
            ["specs/c.yaml:2:7: kind: Ticket objects are written by the controller and cannot be declared in a spec file"])
    }

    @Test func tlsFilesForHTTPSEndpoints() throws {
        let good = """
        apiVersion: operator.tikv/v1alpha1
        kind: TiKVCluster
        metadata: {name: secure}
        spec:
          pd:
            urls: ["https://basic-pd.tidb.svc:2379"]
            tls: {caFile: /var/lib/cluster-client-tls/ca.crt, certFile: /var/lib/cluster-client-tls/tls.crt, keyFile: /var/lib/cluster-client-tls/tls.key}
          prometheus:
            url: https://prometheus:9090
            tls: {caFile: /etc/prometheus-ca/ca.crt}
        """
        let parsed = SpecParser.parse(file: "c.yaml", text: good)
        #expect(parsed.errors.isEmpty, "\(parsed.errors)")
        guard case .tikvCluster(let c) = try #require(parsed.documents.first).object else {
            Issue.record("expected a TiKVCluster")
            return
        }
        #expect(c.spec.pd.tls == TLSFiles(caFile: "/var/lib/cluster-client-tls/ca.crt", certFile: "/var/lib/cluster-client-tls/tls.crt",
                                          keyFile: "/var/lib/cluster-client-tls/tls.key"))
        #expect(c.spec.prometheus?.tls == TLSFiles(caFile: "/etc/prometheus-ca/ca.crt"))

        let plain = minimalCluster + "  prometheus:\n    url: http://prometheus:9090\n    tls: {caFile: /ca.crt, certFile: /tls.crt}\n"
        let e = errors(plain)
        #expect(e.contains { $0.contains("spec.prometheus.tls.keyFile: certFile and keyFile go together") }, "\(e)")
        #expect(e.contains { $0.contains("spec.prometheus.tls: is set but the URL is not https://") }, "\(e)")
        let pdPlain = minimalCluster.replacingOccurrences(of: "urls: [\"http://127.0.0.1:2379\"]",
                                                          with: "urls: [\"http://127.0.0.1:2379\"]\n    tls: {caFile: /ca.crt, cafile: x}")
        let p = errors(pdPlain)
        #expect(p.contains { $0.contains("spec.pd.tls.cafile: unknown field \"cafile\" (did you mean \"caFile\"?)") }, "\(p)")
    }

    @Test func unknownFieldsWithSuggestion() {
        let text = minimalCluster + "  invariants:\n    storeDown:\n      gracePerid: 5m\n  colour: blue\n"
        #expect(errors(text) == [
            "specs/c.yaml:10:7: spec.invariants.storeDown.gracePerid: unknown field \"gracePerid\" (did you mean \"gracePeriod\"?)",
            "specs/c.yaml:11:3: spec.colour: unknown field \"colour\"",
        ])
    }

    @Test func systemFieldsAreRefused() {
        let text = """
        apiVersion: operator.tikv/v1alpha1
        kind: Approval
        metadata: {name: ok, generation: 3}
        spec: {plan: drain-store-4, revision: 0123456789abcdef, approver: alice}
        status: {}
        """
        #expect(errors(text) == [
            "specs/c.yaml:3:22: metadata.generation: metadata.generation is set by the controller, not in spec files",
            "specs/c.yaml:5:1: status: status is written by the controller, not in spec files",
        ])
    }

    /// An Approval in the spec directory names a person: not a reserved name, no control characters.
    @Test func anApprovalsApproverIsAPersonsName() {
        func approval(_ approver: String) -> String {
            """
            apiVersion: operator.tikv/v1alpha1
            kind: Approval
            metadata: {name: ok}
            spec: {plan: drain-store-4, revision: 0123456789abcdef, approver: \(approver)}
            """
        }
        #expect(errors(approval("alice")).isEmpty)
        #expect(errors(approval("controller")).count == 1)
        #expect(errors(approval("controller")).first?.contains("spec.approver: \"controller\" is reserved for the system, not a person's name") == true)
        #expect(errors(approval("\"alice\\n\"")).first?.contains("spec.approver: a person's name must not contain control characters") == true)
    }

    @Test func wrongTypes() {
        #expect(errors(minimalCluster + "  paused: maybe\n") ==
            ["specs/c.yaml:8:11: spec.paused: expected a boolean (true or false), got the string \"maybe\""])
        #expect(errors(minimalCluster + "  limits:\n    maxInFlightSteps: four\n") ==
            ["specs/c.yaml:9:23: spec.limits.maxInFlightSteps: expected an integer, got the string \"four\""])
        #expect(errors(minimalCluster + "  limits:\n    maxInFlightSteps: 2.5\n") ==
            ["specs/c.yaml:9:23: spec.limits.maxInFlightSteps: expected an integer, got the number 2.5"])
        #expect(errors(minimalCluster + "  pd2: 1\n  balance: [1, 2]\n").contains(
            "specs/c.yaml:9:12: spec.balance: expected an object, got a list"))
        let quoted = """
        apiVersion: operator.tikv/v1alpha1
        kind: Approval
        metadata: {name: ok}
        spec: {plan: p, revision: 1234567890123456, approver: alice}
        """
        #expect(errors(quoted) == [
            "specs/c.yaml:4:27: spec.revision: expected a string, got the number 1234567890123456 (quote it: \"1234567890123456\")",
        ])
    }

    @Test func outOfRangeValues() {
        let text = minimalCluster + "  limits:\n    maxInFlightSteps: 0\n  approval:\n    high: {requiredApprovals: 9}\n"
        #expect(errors(text) == [
            "specs/c.yaml:9:23: spec.limits.maxInFlightSteps: 0 is out of range: must be between 1 and 1000",
            "specs/c.yaml:11:31: spec.approval.high.requiredApprovals: 9 is out of range: must be between 0 and 5",
        ])
        #expect(errors(minimalCluster + "  resyncPeriod: 2h\n") ==
            ["specs/c.yaml:8:17: spec.resyncPeriod: 2h0m0s is out of range: must be between 1s and 1h0m0s"])
    }

    @Test func invalidDurationsEnumsAndCron() {
        #expect(errors(minimalCluster + "  resyncPeriod: 30 seconds\n") == [
            "specs/c.yaml:8:17: spec.resyncPeriod: invalid duration \"30 seconds\": expected a Go-style duration such as 30s, 5m or 1h30m (units ns, us, ms, s, m, h)",
        ])
        #expect(errors(minimalCluster + "  mode: auto\n") ==
            ["specs/c.yaml:8:9: spec.mode: unsupported value \"auto\": must be one of observe, dryRun, execute"])
        #expect(errors(minimalCluster + "  maintenanceWindows:\n  - {schedule: \"0 25 * * *\", duration: 2h}\n") == [
            "specs/c.yaml:9:16: spec.maintenanceWindows[0].schedule: hour \"25\" is out of range: must be within 0-23",
        ])
    }

    @Test func missingRequiredFields() {
        let text = "apiVersion: operator.tikv/v1alpha1\nkind: StoreMaintenance\nmetadata: {name: m}\nspec:\n  cluster: basic\n  reason: x\n"
        #expect(errors(text) == ["specs/c.yaml:5:3: spec.storeID: required field is missing"])
        #expect(errors("apiVersion: operator.tikv/v1alpha1\nkind: TiKVCluster\nspec: {pd: {urls: []}}\n") ==
            ["specs/c.yaml:1:1: metadata: required field is missing",
             "specs/c.yaml:3:19: spec.pd.urls: must list at least one PD URL, e.g. http://basic-pd.tidb.svc:2379"])
    }

    @Test func invalidNamesAndUrls() {
        let text = """
        apiVersion: operator.tikv/v1alpha1
        kind: TiKVCluster
        metadata: {name: Basic_1}
        spec:
          pd: {urls: ["basic-pd:2379"]}
        """
        #expect(errors(text) == [
            "specs/c.yaml:3:18: metadata.name: \"Basic_1\" is not a valid name: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
            "specs/c.yaml:5:15: spec.pd.urls[0]: \"basic-pd:2379\" is not a valid URL: expected http or https://host:port",
        ])
    }

    @Test func duplicateFieldIsReportedWhereItAppearsAgain() {
        #expect(errors(minimalCluster + "  paused: true\n  mode: observe\n  paused: false\n") ==
            ["specs/c.yaml:10:3: duplicate field \"paused\" in one object (first at line 8)"])
        // In a list item's object, and with a nested object between the two.
        let maintenance = """
        apiVersion: operator.tikv/v1alpha1
        kind: TiKVCluster
        metadata:
          name: basic
        spec:
          pd:
            urls: ["http://127.0.0.1:2379"]
          maintenanceWindows:
            - schedule: "0 2 * * *"
              duration:
                nested: 1
              schedule: "0 3 * * *"
        """
        #expect(errors(maintenance) ==
            ["specs/c.yaml:12:7: duplicate field \"schedule\" in one object (first at line 9)"])
    }

    @Test func everyMistakeInADocumentAtOnce() {
        let text = """
        apiVersion: operator.tikv/v1alpha1
        kind: TiKVCluster
        metadata:
          name: Basic_1
        spec:
          mode: exekute
          resyncPeriod: soon
          paused: maybe
          limits: {maxInFlightSteps: 0}
          balance: {leaders: {maxSkewPercent: lots}}
          maintenanceWindows:
            - {schedule: "0 2 * * *", duration: 1h, bogus: 1}
        """
        // Each field that failed is replaced by a stand-in, so the ones after it are still checked; the spec's own
        // rules (maxInFlightSteps' range) run too, except on the stand-ins.
        #expect(errors(text) == [
            #"specs/c.yaml:4:9: metadata.name: "Basic_1" is not a valid name: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit"#,
            "specs/c.yaml:6:3: spec.pd: required field is missing",
            #"specs/c.yaml:6:9: spec.mode: unsupported value "exekute": must be one of observe, dryRun, execute"#,
            #"specs/c.yaml:7:17: spec.resyncPeriod: invalid duration "soon": expected a Go-style duration such as 30s, 5m or 1h30m (units ns, us, ms, s, m, h)"#,
            #"specs/c.yaml:8:11: spec.paused: expected a boolean (true or false), got the string "maybe""#,
            "specs/c.yaml:9:30: spec.limits.maxInFlightSteps: 0 is out of range: must be between 1 and 1000",
            #"specs/c.yaml:10:39: spec.balance.leaders.maxSkewPercent: expected a number, got the string "lots""#,
            #"specs/c.yaml:12:45: spec.maintenanceWindows[0].bogus: unknown field "bogus""#,
        ])
        // A missing field is reported at the object that lacks it, and every other field is still checked.
        let maintenance = """
        apiVersion: operator.tikv/v1alpha1
        kind: StoreMaintenance
        metadata: {name: Drain_4}
        spec: {storeID: four, reason: kernel, offline: perhaps}
        """
        #expect(errors(maintenance) == [
            #"specs/c.yaml:3:18: metadata.name: "Drain_4" is not a valid name: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit"#,
            "specs/c.yaml:4:7: spec.cluster: required field is missing",
            #"specs/c.yaml:4:17: spec.storeID: expected an integer, got the string "four""#,
            #"specs/c.yaml:4:48: spec.offline: expected a boolean (true or false), got the string "perhaps""#,
        ])
    }
}
