import Foundation
import Reconcilers
import Testing
@testable import TerminalDashboard

@Suite struct DashboardModelTests {
    @Test func startsOnThePlanWaitingForAPersonAndMovesThroughPlansThenTickets() {
        let done = DashboardFixtures.plan("old-plan", phase: .succeeded, created: -600)
        var model = DashboardModel(data: DashboardFixtures.data(plans: [done, DashboardFixtures.plan()]))
        #expect(model.items == [.plan("replace-store-3"), .plan("old-plan"), .ticket("storedown-store-3")])
        #expect(model.selection == .plan("replace-store-3"))
        _ = model.handle(.down)
        #expect(model.selection == .plan("old-plan"))
        _ = model.handle(.character("j"))
        #expect(model.selectedTicket?.name == "storedown-store-3")
        _ = model.handle(.down)
        #expect(model.selection == .ticket("storedown-store-3"), "stops at the last row")
        _ = model.handle(.character("k"))
        _ = model.handle(.up)
        _ = model.handle(.up)
        #expect(model.selection == .plan("replace-store-3"))
    }

    @Test func approvingAsksForConfirmationAndYesRecordsTheReviewedRevision() {
        var model = DashboardModel(data: DashboardFixtures.data())
        let revision = model.selectedPlan?.spec.revision ?? ""
        #expect(model.handle(.character("a")) == .none)
        #expect(model.confirming == .init(plan: "replace-store-3", revision: revision, decision: .approve))
        #expect(model.handle(.character("y")) == .decide(.init(plan: "replace-store-3", revision: revision, decision: .approve)))
        #expect(model.confirming == nil)
    }

    @Test func anyOtherKeyCancelsTheConfirmation() {
        var model = DashboardModel(data: DashboardFixtures.data())
        _ = model.handle(.character("r"))
        #expect(model.confirming?.decision == .reject)
        #expect(model.handle(.character("n")) == .none)
        #expect(model.confirming == nil)
        #expect(model.message?.contains("cancelled") == true)
        _ = model.handle(.character("a"))
        #expect(model.handle(.character("q")) == .none, "q answers the question, it does not quit mid-confirmation")
        #expect(model.handle(.character("q")) == .quit)
    }

    @Test func ticketsAndFinishedPlansCannotBeDecided() {
        var model = DashboardModel(data: DashboardFixtures.data(plans: [DashboardFixtures.plan(phase: .succeeded)]))
        _ = model.handle(.character("a"))
        #expect(model.confirming == nil)
        #expect(model.message?.contains("nothing left to decide") == true)
        _ = model.handle(.down)
        _ = model.handle(.character("a"))
        #expect(model.confirming == nil)
        #expect(model.message?.contains("select a plan") == true)
    }

    @Test func ctrlCQuitsEvenWhileConfirming() {
        var model = DashboardModel(data: DashboardFixtures.data())
        _ = model.handle(.character("a"))
        #expect(model.handle(.interrupt) == .quit)
    }

    @Test func aRefreshKeepsTheSelectionByNameAndMovesOnWhenItIsGone() {
        let other = DashboardFixtures.plan("other", created: -30)
        var model = DashboardModel(data: DashboardFixtures.data(plans: [DashboardFixtures.plan(), other]))
        _ = model.handle(.down)
        #expect(model.selection == .plan("other"))
        model.update(DashboardFixtures.data(plans: [other, DashboardFixtures.plan()]))
        #expect(model.selection == .plan("other"))
        model.update(DashboardFixtures.data(plans: [DashboardFixtures.plan()]))
        #expect(model.selection == .plan("replace-store-3"))
    }

    @Test func aNewPlanWaitingForAPersonTakesTheSelection() {
        var model = DashboardModel(data: DashboardFixtures.data(plans: []))
        #expect(model.selection == .ticket("storedown-store-3"))
        model.update(DashboardFixtures.data())
        #expect(model.selection == .plan("replace-store-3"))
    }

    @Test func workloadHistoryIsBoundedAndKeepsGaps() {
        var history = WorkloadHistory(capacity: 3)
        let known = [DashboardFixtures.store(1, qps: 10), DashboardFixtures.store(2, qps: 5)]
        history.record(known)
        history.record([])
        history.record(known)
        history.record(known)
        #expect(history.qps == [nil, 15, 15])
        #expect(history.storeQPS[1] == [10, 10])
        #expect(history.p99.last == 0.004)
    }

    @Test func keyBytesParse() {
        let keys = Terminal.parseKeys([0x1B, 0x5B, 0x41, 0x1B, 0x4F, 0x42, 0x6A, 0x03, 0x0D, 0x1B, 0x5B, 0x31, 0x3B, 0x35, 0x43, 0x61])
        #expect(keys == [.up, .down, .character("j"), .interrupt, .enter, .other, .character("a")])
    }
}
