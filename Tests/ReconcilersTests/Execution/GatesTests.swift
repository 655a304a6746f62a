import Foundation
import PDWire
import Testing
import TestSupport
@testable import Reconcilers

@Suite struct GatesTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func snapshot(stores: Int = 4, evicted: [UInt64] = [], operators: [OperatorSnapshot] = []) -> ClusterSnapshot {
        SnapshotFixtures.complete(at: now.addingTimeInterval(-2), stores: SnapshotFixtures.evenStores(stores),
                                  schedulers: SchedulerSnapshot(evictLeaderStores: evicted), operators: operators)
    }

    func spec(_ mode: ClusterMode = .execute) -> TiKVClusterSpec {
        var s = TiKVClusterSpec(pd: PDEndpoint(urls: ["http://127.0.0.1:2379"]))
        s.mode = mode
        return s
    }

    let approved = ApprovalVerdict(outcome: .approved(by: ["alice"]), reason: "Approved", message: "ok")
    let region = RegionPlacement(id: 7, leaderStoreID: 1, voterStoreIDs: [1, 2, 3])

    func input(_ step: Action, spec: TiKVClusterSpec? = nil, snapshot: ClusterSnapshot? = nil, kill: Bool = false,
               approval: ApprovalVerdict? = nil, inFlight: Int = 0, region: RegionPlacement? = nil) -> GateInput {
        GateInput(killSwitch: kill, spec: spec ?? self.spec(), snapshot: snapshot ?? self.snapshot(), maxSnapshotAge: 30,
                  approval: approval ?? approved, inFlightSteps: inFlight, actionsLastHour: 0,
                  step: PlanStep(name: "s", action: step, expectedEffect: "", timeout: .minutes(1)), region: region ?? self.region, now: now)
    }

    func gate(_ v: GateVerdict) -> Gate? { if case .blocked(let g, _) = v { return g } else { return nil } }

    @Test func theGatesApplyInOrder() {
        let move = Action.transferLeader(region: 7, from: 1, to: 2)
        #expect(Gates.evaluate(input(move)) == .pass)
        #expect(gate(Gates.evaluate(input(move, kill: true))) == .killSwitch)
        #expect(gate(Gates.evaluate(input(move, spec: spec(.observe), kill: true))) == .killSwitch, "kill switch first")
        #expect(gate(Gates.evaluate(input(move, spec: spec(.observe)))) == .mode)
        var paused = spec()
        paused.paused = true
        #expect(gate(Gates.evaluate(input(move, spec: paused))) == .paused)
        var partial = snapshot()
        partial.sources[.regionChecks] = .failed("timeout")
        #expect(gate(Gates.evaluate(input(move, snapshot: partial))) == .snapshot)
        var old = snapshot()
        old.completedAt = now.addingTimeInterval(-120)
        #expect(gate(Gates.evaluate(input(move, snapshot: old))) == .snapshot)
        let waiting = ApprovalVerdict(outcome: .waiting, reason: "AwaitingApproval", message: "needs 1")
        #expect(gate(Gates.evaluate(input(move, approval: waiting))) == .approval)
        #expect(gate(Gates.evaluate(input(move, inFlight: 4))) == .limits)
    }

    @Test func aPeerTargetAtItsStoreLimitWaitsAfterThePreconditions() {
        // PD admitted a move of a normal region onto store 4 half a second ago: its 15/min bucket holds 125 tokens.
        var s = snapshot(operators: [OperatorSnapshot(regionID: 50, description: "balance-region", admittedAt: now.addingTimeInterval(-0.5),
                                                      addsPeerOn: [4], sizeMiB: 96)])
        s.completedAt = now.addingTimeInterval(-1)
        let big = RegionPlacement(id: 7, leaderStoreID: 1, voterStoreIDs: [1, 2, 3], approximateSizeMiB: 96)
        let verdict = Gates.evaluate(input(.transferPeer(region: 7, from: 3, to: 4), snapshot: s, region: big))
        #expect(gate(verdict) == .storeLimit)
        if case .blocked(_, let why) = verdict { #expect(why.hasPrefix("target store 4 is at its add-peer store limit (15/min)")) }
        // Leader moves take no add-peer tokens; an illegal target is a precondition, before any wait.
        #expect(Gates.evaluate(input(.transferLeader(region: 7, from: 1, to: 2), snapshot: s, region: big)) == .pass)
        #expect(gate(Gates.evaluate(input(.transferPeer(region: 7, from: 3, to: 9), snapshot: s, region: big))) == .preconditions)
        // Three and a half seconds later the bucket has refilled.
        #expect(Gates.storeLimitWait(input(.transferPeer(region: 7, from: 3, to: 4), snapshot: s, region: big)) != nil)
        var later = input(.transferPeer(region: 7, from: 3, to: 4), snapshot: s, region: big)
        later.now = now.addingTimeInterval(3.6)
        #expect(Gates.evaluate(later) == .pass)
    }

    @Test func aClosedMaintenanceWindowBlocks() throws {
        var s = spec()
        // 02:00 UTC for one hour; `now` is 2027-01-15 08:00 UTC.
        s.maintenanceWindows = [MaintenanceWindow(schedule: try CronSchedule(parsing: "0 2 * * *"), duration: .hours(1))]
        #expect(gate(Gates.evaluate(input(.transferLeader(region: 7, from: 1, to: 2), spec: s))) == .maintenanceWindow)
    }

    @Test func anEffectThatAlreadyHoldsIsDoneWithoutACall() {
        let done = RegionPlacement(id: 7, leaderStoreID: 2, voterStoreIDs: [1, 2, 3])
        guard case .alreadyDone = Gates.evaluate(input(.transferLeader(region: 7, from: 1, to: 2), region: done)) else {
            Issue.record("expected alreadyDone")
            return
        }
    }

    @Test func preconditionsFailClosed() {
        // The target holds no voter of the region.
        #expect(gate(Gates.evaluate(input(.transferLeader(region: 7, from: 1, to: 4)))) == .preconditions)
        // The target is down.
        var snap = snapshot()
        snap.stores[1].liveness = .down
        #expect(gate(Gates.evaluate(input(.transferLeader(region: 7, from: 1, to: 2), snapshot: snap))) == .preconditions)
        // Joint state.
        var joint = region
        joint.inJointState = true
        #expect(gate(Gates.evaluate(input(.transferLeader(region: 7, from: 1, to: 2), region: joint))) == .preconditions)
        // Draining a store would leave fewer Up stores than max-replicas.
        #expect(gate(Gates.evaluate(input(.store(.addEvictLeaderScheduler, 1), snapshot: snapshot(stores: 3)))) == .preconditions)
        #expect(Gates.evaluate(input(.store(.addEvictLeaderScheduler, 1), snapshot: snapshot(stores: 4))) == .pass)
        // One store in maintenance at a time by default.
        #expect(gate(Gates.evaluate(input(.store(.addEvictLeaderScheduler, 1), snapshot: snapshot(stores: 5, evicted: [2])))) == .preconditions)
        // A peer move that would leave no majority of healthy voters.
        var sick = snapshot()
        sick.stores[2].liveness = .down
        #expect(gate(Gates.evaluate(input(.transferPeer(region: 7, from: 1, to: 4), snapshot: sick))) == .preconditions)
    }

    /// Found by an adversarial run: with store 3 down, an offline of store 2 went out because the quorum
    /// check had never been made. Taking a store offline is judged right before the call, on its regions.
    @Test func anOfflineIsJudgedOnTheStoresRegionsRightBeforeTheCall() {
        var snap = snapshot(stores: 5)
        snap.stores[2].liveness = .down
        let offline = Action.store(.offlineStore, 2)
        func with(_ regions: [RegionPlacement]?) -> GateInput {
            var g = input(offline, snapshot: snap)
            g.storeRegions = regions
            return g
        }
        // Not read: unknown blocks.
        guard case .blocked(.preconditions, let unread) = Gates.evaluate(with(nil)) else { Issue.record("unread regions must block"); return }
        #expect(unread.contains("quorum check cannot be made"))
        // Region 9 has voters on 2 and 3: without 2 only store 1 stays healthy, no majority.
        let regions = [RegionPlacement(id: 8, leaderStoreID: 1, voterStoreIDs: [1, 2, 4]), RegionPlacement(id: 9, leaderStoreID: 1, voterStoreIDs: [1, 2, 3])]
        guard case .blocked(.preconditions, let lost) = Gates.evaluate(with(regions)) else { Issue.record("quorum loss must block"); return }
        #expect(lost.contains("1 region(s) with a voter on store 2 would lose their healthy majority without it (9)"))
        #expect(Gates.evaluate(with([regions[0]])) == .pass)
    }

    @Test func aTargetThatTurnedIllegalIsRefusedAtTheGate() {
        var snap = snapshot()
        snap.schedulers.evictSlowStores = [2]
        guard case .blocked(.preconditions, let why) = Gates.evaluate(input(.transferLeader(region: 7, from: 1, to: 2), snapshot: snap)) else {
            Issue.record("expected a precondition block")
            return
        }
        #expect(why.contains("PD's evict-slow-store-scheduler is evicting it"))
    }

    /// PD's evict-slow-store already evicting a store: an evict-leader scheduler beside it would compete, whoever planned it.
    @Test func noEvictLeaderSchedulerBesidePDsEviction() {
        var snap = snapshot()
        snap.schedulers.evictSlowStores = [2]
        guard case .blocked(.preconditions, let why) = Gates.evaluate(input(.store(.addEvictLeaderScheduler, 2), snapshot: snap)) else {
            Issue.record("expected a precondition block")
            return
        }
        #expect(why.contains("PD's evict-slow-store-scheduler is already evicting store 2"))
        #expect(Gates.evaluate(input(.store(.addEvictLeaderScheduler, 3), snapshot: snap)) == .pass)
    }

    @Test func anOperatorAlreadyOnTheRegionWaits() {
        let snap = snapshot(operators: [OperatorSnapshot(regionID: 7, description: "balance-leader")])
        #expect(gate(Gates.evaluate(input(.transferLeader(region: 7, from: 1, to: 2), snapshot: snap))) == .idempotency)
    }

    @Test func effectsAreReadFromTheSnapshot() {
        let snap = snapshot(evicted: [3])
        #expect(StepEffect.check(.store(.addEvictLeaderScheduler, 3), snapshot: snap, region: nil).holds)
        #expect(!StepEffect.check(.store(.removeEvictLeaderScheduler, 3), snapshot: snap, region: nil).holds)
        #expect(!StepEffect.check(.store(.waitForLeadersDrained, 3), snapshot: snap, region: nil).holds)
        var drained = snap
        drained.stores[2].leaderCount = 0
        #expect(StepEffect.check(.store(.waitForLeadersDrained, 3), snapshot: drained, region: nil).holds)
        #expect(StepEffect.check(.transferLeader(region: 7, from: 1, to: 2), snapshot: snap, region: nil) == .unknown("region 7 was not observed"))
        var failed = snap
        failed.sources[.schedulers] = .failed("503")
        guard case .unknown = StepEffect.check(.store(.removeEvictLeaderScheduler, 3), snapshot: failed, region: nil) else {
            Issue.record("a failed scheduler list must not read as 'scheduler gone'")
            return
        }
    }
}
