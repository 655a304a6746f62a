/// Evaluating a scenario's success conditions against the model (PD's view, as PD's simulator checkers read it).
extension Scenario.Condition {
    /// Whether the condition holds, and a line saying what was measured.
    public func evaluate(_ c: ClusterState) -> (holds: Bool, detail: String) {
        // Checkers drop removed stores (PD's simulator) and, here, stores that are offline or not running.
        let live = c.stores.indices.filter { c.stores[$0].state == .up && !c.stores[$0].isRemoving && c.stores[$0].isUp }
        if let x = leadersBalanced { return uniform("leaders", live.map { c.storeStats[$0].leaderCount }, x) }
        if let x = regionsBalanced { return uniform("regions", live.map { c.storeStats[$0].regionCount }, x) }
        if let s = storeState {
            let name = c.store(s.store).map(c.stateName) ?? "missing"
            return (name == s.state, "store \(s.store) is \(name), want \(s.state)")
        }
        if let checks = noRegions {
            let counts = checks.map { name in
                guard let k = ClusterState.RegionCheckKind(rawValue: name) else { return -1 }
                return c.regionCheckSlots(k).count
            }
            return (counts.allSatisfy { $0 == 0 }, zip(checks, counts).map { "\($0): \($1)" }.joined(separator: ", "))
        }
        if let h = hotLeaderSpread ?? hotPeerSpread {
            let leadersOnly = hotLeaderSpread != nil
            var counts = [Int](repeating: 0, count: c.stores.count)
            for slot in c.hotSlots(read: h.flow == "read") {
                let r = c.reported[slot]
                for p in r.peers where !leadersOnly || p.id == r.leaderPeerId {
                    if let i = c.storeIndex(UInt64(p.storeId)) { counts[i] += 1 }
                }
            }
            let mine = live.map { counts[$0] }
            let spread = (mine.max() ?? 0) - (mine.min() ?? 0)
            return (spread <= h.max, "hot \(h.flow) \(leadersOnly ? "leaders" : "peers") per store \(mine), spread \(spread) ≤ \(h.max)")
        }
        if let s = storeLeaders {
            let n = c.storeIndex(s.store).map { c.storeStats[$0].leaderCount } ?? 0
            return (n <= s.max, "store \(s.store) leads \(n) ≤ \(s.max)")
        }
        if let s = storeRegionsBelowMean, let i = c.storeIndex(s.store) {
            let others = live.filter { $0 != i }.map { c.storeStats[$0].regionCount }
            let mean = Double(others.reduce(0, +)) / Double(max(1, others.count))
            let mine = Double(c.storeStats[i].regionCount)
            return (mine <= mean * s.ratio, "store \(s.store) has \(Int(mine)) regions, others' mean \(Int(mean)) × \(s.ratio)")
        }
        if let d = quietFor {
            let last = max(c.scenarioStartNanos, c.records.values.compactMap(\.finishedAtNanos).max() ?? 0)
            let quiet = c.operators.isEmpty && c.nowNanos - last >= d.nanoseconds
            return (quiet, "\(c.operators.count) operators in flight, last finished \((c.nowNanos - last) / ClusterState.second) s ago")
        }
        if let n = storeRegionsAtLeast {
            let counts = live.map { c.storeStats[$0].regionCount }
            return (!counts.isEmpty && counts.allSatisfy { $0 >= n }, "region peers per store \(counts), want ≥ \(n)")
        }
        if let t = totalPeers {
            let total = live.reduce(0) { $0 + c.storeStats[$1].regionCount }
            let lo = Int((1 - t.within) * Double(t.count)), hi = Int((1 + t.within) * Double(t.count))
            return ((lo...hi).contains(total), "\(total) region peers over live stores (\(c.regionCount) regions), want \(lo)…\(hi)")
        }
        if let x = peerShareDeviation {
            let counts = live.map { c.storeStats[$0].regionCount }
            let total = Double(max(1, counts.reduce(0, +)))
            let even = 100 / Double(max(1, counts.count))
            let dev = counts.reduce(0.0) { let p = 100 * Double($1) / total; return $0 + (p - even) * (p - even) } / 100
            return (dev < x, "peer share deviation \((dev * 10_000).rounded() / 10_000) < \(x) (peers per store \(counts))")
        }
        if let l = regionsSharingLabel {
            let n = c.regionsSharing(label: l.label)
            let ok = n >= (l.min ?? 0) && n <= (l.max ?? Int.max)
            return (ok, "\(n) regions with two voters in one \(l.label) (want \(l.min ?? 0)…\(l.max.map(String.init) ?? "any"))")
        }
        if let names = pdUnhealthyMembers {
            let unhealthy = c.members.filter { !$0.healthy }.map(\.name).sorted()
            return (unhealthy == names.sorted(), "unhealthy PD members \(unhealthy) (want \(names.sorted()))")
        }
        if let n = pdLeaderChanges {
            let changes = c.leadership.changes
            return (changes >= n && !c.leaderName.isEmpty, "PD leader changed \(changes) times (want ≥ \(n)), leader \(c.leaderName.isEmpty ? "none" : c.leaderName)")
        }
        if let s = pdClockSkew {
            let skew = c.pdClockSkewNanos
            // What /stores prints: PD's heartbeat stamp, on PD's clock.
            let onWire = c.stores.indices.allSatisfy { i in
                guard case .object(let top) = c.storeInfo(index: i), case .object(let meta)? = top.first(where: { $0.0 == "store" })?.1,
                      case .int(let hb)? = meta.first(where: { $0.0 == "last_heartbeat" })?.1 else { return false }
                return hb == c.stores[i].lastHeartbeatNanos + skew
            }
            let want = Int64(s * 1e9)
            return (skew == want && onWire, "PD clock skew \(Double(skew) / 1e9) s (want \(s)), heartbeat times on the wire \(onWire ? "carry it" : "do not")")
        }
        if let s = storePeers {
            let n = c.storeIndex(s.store).map { c.storeStats[$0].regionCount } ?? 0
            return (n <= s.max, "store \(s.store) holds \(n) region peers ≤ \(s.max)")
        }
        if let e = operatorsEnded {
            let n = c.endedOperatorCounts["\(e.desc) \(e.status)"] ?? 0
            return (n >= e.min, "\(n) \(e.desc) operators ended \(e.status), want ≥ \(e.min)")
        }
        if let s = slowScore {
            let v = c.store(s.store)?.slowScore ?? 0
            let ok = v >= (s.atLeast ?? 0) && v <= (s.atMost ?? .max)
            return (ok, "store \(s.store) slow score \(v), want \(s.atLeast.map { "≥ \($0)" } ?? "") \(s.atMost.map { "≤ \($0)" } ?? "")")
        }
        if let want = evictedSlowStores {
            let listed = c.schedulers.evictSlowStore.evictedStores
            let marked = c.stores.filter(\.evictedAsSlowStore).map(\.id)
            return (listed == want && marked.sorted() == want.sorted(), "evict-stores \(listed), slow-evicted marks \(marked), want \(want)")
        }
        if let s = storeLeadersAtLeast {
            let n = c.storeIndex(s.store).map { c.storeStats[$0].leaderCount } ?? 0
            return (n >= s.min, "store \(s.store) leads \(n) ≥ \(s.min)")
        }
        return (false, "empty condition")
    }

