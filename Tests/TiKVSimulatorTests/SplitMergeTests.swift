import Foundation
import Testing
@testable import TiKVSimulator

/// Region split (TiKV's split check) and merge (PD's merge checker), through the model and the PD API.
@Suite struct SplitMergeTests {
    /// A small cluster from a scenario snippet: every region on stores 1, 2, 3 (round-robin over 3 stores).
    func cluster(regions: Int, size: Int, keys: Int, extra: String = "") throws -> ClusterState {
        try Scenario.parse(yaml: """
        name: t
        cluster: {stores: 3, regions: \(regions), region-size: \(size), region-keys: \(keys), layout: round-robin\(extra)}
        """).makeCluster()
    }

    /// GET through the router, decoded as JSON.
    func get(_ c: ClusterState, _ path: String, _ query: [(String, String)] = []) throws -> (Int, Any?) {
        let reply = PDRouter(cluster: SimulatedCluster(c)).handle(.init(method: "GET", path: path, query: query))
        guard case .bytes(let b) = reply.body else { return (reply.status, nil) }
        return (reply.status, try? JSONSerialization.jsonObject(with: Data(b), options: [.fragmentsAllowed]))
    }

    func regionIds(_ body: Any?) -> [Int] {
        ((body as? [String: Any])?["regions"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
    }

    @Test func splitsOnTheThresholdIntoHalves() throws {
        var c = try cluster(regions: 2, size: 10, keys: 100_000)
        c.advance(seconds: 1)
        let slot = c.slot(atRank: 1)
        let before = c.truth[slot]
        let start = c.startCode(slot: slot), end = c.endCode(slot: slot)
        let maxIdBefore = c.truth.flatMap { [$0.id] + $0.peers.map(\.id) }.max() ?? 0
        #expect(c.regionCount == 2)

        c.setSplitThresholds(sizeMiB: 10, keys: 0)
        c.advance(seconds: 1)
        #expect(c.regionCount == 4)
        // The original keeps its id and the right half; the new region takes the left half just before it.
        let rank = try #require(c.keyOrder.rank(ofSlot: slot))
        let left = c.slot(atRank: rank - 1)
        let mid = c.startCode(slot: slot)
        #expect(c.startCode(slot: left) == start && c.endCode(slot: left) == mid && c.endCode(slot: slot) == end)
        #expect(mid > start && (end == 0 || mid < end))
        let l = c.truth[left], r = c.truth[slot]
        #expect(r.id == before.id && l.id > maxIdBefore)
        #expect(l.version == before.version + 1 && r.version == before.version + 1)
        #expect(l.confVer == before.confVer && r.confVer == before.confVer)
        #expect(l.approximateSizeMiB == 5 && r.approximateSizeMiB == 5)
        #expect(l.approximateKeys == 50_000 && r.approximateKeys == 50_000)
        #expect(Set(l.peers.map(\.storeId)) == Set(before.peers.map(\.storeId)))
        #expect(Set(l.peers.map(\.id)).isDisjoint(with: before.peers.map(\.id)) && l.peers.allSatisfy { $0.id > maxIdBefore })
        #expect(l.leaderStoreId == before.leaderStoreId && r.leaderStoreId == before.leaderStoreId)
        // PD heard of both at once: reported view, per-store sums, and the API.
        #expect(c.reported[left] == l && c.reported[slot] == r)
        #expect(c.storeStats.map(\.regionCount) == [4, 4, 4])
        let (status, body) = try get(c, "/pd/api/v1/region/id/\(l.id)")
        #expect(status == 200)
        let obj = try #require(body as? [String: Any])
        #expect(obj["start_key"] as? String == RegionKey.hex(code: start) && obj["end_key"] as? String == RegionKey.hex(code: mid))
        #expect((obj["epoch"] as? [String: Any])?["version"] as? Int == Int(before.version) + 1)
        // regions/key pages walk the key order, the new region just before the original.
        let (_, page) = try get(c, "/pd/api/v1/regions/key", [("key", ""), ("limit", "10")])
        let ids = regionIds(page)
        #expect(ids.count == 4 && ids.firstIndex(of: Int(l.id)).map { ids[$0 + 1] } == Int(r.id))
        // Under the thresholds now: no further split.
        c.advance(seconds: 5)
        #expect(c.regionCount == 4)
    }

    @Test func splitIsOffByDefault() throws {
        var c = try cluster(regions: 3, size: 200, keys: 5_000_000)
        c.advance(seconds: 30)
        #expect(c.regionCount == 3 && c.splitSizeMiB == 0 && c.splitKeys == 0 && !c.mergeCheckerEnabled)
    }

    @Test func writesFollowTheKeyAcrossSplits() throws {
        var c = try Scenario.parse(yaml: """
        name: t
        cluster: {stores: 3, regions: 1, region-size: 1, region-keys: 100, layout: round-robin, split-size: 64}
        events:
          - {at: 0s, write-flow-on-spot: {table: 1, mib: 40, for: 20s}}
        """).makeCluster()
        c.advance(seconds: 10)
        let key = RegionKey.code(table: 1)
        let hot = c.slot(atRank: try #require(c.keyOrder.rank(containingCode: key)))
        #expect(c.regionCount > 1)
        #expect(c.truth[hot].writtenBytes == (40 << 20) * 60)
        // Every other region got no spot writes after its split.
        let others = c.keyOrder.slots.map(Int.init).filter { $0 != hot }
        #expect(others.allSatisfy { c.truth[$0].approximateSizeMiB < 64 })
        c.advance(seconds: 20)
        #expect(c.spotFlows.isEmpty && c.truth.allSatisfy { $0.writtenBytes == 0 })
    }

    @Test func mergesAdjacentSmallRegionsWithinTheLimit() throws {
        var c = try cluster(regions: 40, size: 10, keys: 100_000, extra: ", merge: true")
        try c.config.set("schedule.max-merge-region-size", to: .int(20))
        try c.config.set("schedule.max-merge-region-keys", to: .int(200_000))
        try c.config.set("schedule.merge-schedule-limit", to: .int(4))
        let ids = c.keyOrder.slots.map { c.truth[Int($0)].id }
        c.advance(seconds: 1)
        // Two merges in flight: an operator of kind merge on each side.
        let merging = c.operators.values.filter { $0.kind.contains(.merge) }
        #expect(merging.count == 4)
        let op = try #require(merging.first { if case .mergeRegion(_, _, false)? = $0.steps.first { true } else { false } })
        guard case .mergeRegion(let from, let to, _)? = op.steps.first else { Issue.record("no merge step"); return }
        #expect(op.desc == "merge-region" && op.brief == "merge: region \(from) to \(to)")
        // Adjacent in key order.
        let fi = try #require(ids.firstIndex(of: from)), ti = try #require(ids.firstIndex(of: to))
        #expect(abs(fi - ti) == 1)
        let source = c.truth[try #require(c.slot(ofRegion: from))], target = c.truth[try #require(c.slot(ofRegion: to))]
        c.advance(seconds: 1)
        #expect(c.slot(ofRegion: from) == nil)
        let merged = c.truth[try #require(c.slot(ofRegion: to))]
        #expect(merged.version == max(source.version, target.version) + 1 && merged.confVer == target.confVer)
        #expect(merged.approximateSizeMiB == 20 && merged.approximateKeys == 200_000)
        #expect(c.records[from]?.status == .success && c.records[to]?.status == .success)
        // The merged-away region is gone from every endpoint.
        #expect(try get(c, "/pd/api/v1/region/id/\(from)").0 == 404)
        let all = regionIds(try get(c, "/pd/api/v1/regions/key", [("key", ""), ("limit", "0")]).1)
        #expect(!all.contains(Int(from)) && all.contains(Int(to)) && all.count == c.regionCount)
        #expect(!regionIds(try get(c, "/pd/api/v1/regions/store/1").1).contains(Int(from)))
        #expect(try get(c, "/pd/api/v1/regions/count").1.flatMap { ($0 as? [String: Any])?["count"] as? Int } == c.regionCount)
        #expect(c.storeStats.map(\.regionCount) == Array(repeating: c.regionCount, count: 3))
        // The key ranges still tile the key space.
        let ks = c.keyOrder.slots.map(Int.init)
        for (a, b) in zip(ks, ks.dropFirst()) { #expect(c.endCode(slot: a) == c.startCode(slot: b)) }
        #expect(c.startCode(slot: ks[0]) == 0 && ks.last.map { c.endCode(slot: $0) } == 0)
        // Runs to the end: nothing left at or under 20 MiB next to a mergeable neighbour, sizes add up.
        c.advance(seconds: 600)
        #expect(c.operators.isEmpty)
        #expect(c.keyOrder.slots.reduce(0) { $0 + Int(c.truth[Int($1)].approximateSizeMiB) } == 400)
        #expect(c.regionCount <= 14)
    }

    @Test func splitRegionsWaitTheSplitMergeInterval() throws {
        var c = try cluster(regions: 2, size: 40, keys: 100_000, extra: ", merge: true")
        try c.config.set("schedule.max-merge-region-size", to: .int(20))
        try c.config.set("schedule.max-merge-region-keys", to: .int(200_000))
        try c.config.set("schedule.split-merge-interval", to: .string("10m"))
        let first = c.splitRegionNow(id: c.truth[c.slot(atRank: 0)].id)
        let second = c.splitRegionNow(id: c.truth[c.slot(atRank: 2)].id)
        #expect(first && second)
        c.advance(seconds: 1)
        #expect(c.regionCount == 4 && c.recentSplits.count == 4)
        c.advance(seconds: 590)
        #expect(c.regionCount == 4 && c.operators.isEmpty)
        c.advance(seconds: 30)
        #expect(c.regionCount < 4)
    }

    @Test func mergeIsOffUnlessEnabledAndNeedsTheSameStores() throws {
        var off = try cluster(regions: 10, size: 5, keys: 1000)
        off.advance(seconds: 300)
        #expect(off.regionCount == 10)
        // Regions on different stores (random layout over 6 stores) are not merged by this model.
        var c = try Scenario.parse(yaml: "name: t\ncluster: {stores: 6, regions: 2, region-size: 5, region-keys: 1000, layout: round-robin, merge: true}\n").makeCluster()
        c.advance(seconds: 60)
        #expect(c.regionCount == 2)
        let merged = c.mergeNow(source: c.truth[c.slot(atRank: 0)].id, target: c.truth[c.slot(atRank: 1)].id)
        #expect(!merged)
    }
}
