import Foundation
import Reconcilers
import Testing
@testable import TerminalDashboard

@Suite struct DashboardRendererTests {
    @Test func an80x24FrameHasEveryPanelAndExactlyFitsTheWindow() {
        let model = DashboardModel(data: DashboardFixtures.data())
        let lines = DashboardRenderer.lines(model, columns: 80, rows: 24)
        #expect(lines.count == 24)
        #expect(lines.allSatisfy { $0.width == 80 })
        let text = lines.map(\.plain).joined(separator: "\n")
        for title in ["Cluster demo", "Workload", "Plans & approvals", "Tickets", "Details", "Events"] {
            #expect(text.contains("─ \(title)"), "missing panel \(title) in\n\(text)")
        }
        #expect(text.contains("replace-store-3"))
        #expect(text.contains("a approve"))
    }

    @Test func wideWindowsUseTwoColumnsAndStillFit() {
        let model = DashboardModel(data: DashboardFixtures.data())
        let lines = DashboardRenderer.lines(model, columns: 140, rows: 40)
        #expect(lines.count == 40)
        #expect(lines.allSatisfy { $0.width == 140 })
        #expect(lines.contains { $0.plain.contains("─ Cluster demo") && $0.plain.contains("─ Plans & approvals") })
    }

    @Test func aShortWindowCollapsesPanelsInsteadOfOverflowing() {
        let model = DashboardModel(data: DashboardFixtures.data())
        let lines = DashboardRenderer.lines(model, columns: 80, rows: 10)
        #expect(lines.count == 10)
        let text = lines.map(\.plain).joined(separator: "\n")
        #expect(text.contains("Plans & approvals"), "the plans panel is the last to go")
        #expect(!text.contains("─ Workload"))
    }

    @Test func longNamesAreTruncatedWithAnEllipsis() {
        let long = DashboardFixtures.plan("a-plan-with-a-name-much-longer-than-any-column-could-ever-show-in-eighty-columns")
        let model = DashboardModel(data: DashboardFixtures.data(plans: [long]))
        let lines = DashboardRenderer.lines(model, columns: 80, rows: 24)
        #expect(lines.allSatisfy { $0.width == 80 })
        let row = lines.first { $0.plain.contains("a-plan-with-a-name") }
        #expect(row != nil)
        #expect(row?.plain.contains("eighty-columns") == false)
        let detail = lines.first { $0.plain.hasPrefix(" plan/a-plan") }
        #expect(detail?.plain.hasSuffix("…") == true)
    }

    @Test func storesAreColouredByStateAndEverySpanResets() {
        let model = DashboardModel(data: DashboardFixtures.data())
        let lines = DashboardRenderer.lines(model, columns: 80, rows: 24)
        let down = lines.first { $0.plain.hasPrefix(" s3") }
        let up = lines.first { $0.plain.hasPrefix(" s1") }
        #expect(down?.spans.contains { $0.text.hasPrefix("Down") && $0.style == .red } == true)
        #expect(up?.spans.contains { $0.text.hasPrefix("Up") && $0.style == .green } == true)
        #expect(down?.ansi.contains("\u{1B}[31mDown") == true)
        for line in lines {
            let ansi = line.ansi
            if let lastStyle = ansi.range(of: "\u{1B}[", options: .backwards), !ansi[lastStyle.lowerBound...].hasPrefix(ANSI.reset) {
                Issue.record("a style is left open at the end of: \(line.plain)")
            }
        }
    }

    @Test func aPlanShowsItsStepsPhasesAndPDRequests() {
        let model = DashboardModel(data: DashboardFixtures.data(plans: [DashboardFixtures.plan(phase: .executing)]))
        let text = DashboardRenderer.lines(model, columns: 100, rows: 40).map(\.plain).joined(separator: "\n")
        #expect(text.contains("✓ Succeeded"))
        #expect(text.contains("▸ Running"))
        #expect(text.contains("PD POST /pd/api/v1/schedulers"))
    }

    @Test func aTicketShowsItsDiagnosis() {
        var t = DashboardFixtures.ticket()
        t.status.diagnosis = Diagnosis(
            ticket: t.name,
            primary: Hypothesis(cause: .storeProcessDown, title: "The TiKV process of store 3 is down", confidence: .high,
                                evidence: [Evidence(.metric, "store/3.metrics.up", "Prometheus cannot scrape store 3 (up = 0)")]),
            alternatives: [Alternative(cause: .networkPartition, title: "Network partition", whyRuledOut: "its metrics are gone too")],
            recommendedAction: "restart the TiKV pod of store 3", provider: "rules", model: "", createdAt: DashboardFixtures.now,
            contextDigest: "0123456789abcdef")
        let model = DashboardModel(data: DashboardFixtures.data(plans: [], tickets: [t]))
        let text = DashboardRenderer.lines(model, columns: 100, rows: 40).map(\.plain).joined(separator: "\n")
        #expect(text.contains("diagnosis (high confidence): The TiKV process of store 3 is down"))
        #expect(text.contains("ruled out: Network partition"))
        #expect(text.contains("recommended: restart the TiKV pod of store 3"))
    }

    @Test func aConsequenceNamesItsRootAndTheRootListsItsConsequences() {
        let root = DashboardFixtures.ticket()
        var consequence = DashboardFixtures.ticket("regionhealth-demo")
        consequence.spec.invariant = "regionHealth"
        consequence.spec.subject = "cluster/demo"
        consequence.spec.summary = "40 regions short"
        consequence.status.incident = TicketIncident(cause: .storeNotAlive, store: 3, root: root.name,
                                                     message: "store 3 is not alive (disconnected)")
        var model = DashboardModel(data: DashboardFixtures.data(plans: [], tickets: [root, consequence]))
        let list = DashboardRenderer.lines(model, columns: 100, rows: 40).map(\.plain)
        #expect(list.contains { $0.contains("regionHealth cluster/demo: 40 regions short  ← storedown-store-3") })
        #expect(list.contains { $0.contains("storeDown store/3:") && !$0.contains("←") })
        // The root's details list what follows from it; the consequence's details name the root and why.
        #expect(list.joined(separator: "\n").contains("incident root of: regionhealth-demo"))
        _ = model.handle(.down)
        let details = DashboardRenderer.lines(model, columns: 100, rows: 40).map(\.plain).joined(separator: "\n")
        #expect(details.contains("incident: consequence of ticket/storedown-store-3: store 3 is not alive (disconnected)"))
    }

    @Test func theConfirmationReplacesTheFooter() {
        var model = DashboardModel(data: DashboardFixtures.data())
        _ = model.handle(.character("a"))
        let lines = DashboardRenderer.lines(model, columns: 80, rows: 24)
        #expect(lines.last?.plain.contains("Approve plan/replace-store-3 at revision") == true)
        #expect(lines.last?.plain.contains("y/n") == true)
    }

    @Test func sparklinesAndMetersScale() {
        #expect(DashboardRenderer.sparkline([0, 1, 2, nil, 4], width: 5) == "▁▃▅ █")
        #expect(DashboardRenderer.sparkline([1], width: 3) == "  █")
        #expect(DashboardRenderer.meter(0.5, width: 4) == "██  ")
        #expect(DashboardRenderer.meter(2, width: 2) == "██")
    }
}