    /// PD's `isUniform`: int((1−x)·mean) ≤ count ≤ int((1+x)·mean), mean an integer division.
    private func uniform(_ what: String, _ counts: [Int], _ x: Double) -> (Bool, String) {
        guard !counts.isEmpty else { return (false, "no live stores") }
        let mean = counts.reduce(0, +) / counts.count
        let lo = Int((1 - x) * Double(mean)), hi = Int((1 + x) * Double(mean))
        return (counts.allSatisfy { (lo...hi).contains($0) }, "\(what) per store \(counts), want \(lo)…\(hi)")
    }
}

/// The result of running a scenario to its expectation.
public struct ScenarioOutcome: Sendable {
    public var passed: Bool
    /// Simulated seconds from the start to success (or to the time limit).
    public var seconds: Int
    /// The last evaluation, one line per condition.
    public var details: [String]
    public var events: [String]
}

extension Scenario {
    /// Runs the scenario on the virtual clock, checking every `checkEvery` seconds once every event has happened,
    /// until all conditions hold or `within` passes. Bounded: at most `within / checkEvery` checks.
    public func run(checkEvery: Int = 10) throws -> ScenarioOutcome {
        guard unsupported == nil else { throw LoadError.invalid("\(name) is unsupported: \(unsupported ?? "")") }
        guard let expect else { throw LoadError.invalid("\(name) has no expectation") }
        var c = try makeCluster()
        let start = c.nowNanos
        // An event has happened once it fired and, for a flow with a duration, once the flow ended.
        let lastEvent = events.map { $0.at.nanoseconds + ($0.writeFlowOnSpot?.duration?.nanoseconds ?? 0) }.max() ?? 0
        let limit = Int(expect.within.nanoseconds / ClusterState.second)
        var details: [String] = []
        let milestones = expect.milestones ?? []
        var reached = [Int?](repeating: nil, count: milestones.count)
        var t = 0
        while t < limit {
            c.advance(seconds: Double(checkEvery))
            t += checkEvery
            for (m, ms) in milestones.enumerated() where reached[m] == nil && c.nowNanos - start <= ms.by.nanoseconds {
                if ms.all.allSatisfy({ $0.evaluate(c).holds }) { reached[m] = t }
            }
            // A milestone past its deadline can no longer be reached: the run has failed.
            if milestones.indices.contains(where: { reached[$0] == nil && c.nowNanos - start > milestones[$0].by.nanoseconds }) { break }
            guard c.nowNanos - start > lastEvent, !reached.contains(where: { $0 == nil }) else { continue }
            let results = expect.all.map { $0.evaluate(c) }
            details = results.map(\.detail)
            if results.allSatisfy(\.holds) { break }
        }
        let early = expect.notBefore.map { Int64(t) * ClusterState.second < $0.nanoseconds } ?? false
        if early { details.append("all held at \(t) s, before not-before \(expect.notBefore?.description ?? "")") }
        let passed = !early && c.nowNanos - start > lastEvent && expect.all.allSatisfy { $0.evaluate(c).holds }
            && !reached.contains(where: { $0 == nil })
        let log = c.eventLog.map { "t=\(($0.atNanos - start) / ClusterState.second)s event \($0.index): \($0.text)" }
        let marks = milestones.enumerated().map { m, ms in
            reached[m].map { "milestone \(m) reached at t=\($0)s (by \(ms.by))" } ?? "milestone \(m) not reached by \(ms.by)"
        }
        return ScenarioOutcome(passed: passed, seconds: t, details: marks + details, events: log)
    }
}
