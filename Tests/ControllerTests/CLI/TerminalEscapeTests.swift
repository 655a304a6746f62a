import ControllerRuntime
import FlyingFox
import Foundation
@testable import OperatorStore
import Reconcilers
import Testing
import TestSupport
@testable import TiKVSimulator
@testable import TerminalDashboard

/// Escape sequences placed where the cluster, a model or a person controls the text reach people escaped, through
/// every human-facing renderer: `ESC ] 0 ; … BEL` would retitle the terminal, `ESC [ 2 J` clear it, the one-byte
/// C1 CSI (U+009B) do either on some terminals, and a bidi override reorder what a line seems to say.
@Suite(.serialized) struct TerminalEscapeTests {
    static let corpus = ["\u{1B}]0;owned\u{07}", "\u{1B}[2J", "\u{9B}31m", "\u{202E}evil", "a\rb", "\u{7F}", "\u{0}"]
    static let hostile = corpus.joined()

    /// Nothing a terminal would act on: C0 other than newline and tab, DEL, C1, bidi controls.
    static func unsafeScalars(_ text: String) -> [UInt32] {
        text.unicodeScalars.map(\.value).filter { v in
            (v < 0x20 && v != 0x0A && v != 0x09) || v == 0x7F || (0x80..<0xA0).contains(v) || (0x202A...0x202E).contains(v)
                || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F || v == 0x061C
        }
    }

    @Test func everyControlIsShownEscapedAndOrdinaryTextIsUntouched() {
        #expect(TerminalText.sanitized("tikv-1:20160 ✓ zone=日本\n\tok") == "tikv-1:20160 ✓ zone=日本\n\tok")
        #expect(TerminalText.sanitized("\u{1B}]0;owned\u{07}x") == "\\x1b]0;owned\\x07x")
        #expect(TerminalText.sanitized("\u{9B}2J") == "\\x9b2J")
        #expect(TerminalText.sanitized("\u{202E}cba") == "\\u{202e}cba")
        #expect(TerminalText.sanitized("a\rb\u{7F}\u{0}") == "a\\rb\\x7f\\x00")
        #expect(TerminalText.sanitized("one\ntwo\tx", multiline: false) == "one\\ntwo\\tx")
        #expect(Self.unsafeScalars(TerminalText.sanitized(Self.hostile)).isEmpty)
    }

    @Test func storesFromPDAreEscapedInTablesAndExactInJSON() async throws {
        let binary = try #require(OperatorBinary.locate(), "the operator executable is built next to the tests")
        let cluster = SimulatedCluster(.generated(stores: 3, regions: 30, seed: 11,
                                                  nowNanos: Int64(Date().timeIntervalSince1970 * 1e9)))
        cluster.withState {
            $0.stores[0].address = "tikv-1\(Self.hostile):20160"
            $0.stores[0].labels = [(key: "zone", value: Self.hostile)]
            $0.stores[0].version = "8.5.7\(Self.hostile)"
        }
        try await withSimulator(cluster) { sim in
            for format in ["table", "wide"] {
                let run = try await CLIProcess.run(binary, ["get", "stores", "--pd", sim.url, "-o", format])
                #expect(run.status == 0, "stderr: \(run.stderr)")
                #expect(Self.unsafeScalars(run.stdout).isEmpty, "\(format): \(run.stdout.debugDescription)")
                #expect(run.stdout.contains("tikv-1\\x1b]0;owned\\x07"), "\(format): \(run.stdout)")
            }
            // JSON is for programs: the exact address, escaped only as JSON escapes it.
            let json = try await CLIProcess.run(binary, ["get", "stores", "--pd", sim.url, "-o", "json"])
            #expect(json.status == 0, "stderr: \(json.stderr)")
            #expect(json.stdout.contains("\\u001b]0;owned\\u0007"), "\(json.stdout)")
        }
    }

