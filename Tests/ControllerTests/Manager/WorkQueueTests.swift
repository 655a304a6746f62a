import Foundation
import Testing
@testable import ControllerRuntime

@Suite struct WorkQueueTests {
    @Test func aKeyAddedTwiceIsQueuedOnce() async {
        let q = WorkQueue<String>()
        await q.add("a")
        await q.add("a")
        await q.add("b")
        #expect(await q.depth == 2)
        #expect(await q.get() == "a")
        #expect(await q.get() == "b")
        #expect(await q.depth == 0)
    }

    @Test func aKeyBeingProcessedIsNotHandedOutAgainButRequeuedWhenDone() async {
        let q = WorkQueue<String>()
        await q.add("a")
        let first = await q.get()
        #expect(first == "a")
        await q.add("a")  // e.g. an approval arrives during the pass
        #expect(await q.depth == 0, "not handed to a second worker while the first processes it")
        await q.done("a")
        #expect(await q.depth == 1)
        #expect(await q.get() == "a")
        await q.done("a")
        #expect(await q.depth == 0)
    }

    @Test func aWaitingWorkerGetsTheNextAdd() async {
        let q = WorkQueue<String>()
        async let next = q.get()
        // Give the waiter time to park; correctness does not depend on it.
        try? await Task.sleep(for: .milliseconds(20))
        await q.add("x")
        #expect(await next == "x")
    }

    @Test func backoffDoublesPerFailureUpToTheCapAndForgetResetsIt() async {
        let q = WorkQueue<String>(backoffBase: .seconds(1), backoffCap: .seconds(5))
        var delays: [Duration] = []
        for _ in 0..<5 { delays.append(await q.addRateLimited("a")) }
        #expect(delays == [.seconds(1), .seconds(2), .seconds(4), .seconds(5), .seconds(5)])
        #expect(await q.failureCount("a") == 5)
        await q.forget("a")
        #expect(await q.failureCount("a") == 0)
        #expect(await q.addRateLimited("a") == .seconds(1))
        await q.shutDown()
    }

    @Test func addAfterDeliversTheKeyAndTheEarliestDeadlineWins() async throws {
        let q = WorkQueue<String>()
        await q.addAfter("late", .seconds(3600))
        await q.addAfter("late", .milliseconds(10))  // earlier: replaces the hour-long timer
        await q.addAfter("late", .seconds(7200))  // later: ignored
        let got = await withTaskGroup(of: String?.self) { group in
            group.addTask { await q.get() }
            group.addTask {
                try? await Task.sleep(for: .seconds(30))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            await q.shutDown()
            return first
        }
        #expect(got == "late")
    }

    @Test func shutDownReleasesWaitingWorkers() async {
        let q = WorkQueue<String>()
        async let next = q.get()
        try? await Task.sleep(for: .milliseconds(20))
        await q.shutDown()
        #expect(await next == nil)
        await q.add("a")
        #expect(await q.depth == 0, "nothing is queued after shutdown")
    }
}
