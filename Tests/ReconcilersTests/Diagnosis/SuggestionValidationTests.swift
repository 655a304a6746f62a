import Foundation
import PDWire
import Testing
@testable import Reconcilers

/// Model suggestions checked against the snapshot: what a person is shown as a suggestion must at least make
/// sense for the ticket and the cluster as observed.
@Suite struct SuggestionValidationTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// Four stores; store 2 slow (the ticket's), store 4 down, the rest Up and alive; region 7 is hot on store 2.
    func context(invariant: String = "highLatency", subject: String = "store/2", readings: [Reading] = [],
                 schedulers: [String] = []) -> DiagnosisContext {
        var sources: [ObservationSource: SourceState] = [:]
        for s in ClusterSnapshot.requiredSources { sources[s] = .complete }
        let stores = (1...4).map { (id: Int) -> StoreSnapshot in
            let down = id == 4
            let heartbeat: Date = now.addingTimeInterval(down ? -3_600 : -3)
            let liveness: StoreLiveness = down ? .down : .alive
            return StoreSnapshot(id: UInt64(id), address: "tikv-\(id):20160", stateName: down ? "Disconnected" : "Up",
                                 liveness: liveness, lastHeartbeat: heartbeat,
                                 capacityBytes: 100, availableBytes: 60, leaderCount: 30, regionCount: 90)
        }
        let snapshot = ClusterSnapshot(cluster: "prod", observedAt: now, sources: sources, stores: stores,
                                       schedulers: SchedulerSnapshot(names: schedulers),
                                       hotRegions: [HotRegion(regionID: 7, storeID: 2, direction: .write, bytesPerSecond: 1e7)])
        var ticket = Ticket(metadata: ObjectMeta(name: "prod-t"),
                            spec: TicketSpec(cluster: "prod", invariant: invariant, subject: subject, severity: .warning, summary: "s"))
        ticket.status.state = .open
        ticket.status.readings = readings
        let cluster = TiKVCluster(metadata: ObjectMeta(name: "prod"), spec: TiKVClusterSpec(pd: PDEndpoint(urls: ["http://pd:2379"])))
        return DiagnosisContextBuilder.build(.init(ticket: ticket, cluster: cluster, snapshot: snapshot))
    }

    func finalize(_ actions: [SuggestedActionDraft], _ c: DiagnosisContext) -> Diagnosis {
        let draft = DiagnosisDraft(timeline: [], affectedComponents: [], readings: [],
                                   primary: Hypothesis(cause: .slowDisk, title: "slow disk", confidence: .low, evidence: []),
                                   alternatives: [], recommendedAction: "", pdCtlEquivalents: [], risks: [], suggestedActions: actions)
        return DiagnosisValidation.finalize(draft, context: c, provider: "model", model: "m", now: now)
    }

    @Test func anActionOnAHealthyStoreTheTicketIsNotAboutIsDropped() {
        let d = finalize([SuggestedActionDraft(kind: "addEvictLeaderScheduler", storeID: 1),
                          SuggestedActionDraft(kind: "addEvictLeaderScheduler", storeID: 2)], context())
        #expect(d.suggestedActions == [.store(.addEvictLeaderScheduler, 2)])
        #expect(d.notes.first == "suggested action 1 dropped: addEvictLeaderScheduler acts on store 1, which is Up and alive and not what ticket prod-t is about")
    }

    /// Even the ticket's own store: a flapping store that is Up and alive right now is not taken offline on a model's word.
    /// A store that is down may be, whichever ticket suggests it.
    @Test func anOfflineOfAStoreThatIsUpAndAliveIsDroppedEvenForItsOwnTicket() {
        let d = finalize([SuggestedActionDraft(kind: "offlineStore", storeID: 2), SuggestedActionDraft(kind: "offlineStore", storeID: 4)],
                         context(invariant: "storeFlapping", subject: "store/2"))
        #expect(d.suggestedActions == [.store(.offlineStore, 4)])
        #expect(d.notes.first == "suggested action 1 dropped: offlineStore of store 2, which is Up and alive")
    }

    /// PD's balancer removed as the remedy for a slow store is what an injected instruction would ask for; a leftover
    /// scheduler's own ticket may suggest removing it.
    @Test func aSchedulerIsRemovedOnlyForItsOwnTicket() {
        let schedulers = ["balance-leader-scheduler", "shuffle-leader-scheduler"]
        let slow = finalize([SuggestedActionDraft(kind: "removeScheduler", scheduler: "balance-leader-scheduler")], context(schedulers: schedulers))
        #expect(slow.suggestedActions.isEmpty)
        #expect(slow.notes.first == "suggested action 1 dropped: removeScheduler of balance-leader-scheduler, which ticket prod-t is not about")
        let leftover = finalize([SuggestedActionDraft(kind: "removeScheduler", scheduler: "shuffle-leader-scheduler")],
                                context(invariant: "leftoverScheduler", subject: "scheduler/shuffle-leader-scheduler", schedulers: schedulers))
        #expect(leftover.suggestedActions == [Action(kind: .removeScheduler, scheduler: "shuffle-leader-scheduler")])
    }

    @Test func aRegionTheContextDoesNotShowIsDropped() {
        let d = finalize([SuggestedActionDraft(kind: "transferLeader", regionID: UInt64.max, fromStoreID: 2, toStoreID: 3),
                          SuggestedActionDraft(kind: "transferLeader", regionID: 7, fromStoreID: 2, toStoreID: 3)], context())
        #expect(d.suggestedActions == [.transferLeader(region: 7, from: 2, to: 3)])
        #expect(d.notes.first == "suggested action 1 dropped: transferLeader names region 18446744073709551615, which the context does not show")
    }

    @Test func aStoreIDPDDoesNotListIsDropped() {
        let d = finalize([SuggestedActionDraft(kind: "addEvictLeaderScheduler", storeID: UInt64.max)], context())
        #expect(d.suggestedActions.isEmpty)
        #expect(d.notes.first == "suggested action 1 dropped: addEvictLeaderScheduler names store 18446744073709551615, which PD does not list")
    }

    @Test func aMoveToAStoreThatIsDownIsDropped() {
        let d = finalize([SuggestedActionDraft(kind: "transferLeader", regionID: 7, fromStoreID: 2, toStoreID: 4)], context())
        #expect(d.suggestedActions.isEmpty)
        #expect(d.notes.first == "suggested action 1 dropped: transferLeader moves to store 4, which is not Up and alive (Up, down)")
    }

    /// A skew ticket is about the stores its readings name: moving leaders off those is sound, off another is not.
    @Test func aClusterTicketConcernsTheStoresItsReadingsName() {
        let readings = [Reading(name: "store3Count", value: 60, unit: "leaders", source: ReadingSource.stores, observedAt: now)]
        let c = context(invariant: "leaderSkew", subject: "cluster", readings: readings)
        #expect(c.ticketStoreIDs == [3])
        let d = finalize([SuggestedActionDraft(kind: "addEvictLeaderScheduler", storeID: 3),
                          SuggestedActionDraft(kind: "addEvictLeaderScheduler", storeID: 1)], c)
        #expect(d.suggestedActions == [.store(.addEvictLeaderScheduler, 3)])
        #expect(d.notes.first == "suggested action 2 dropped: addEvictLeaderScheduler acts on store 1, which is Up and alive and not what ticket prod-t is about")
    }
}