    @Test func anErrorPageFromPDIsEscapedInTheCLIsError() async throws {
        let binary = try #require(OperatorBinary.locate(), "the operator executable is built next to the tests")
        let pd = try await LoopbackServer.start { _ in Reply.text("\(Self.hostile) PD is unhappy", status: 500) }
        try await withServer(pd) { pd in
            let run = try await CLIProcess.run(binary, ["get", "stores", "--pd", pd.url.absoluteString, "--timeout", "2"])
            #expect(run.status != 0)
            #expect(Self.unsafeScalars(run.stderr).isEmpty, "\(run.stderr.debugDescription)")
            #expect(run.stderr.contains("\\x1b[2J"), "\(run.stderr)")
        }
    }

    @Test func storedTextFromAModelOrAPersonIsEscapedInDescribeAndAudit() async throws {
        let binary = try #require(OperatorBinary.locate(), "the operator executable is built next to the tests")
        let directory = try TemporaryDirectory()
        let db = directory.path("operator.db")
        let store = try StatusStore(path: db, role: .controller(holder: "test"))
        _ = try store.acquireLease(ttl: .seconds(60))
        var ticket = Ticket(metadata: ObjectMeta(name: "prod-storedown-store-1"),
                            spec: TicketSpec(cluster: "prod", invariant: "storeDown", subject: "store/1", severity: .critical,
                                             summary: "store 1 is down \(Self.hostile)"))
        ticket.status.diagnosis = Diagnosis(
            ticket: ticket.name,
            primary: Hypothesis(cause: .storeProcessDown, title: "Process down \(Self.hostile)", confidence: .high,
                                evidence: [Evidence(.metric, "store/1.metrics.up", "up = 0 \(Self.hostile)")]),
            alternatives: [], recommendedAction: "restart it \(Self.hostile)", provider: "openai-compatible", model: "m",
            createdAt: Date(), contextDigest: "0123456789abcdef")
        try ResourceStore(store: store).create(ticket)
        try store.addApproval(ApprovalRecord(plan: "plan-1", revision: "r1", decision: .approve, approver: "alice",
                                             source: "cli", reason: "because \(Self.hostile)", createdAt: Date()))

        let describe = try await CLIProcess.run(binary, ["describe", "ticket/\(ticket.name)", "--db", db])
        #expect(describe.status == 0, "stderr: \(describe.stderr)")
        #expect(Self.unsafeScalars(describe.stdout).isEmpty, "\(describe.stdout.debugDescription)")
        #expect(describe.stdout.contains("Process down \\x1b]0;owned\\x07"), "\(describe.stdout)")

        let audit = try await CLIProcess.run(binary, ["audit", "--db", db])
        #expect(audit.status == 0, "stderr: \(audit.stderr)")
        #expect(Self.unsafeScalars(audit.stdout).isEmpty, "\(audit.stdout.debugDescription)")

        let yaml = try await CLIProcess.run(binary, ["get", "ticket", ticket.name, "-o", "yaml", "--db", db])
        #expect(yaml.status == 0, "stderr: \(yaml.stderr)")
        let table = try await CLIProcess.run(binary, ["get", "tickets", "-o", "wide", "--db", db])
        #expect(Self.unsafeScalars(table.stdout).isEmpty, "\(table.stdout.debugDescription)")
    }

    @Test func theDashboardEscapesEveryCell() {
        var t = DashboardFixtures.ticket()
        t.spec.summary = "x \(Self.hostile)"
        var data = DashboardFixtures.data(plans: [], tickets: [t])
        data.stores[0].address = "tikv-1\(Self.hostile)"
        let lines = DashboardRenderer.lines(DashboardModel(data: data), columns: 100, rows: 40)
        for line in lines { #expect(Self.unsafeScalars(line.plain).isEmpty, "\(line.plain.debugDescription)") }
        // The frame a terminal receives carries only the renderer's own style sequences.
        let frame = lines.map(\.ansi).joined(separator: "\n")
        #expect(!frame.contains("\u{1B}]0;"))
        #expect(!frame.contains("\u{1B}[2J"))
        #expect(lines.map(\.plain).joined().contains("store/3: x \\x1b]0;owned"))
    }
}
