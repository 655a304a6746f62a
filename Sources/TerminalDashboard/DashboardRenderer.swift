import ControllerRuntime
import Foundation
import PDWire
import Reconcilers

/// Model + window size → the frame's lines, pure. Every line is exactly `columns` visible
/// characters and every styled span ends with a reset, so no colour leaks into the next span, line
/// or the shell after exit. Narrow windows stack the panels; wide ones (≥ 110 columns) use two columns.
package enum DashboardRenderer {
    struct Style: Equatable, Sendable {
        var codes: [Int]
        static let plain = Style(codes: [])
        static let bold = Style(codes: [1])
        static let dim = Style(codes: [2])
        static let red = Style(codes: [31])
        static let green = Style(codes: [32])
        static let yellow = Style(codes: [33])
        static let magenta = Style(codes: [35])
        static let cyan = Style(codes: [36])
        static let title = Style(codes: [1, 36])
        static let bar = Style(codes: [7])
        func with(_ other: Style) -> Style { Style(codes: codes + other.codes.filter { !codes.contains($0) }) }
    }

    struct Span: Equatable, Sendable {
        var text: String
        var style: Style

        /// Every cell's text is escaped here, once, so nothing from PD or a model reaches the terminal raw.
        init(text: String, style: Style) {
            self.text = TerminalText.sanitized(text, multiline: false)
            self.style = style
        }
    }

    /// One row of the frame as styled spans.
    struct Line: Equatable, Sendable {
        var spans: [Span]
        init(_ spans: [Span] = []) { self.spans = spans }
        init(_ text: String, _ style: Style = .plain) { spans = [Span(text: text, style: style)] }
        var plain: String { spans.map(\.text).joined() }
        var width: Int { spans.reduce(0) { $0 + $1.text.count } }

        /// Cut to `width` (the last kept character becomes "…" when something was cut), then pad.
        func fitted(_ width: Int) -> Line {
            guard width > 0 else { return Line() }
            var out: [Span] = []
            var left = width
            let cut = self.width > width
            for span in spans where left > 0 {
                if span.text.count <= left && !(cut && span.text.count == left) {
                    out.append(span)
                    left -= span.text.count
                } else {
                    let keep = cut ? left - 1 : left
                    out.append(Span(text: String(span.text.prefix(keep)) + (cut ? "…" : ""), style: span.style))
                    left = 0
                }
            }
            if left > 0 { out.append(Span(text: String(repeating: " ", count: left), style: .plain)) }
            return Line(out)
        }

        var ansi: String {
            spans.map { span in
                span.style.codes.isEmpty || span.text.isEmpty
                    ? span.text : ANSI.escape + span.style.codes.map(String.init).joined(separator: ";") + "m" + span.text + ANSI.reset
            }.joined()
        }
    }

    /// The frame as styled lines (tests read `plain`; the loop writes `frameText`).
    static func lines(_ model: DashboardModel, columns: Int, rows: Int) -> [Line] {
        let width = max(1, columns)
        let height = max(1, rows)
        var frame: [Line] = [titleBar(model).fitted(width)]
        let body = height - 2
        if body > 0 {
            if width >= 110 {
                let left = width / 2
                let right = width - left - 1
                let a = column([clusterPanel(model, width: left), workloadPanel(model, width: left), eventsPanel(model, width: left)],
                               width: left, height: body)
                let b = column(demoPanel(model) + [plansPanel(model, width: right), ticketsPanel(model, width: right), detailsPanel(model, width: right)],
                               width: right, height: body)
                for i in 0..<body { frame.append(Line(a[i].spans + [Span(text: "│", style: .dim)] + b[i].spans)) }
            } else {
                frame += column(demoPanel(model) + [clusterPanel(model, width: width), workloadPanel(model, width: width), plansPanel(model, width: width),
                                 ticketsPanel(model, width: width), detailsPanel(model, width: width), eventsPanel(model, width: width)],
                                width: width, height: body)
            }
        }
        if height >= 2 { frame.append(footer(model).fitted(width)) }
        return Array(frame.prefix(height))
    }

    /// The bytes of one redraw: cursor home, then every line, written over the previous frame.
    package static func frameText(_ model: DashboardModel, columns: Int, rows: Int) -> String {
        ANSI.home + lines(model, columns: columns, rows: rows).map(\.ansi).joined(separator: "\r\n")
    }

    // MARK: Layout

    struct Panel {
        var title: String
        var rows: [Line]
        /// Index of the row that must stay visible (the selection).
        var focus: Int?
        /// Rows beyond this are worth less than other panels' rows.
        var preferred: Int
        /// Collapse order when the window is short: lower goes first.
        var keep: Int
    }

    /// Stacks panels into `height` rows of `width`: each gets its title and one row, then rows go to
    /// panels up to their preferred size in `keep` order, and what is left to the last panel.
    static func column(_ panels: [Panel], width: Int, height: Int) -> [Line] {
        var shown = panels
        while shown.count * 2 > height, let weakest = shown.indices.min(by: { shown[$0].keep < shown[$1].keep }) {
            shown.remove(at: weakest)
        }
        var sizes = shown.map { _ in 1 }
        var left = height - shown.count * 2
        for i in shown.indices.sorted(by: { shown[$0].keep > shown[$1].keep }) where left > 0 {
            let extra = min(left, max(0, min(shown[i].rows.count, shown[i].preferred) - 1))
            sizes[i] += extra
            left -= extra
        }
        for i in shown.indices.sorted(by: { shown[$0].keep > shown[$1].keep }) where left > 0 {
            let extra = min(left, max(0, shown[i].rows.count - sizes[i]))
            sizes[i] += extra
            left -= extra
        }
        if left > 0, let last = shown.indices.last { sizes[last] += left }

        var out: [Line] = []
        for (i, panel) in shown.enumerated() {
            let label = "─ \(panel.title) "
            out.append(Line([Span(text: label + String(repeating: "─", count: max(0, width - label.count)), style: .title)]).fitted(width))
            out += visible(panel, rows: sizes[i]).map { $0.fitted(width) }
        }
        while out.count < height { out.append(Line().fitted(width)) }
        return out
    }

    /// The rows of a panel that fit, scrolled to keep its focus row in view, with "… N more" when cut.
    static func visible(_ panel: Panel, rows: Int) -> [Line] {
        let all = panel.rows.isEmpty ? [Line("  none", .dim)] : panel.rows
        guard all.count > rows else { return all + Array(repeating: Line(), count: rows - all.count) }
        guard rows > 1 else { return [all[panel.focus ?? 0]] }
        let room = rows - 1
        let start = min(max(0, (panel.focus ?? 0) - room + 1), all.count - room)
        let hidden = all.count - room
        return Array(all[start..<start + room]) + [Line("  … \(hidden) more", .dim)]
    }

    // MARK: Panels

    static func titleBar(_ model: DashboardModel) -> Line {
        let d = model.data
        let open = d.tickets.filter { $0.status.state == .open }.count
        let waiting = d.plans.filter { $0.status.phase == .pending }.count
        var text = " Operator · cluster \(d.cluster)"
        if let mode = d.mode { text += " (\(mode))" }
        text += " · \(d.stores.count) stores · \(open) open ticket\(open == 1 ? "" : "s") · \(waiting) plan\(waiting == 1 ? "" : "s") pending · \(clock(d.now)) "
        return Line(text, .bar)
    }

    static func footer(_ model: DashboardModel) -> Line {
        if let c = model.confirming {
            let verb = c.decision == .approve ? "Approve" : "Reject"
            return Line(" \(verb) plan/\(c.plan) at revision \(c.revision)? y/n ", Style.yellow.with(.bold))
        }
        if let message = model.message { return Line(" \(message)", .bold) }
        return Line(" ↑/↓ j/k select · a approve · r reject · q quit", .dim)
    }

    /// The demo's narration (only inside `operator demo`): the chapter and what it waits for.
    static func demoPanel(_ model: DashboardModel) -> [Panel] {
        guard !model.data.narration.isEmpty else { return [] }
        let rows = model.data.narration.map { Line($0, $0.contains("? ") ? Style.yellow.with(.bold) : .plain) }
        return [Panel(title: "Demo", rows: rows, focus: rows.count - 1, preferred: rows.count, keep: 7)]
    }

    static func clusterPanel(_ model: DashboardModel, width: Int) -> Panel {
        let stores = model.data.stores.sorted { $0.id < $1.id }
        var rows: [Line] = []
        if let problem = model.data.observationProblem { rows.append(Line("  \(problem)", .red)) }
        let maxLeaders = max(1, stores.map(\.leaderCount).max() ?? 1)
        let maxRegions = max(1, stores.map(\.regionCount).max() ?? 1)
        // Fixed text is 45 columns; the rest goes to the two bars and, when wide, a QPS sparkline.
        let room = max(0, width - 45)
        let spark = room >= 36 ? min(20, room / 3) : 0
        let bar = min(30, max(3, (room - (spark > 0 ? spark + 1 : 0)) / 2))
        for s in stores {
            let style = stateStyle(s)
            var spans = [Span(text: pad(" s\(s.id)", 5), style: .bold), Span(text: pad(stateLabel(s), 13), style: style)]
            spans.append(Span(text: "L ", style: .dim))
            spans.append(Span(text: meter(Double(s.leaderCount) / Double(maxLeaders), width: bar), style: .cyan))
            spans.append(Span(text: " " + pad(String(s.leaderCount), 5), style: .plain))
            spans.append(Span(text: "R ", style: .dim))
            spans.append(Span(text: meter(Double(s.regionCount) / Double(maxRegions), width: bar), style: .magenta))
            spans.append(Span(text: " " + pad(String(s.regionCount), 6), style: .plain))
            if let free = s.availablePercent {
                let used = 100 - free
                spans.append(Span(text: "used " + pad(String(format: "%.0f%%", used), 5), style: used >= 80 ? .red : used >= 60 ? .yellow : .plain))
            } else {
                spans.append(Span(text: "used ?    ", style: .dim))
            }
            if spark > 0 { spans.append(Span(text: " " + sparkline(model.history.storeQPS[s.id] ?? [], width: spark), style: .green)) }
            rows.append(Line(spans))
        }
        return Panel(title: "Cluster \(model.data.cluster)", rows: rows, focus: nil, preferred: rows.count, keep: 5)
    }

    static func workloadPanel(_ model: DashboardModel, width: Int) -> Panel {
        let h = model.history
        func part(_ label: String, _ series: [Double?], _ unit: (Double) -> String, _ w: Int) -> [Span] {
            let latest = series.last.flatMap { $0 }
            let value = latest.map(unit) ?? "unknown"
            let graph = max(4, w - label.count - value.count - 3)
            return [Span(text: label + " ", style: .bold), Span(text: sparkline(series, width: graph), style: .green), Span(text: " " + value + " ", style: .plain)]
        }
        let qps = { (v: Double) in v >= 10_000 ? String(format: "%.1fk/s", v / 1000) : String(format: "%.0f/s", v) }
        let ms = { (v: Double) in String(format: "%.1f ms", v * 1000) }
        let rows: [Line]
        if width >= 60 {
            let half = width / 2
            rows = [Line(part("QPS", h.qps, qps, half) + [Span(text: "│ ", style: .dim)] + part("p99", h.p99, ms, width - half - 2))]
        } else {
            rows = [Line(part("QPS", h.qps, qps, width)), Line(part("p99", h.p99, ms, width))]
        }
        return Panel(title: "Workload (last \(h.qps.count) refreshes)", rows: rows, focus: nil, preferred: rows.count, keep: 1)
    }

    static func plansPanel(_ model: DashboardModel, width: Int) -> Panel {
        var focus: Int?
        let rows = model.data.plans.enumerated().map { i, p -> Line in
            let selected = model.selection == .plan(p.name)
            if selected { focus = i }
            let done = p.status.steps.filter { $0.phase == .succeeded || $0.phase == .skipped }.count
            let decided = model.decisions(for: p)
            let who: String
            if let rejection = decided.first(where: { $0.decision == .reject }) {
                who = "rejected by \(rejection.approver)"
            } else if !decided.isEmpty {
                who = "approved by " + Set(decided.map(\.approver)).sorted().joined(separator: ", ")
            } else if let blocked = p.status.conditions[type: .blocked], blocked.status == .true {
                who = blocked.reason == Gate.approval.rawValue ? "awaiting approval" : "blocked: \(blocked.reason)"
            } else {
                who = ""
            }
            let marker = Span(text: selected ? "▶ " : "  ", style: .bold)
            let base: Style = selected ? .bar : .plain
            return Line([marker, Span(text: pad(p.name, 28) + " ", style: base.with(.bold)),
                         Span(text: pad(p.status.phase.rawValue, 10), style: phaseStyle(p.status.phase)),
                         Span(text: pad(p.spec.risk.rawValue, 7), style: riskStyle(p.spec.risk)),
                         Span(text: pad("\(done)/\(p.spec.steps.count)", 6), style: .plain),
                         Span(text: who, style: who.hasPrefix("awaiting") ? .yellow : .dim)])
        }
        return Panel(title: "Plans & approvals (\(model.data.plans.count))", rows: rows, focus: focus, preferred: 4, keep: 6)
    }

    static func ticketsPanel(_ model: DashboardModel, width: Int) -> Panel {
        var focus: Int?
        let now = model.data.now
        let rows = model.data.tickets.enumerated().map { i, t -> Line in
            let selected = model.selection == .ticket(t.name)
            if selected { focus = i }
            let since = t.status.firstSeen ?? t.metadata.creationTimestamp
            return Line([Span(text: selected ? "▶ " : "  ", style: .bold),
                         Span(text: pad(t.spec.severity.rawValue.uppercased(), 9), style: severityStyle(t.spec.severity).with(selected ? .bar : .plain)),
                         Span(text: pad(t.status.state.rawValue, 9), style: t.status.state == .resolved ? .dim : .plain),
                         Span(text: pad(since.map { age(now.timeIntervalSince($0)) } ?? "-", 5), style: .dim),
                         Span(text: "\(t.spec.invariant) \(t.spec.subject): \(t.spec.summary)", style: t.status.state == .resolved ? .dim : .plain),
                         Span(text: incidentSuffix(t), style: .dim)])
        }
        return Panel(title: "Tickets (\(model.data.tickets.filter { $0.status.state != .resolved }.count) active)", rows: rows,
                     focus: focus, preferred: 3, keep: 3)
    }

    /// A consequence's row names its root, so an incident reads as one group in the list.
    static func incidentSuffix(_ t: Ticket) -> String {
        guard let incident = t.status.incident else { return "" }
        return "  ← " + (incident.root ?? incident.cause.rawValue)
    }

    static func detailsPanel(_ model: DashboardModel, width: Int) -> Panel {
        var rows: [Line] = []
        if let p = model.selectedPlan {
            rows.append(Line([Span(text: " plan/\(p.name) ", style: .bold), Span(text: "rev \(p.spec.revision) · \(p.spec.origin.rawValue) · \(p.spec.reason)", style: .plain)]))
            let conditions = p.status.conditions.filter { $0.status == .true && !$0.message.isEmpty }
            for c in conditions.prefix(2) { rows.append(Line("   \(c.type): \(c.message)", .dim)) }
            for (i, step) in p.spec.steps.enumerated() {
                let status = i < p.status.steps.count ? p.status.steps[i] : StepStatus(name: step.name)
                rows.append(Line([Span(text: " \(pad(String(i + 1), 3))", style: .dim),
                                  Span(text: stepSymbol(status.phase) + " " + pad(status.phase.rawValue, 10), style: stepStyle(status.phase)),
                                  Span(text: pad(step.risk.rawValue, 7), style: riskStyle(step.risk)),
                                  Span(text: step.action.summary, style: .plain)]))
                if let request = status.pdRequest { rows.append(Line("       PD \(request)", .cyan)) }
                if let error = status.lastError, status.phase != .succeeded { rows.append(Line("       error: \(error)", .red)) }
            }
        } else if let t = model.selectedTicket {
            rows.append(Line([Span(text: " ticket/\(t.name) ", style: .bold), Span(text: "\(t.spec.severity.rawValue) · \(t.status.state.rawValue) · \(t.spec.summary)", style: .plain)]))
            if t.status.occurrences > 1 || t.status.flapping {
                rows.append(Line("   seen \(t.status.occurrences) times" + (t.status.flapping ? " · flapping" : ""), .yellow))
            }
            if let incident = t.status.incident {
                // A consequence says what it follows from before anything else: its own plan waits on that root.
                rows.append(Line("   incident: consequence of \(incident.root.map { "ticket/\($0)" } ?? "no ticket (a fact)"): \(incident.message)", .yellow))
            }
            let consequences = model.data.tickets.filter { $0.status.incident?.root == t.name && $0.status.state != .resolved }
            if !consequences.isEmpty {
                rows.append(Line("   incident root of: " + consequences.map(\.name).sorted().joined(separator: ", "), .yellow))
            }
            for r in t.status.readings {
                rows.append(Line("   \(r.name) = \(r.value.map { String(format: "%.2f", $0) } ?? "unknown") \(r.unit)  (\(r.source))", .plain))
            }
            if let d = t.status.diagnosis {
                rows.append(Line("   diagnosis (\(d.primary.confidence.rawValue) confidence): \(d.primary.title)", .bold))
                for e in d.primary.evidence.prefix(3) { rows.append(Line("     · \(e.statement)", .plain)) }
                for a in d.alternatives.prefix(2) { rows.append(Line("     ruled out: \(a.title) — \(a.whyRuledOut)", .dim)) }
                rows.append(Line("   recommended: \(d.recommendedAction)", .cyan))
            }
            if let plan = t.status.plan { rows.append(Line("   plan: \(plan)", .cyan)) }
        }
        return Panel(title: "Details", rows: rows, focus: nil, preferred: 6, keep: 4)
    }

    static func eventsPanel(_ model: DashboardModel, width: Int) -> Panel {
        let rows = model.data.events.map { e -> Line in
            Line([Span(text: " " + clock(e.lastTimestamp) + " ", style: .dim),
                  Span(text: pad(e.reason, 18), style: e.type == .warning ? .yellow : .plain),
                  Span(text: "\(e.regardingKind.lowercased())/\(e.regardingName): \(e.message)" + (e.count > 1 ? " ×\(e.count)" : ""), style: .plain)])
        }
        return Panel(title: "Events", rows: rows, focus: nil, preferred: 3, keep: 2)
    }

    // MARK: Pieces

    /// A horizontal bar of `width` cells filled to `fraction`, in eighths.
    static func meter(_ fraction: Double, width: Int) -> String {
        let f = fraction.isFinite ? min(max(fraction, 0), 1) : 0
        let eighths = Int((f * Double(width * 8)).rounded())
        let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][eighths % 8]
        let text = String(repeating: "█", count: eighths / 8) + partial
        return text + String(repeating: " ", count: max(0, width - text.count))
    }

    /// The last `width` samples scaled from 0 to their maximum; an unknown sample is a gap.
    static func sparkline(_ series: [Double?], width: Int) -> String {
        let ticks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        let tail = series.suffix(width)
        let top = tail.compactMap { $0 }.max() ?? 0
        let marks = tail.map { value -> Character in
            guard let v = value, v.isFinite else { return " " }
            guard top > 0 else { return ticks[0] }
            return ticks[min(7, max(0, Int((v / top * 7).rounded())))]
        }
        return String(repeating: " ", count: max(0, width - marks.count)) + String(marks)
    }

    package static func stateLabel(_ s: StoreSnapshot) -> String {
        if s.isTombstone { return "Tombstone" }
        if s.state == .offline { return "Offline" }
        switch s.liveness {
        case .alive: return s.isBusy ? "Up (busy)" : "Up"
        case .disconnected: return "Disconnected"
        case .down: return "Down"
        case .tombstone: return "Tombstone"
        case .neverSeen: return "NeverSeen"
        }
    }

    static func stateStyle(_ s: StoreSnapshot) -> Style {
        if s.isTombstone { return .dim }
        if s.state == .offline { return .magenta }
        switch s.liveness {
        case .alive: return s.isBusy ? .yellow : .green
        case .disconnected: return .yellow
        case .down: return .red
        case .tombstone, .neverSeen: return .dim
        }
    }

    static func severityStyle(_ s: Severity) -> Style {
        switch s {
        case .critical: Style.red.with(.bold)
        case .warning: .yellow
        case .info: .cyan
        }
    }

    static func phaseStyle(_ p: PlanPhase) -> Style {
        switch p {
        case .pending: .yellow
        case .approved, .executing: .cyan
        case .succeeded: .green
        case .failed, .rejected: .red
        case .cancelled, .superseded: .dim
        }
    }

    static func riskStyle(_ r: RiskTier) -> Style {
        switch r {
        case .low: .dim
        case .medium: .yellow
        case .high: .red
        }
    }

    static func stepStyle(_ p: StepPhase) -> Style {
        switch p {
        case .pending: .dim
        case .running: .cyan
        case .succeeded: .green
        case .failed: .red
        case .skipped: .dim
        }
    }

    static func stepSymbol(_ p: StepPhase) -> String {
        switch p {
        case .pending: "·"
        case .running: "▸"
        case .succeeded: "✓"
        case .failed: "✗"
        case .skipped: "-"
        }
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? String(text.prefix(max(0, width - 1))) + (width > 0 ? " " : "") : text + String(repeating: " ", count: width - text.count)
    }

    static func age(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds))
        if s < 120 { return "\(s)s" }
        if s < 7200 { return "\(s / 60)m" }
        if s < 172_800 { return "\(s / 3600)h" }
        return "\(s / 86400)d"
    }

    package static func clock(_ date: Date) -> String {
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC") ?? .current, from: date)
        return String(format: "%02d:%02d:%02d", c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }
}
