import Foundation
import Testing
import Reconcilers
import TiKVSimulator
import TestSupport
@testable import TiKVController

/// One request value from plan to wire: the `PDCall` planning produces is what dry-run shows, what a step's
/// intent and the audit record, and — byte for byte — what PD receives.
@Suite struct OneRequestValueTests {
    /// An action of every mutating kind, aimed at the simulated cluster so PD can take it.
    static func actions(_ c: ClusterState) -> [Action] {
        let r = c.reported.first { $0.known && $0.peers.count == 3 && c.operators[$0.id] == nil }
        let region = r?.id ?? 0
        let leader = UInt64(r?.leaderStoreId ?? 1)
        let follower = UInt64(r?.peers.first { $0.id != r?.leaderPeerId }?.storeId ?? 2)
        let outside = c.stores.map(\.id).first { id in r?.peers.contains { UInt64($0.storeId) == id } == false } ?? 6
        return ActionKind.allCases.filter(\.mutates).map { kind -> Action in
            switch kind {
            case .transferLeader: .transferLeader(region: region, from: leader, to: follower)
            case .transferPeer: .transferPeer(region: region, from: follower, to: outside)
            case .removeScheduler: Action(kind: .removeScheduler, scheduler: "balance-hot-region-scheduler")
            case .setStoreWeight: .setStoreWeight(outside, leader: 2, region: 1.5)
            case .removeFailedStores: Action(kind: .removeFailedStores, storeIDs: [outside])
            case .splitRegion: .splitRegion(region, keys: RegionKeyRange(start: "", end: ""))
            default: .store(kind, outside)
            }
        }
    }

    @Test func everyActionKindReachesPDAsPlanned() async throws {
        let cluster = SimulatedCluster.generated(stores: 6, regions: 200, seed: 3)
        cluster.advance(seconds: 20)
        let server = try SimulatorServer(cluster: cluster, host: "127.0.0.1", port: 0, advertiseListeners: false)
        let port = try await server.start()
        try await withServer(server) { server in
            let sender = StepSender(pd: FakePD.client([try #require(URL(string: "http://127.0.0.1:\(port)"))]))
            var calls = try Self.actions(cluster.withState { $0 }).map { try #require(PDCall.forAction($0), "\($0.kind)") }
            calls.append(PDCall.cancelOperator(region: 4))
            #expect(Set(calls.map(\.path)).count >= 6, "the kinds cover distinct requests: \(calls)")
            for call in calls {
                let before = cluster.withState { $0.mutationLog.count }
                _ = await sender.send(call)
                let received = cluster.withState { Array($0.mutationLog.dropFirst(before)) }
                #expect(received.count == 1, "\(call): PD received \(received.count) requests")
                guard let m = received.first else { continue }
                #expect(m.method == call.method)
                #expect(m.path == "/pd/api/v1" + call.path)
                #expect(m.query == call.query.map { "\($0)=\($1)" }.joined(separator: "&"))
                #expect(Array(m.body.utf8) == Array((call.body ?? "").utf8), "body bytes of \(call)")
                // What the audit, the step's intent and dry-run print is the same request, read back from the wire.
                let wire = "\(m.method) \(m.path)\(m.query.isEmpty ? "" : "?" + m.query)\(m.body.isEmpty ? "" : " " + m.body)"
                #expect(call.description == wire)
            }
        }
    }

    /// A step whose action lacks a parameter is never sent with a made-up id: it fails and says why.
    @Test func anActionMissingAParameterIsNeverSent() {
        #expect(PDCall.forAction(Action(kind: .transferLeader, regionID: 7)) == nil)
        #expect(PDCall.forAction(Action(kind: .offlineStore)) == nil)
        #expect(PDCall.forAction(Action(kind: .removeFailedStores)) == nil)
        #expect(PDCall.forAction(Action(kind: .removeFailedStores, storeIDs: [])) == nil)
        #expect(PDCall.forAction(Action(kind: .splitRegion, regionID: 7)) == nil, "a split without the range it is verified against")
        let step = PlanStep(name: "move", action: Action(kind: .transferLeader, regionID: 7), expectedEffect: "", timeout: .minutes(1))
        #expect(step.action.missingParameters == ["toStoreID"])
    }
}
