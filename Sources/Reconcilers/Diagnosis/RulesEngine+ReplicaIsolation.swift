import Foundation

/// Replicas sharing a `location-labels` level. PD's checker (the rule checker with placement rules, the replica checker
/// without) moves such a replica with a `move-to-better-location` operator, counted against `replica-schedule-limit`;
/// so the question is whether PD is fixing it, and if not, what stops it. No automatic action: moving replicas is
/// PD's job, and the runbook says what to check.
extension RulesEngine {
    static func replicaIsolation(_ c: DiagnosisContext) -> Finding {
        let level = c.ticket.subject.hasPrefix("label/") ? String(c.ticket.subject.dropFirst("label/".count)) : c.ticket.subject
        guard let i = c.isolation else {
            return Finding(primary: Hypothesis(cause: .insufficientData, title: "no replica isolation count in this observation", confidence: .low,
                                               evidence: [Evidence(.fact, "sources.isolation", c.sources["isolation"] ?? "unknown")]),
                           recommended: "Wait for a complete observation of the regions' placement.")
        }
        let n = i.regionsByLevel[level] ?? 0
        let count = i.exact ? "\(n)" : "at least \(n)"
        let checker = i.placementRulesEnabled ? "rule" : "replica"
        var ev = [
            Evidence(.fact, "isolation.regionsByLevel", "\(count) regions have two replicas in one \(level)"
                     + (i.exact ? "" : " (among the first \(i.sampledRegions) regions in key order)")),
            Evidence(.fact, "isolation.distinctValues", "the up stores span \(i.distinctValues[level].map(String.init) ?? "?") \(level) values"),
            Evidence(.fact, "isolation.replicaScheduleLimit", "replica-schedule-limit is \(i.replicaScheduleLimit)"),
            Evidence(.fact, "isolation.betterLocationOperators", "\(i.betterLocationOperators) move-to-better-location operators running"),
        ]
        if !i.sample.isEmpty { ev.append(Evidence(.fact, "isolation.sample", "e.g. regions " + i.sample.prefix(5).map(String.init).joined(separator: ", "))) }
        let why: String
        let confidence: Confidence
        if i.replicaScheduleLimit == 0 {
            why = "PD cannot fix it: replica-schedule-limit is 0, so its \(checker) checker may start no move-to-better-location operator"
            confidence = .high
        } else if i.betterLocationOperators > 0 {
            why = "PD's \(checker) checker is moving them (\(i.betterLocationOperators) move-to-better-location operators running)"
            confidence = .high
        } else {
            why = "PD is not moving them: its \(checker) checker may be paused (`GET /pd/api/v1/checker/\(checker)`), held back by store limits "
                + "or busy with higher-priority fixes, or the \(checker == "rule" ? "placement rules' own location_labels" : "stores' labels") "
                + "differ from location-labels"
            confidence = .medium
        }
        return Finding(
            primary: Hypothesis(cause: .replicasNotIsolated, title: "\(count) regions have two replicas in one \(level): \(why)", confidence: confidence, evidence: ev),
            alternatives: [
                Alternative(cause: .storeProcessDown, title: "replicas crowded together while PD replaces a dead store's", contradicting: [ev[1]],
                            whyRuledOut: "counted against the up stores' \(level)s only: enough of them exist to separate every region"),
            ],
            recommended: "No automatic action: placement is PD's to fix and one more failure in that \(level) costs these regions their quorum. "
                + "Runbook: check `pd-ctl config show replication` (location-labels, isolation-level) against the stores' labels (`pd-ctl store`); "
                + "`GET /pd/api/v1/checker/\(checker)` (resume it with `POST /pd/api/v1/checker/\(checker)` `{\"delay\": 0}` if paused); `pd-ctl config show` replica-schedule-limit (raise it from 0); "
                + (i.placementRulesEnabled ? "`pd-ctl config placement-rules show` (each rule's location_labels and isolation_level); " : "")
                + "then watch `pd-ctl operator show` for move-to-better-location operators and this count falling.",
            pdCtl: ["pd-ctl config show replication", "pd-ctl store", "curl $PD/pd/api/v1/checker/\(checker)", "pd-ctl config set replica-schedule-limit 64",
                    "pd-ctl operator show"] + (i.sample.first.map { ["pd-ctl region \($0)"] } ?? []),
            risks: ["Losing one \(level) makes every region with two replicas there unavailable until it is back."])
    }
}
