import Foundation
import Logging
import Synchronization
import Testing
import TestSupport
@testable import ControllerRuntime
@testable import OperatorStore
@testable import TiKVController

/// The store lease under slow work and takeover, on a real SQLite file: renewed apart from the work it protects,
/// at most once per third of its TTL; a lost lease ends the manager and fails `/healthz`; a starting controller
/// waits out a lease its predecessor could not release.
@Suite(.serialized) struct LeaseKeeperTests {
    static var quiet: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    @Test func renewalCommitsAtMostOncePerThirdOfTheTTL() async throws {
        let dir = try TemporaryDirectory()
        let store = try StatusStore(path: dir.path("operator.db"), role: .controller(holder: "c1"))
        let ttl = Duration.milliseconds(600)
        _ = try store.acquireLease(ttl: ttl)
        let keeper = LeaseKeeper(store: store, ttl: ttl, logger: Self.quiet)
        keeper.start()
        // Every renewal moves `renewedAt`: sample it often, for a bounded number of renewals.
        var seen: [Date] = []
        let enough = await eventually(timeout: .seconds(60), every: .milliseconds(5)) {
            if let renewed = try? store.currentLease()?.renewedAt, renewed != seen.last { seen.append(renewed) }
            return seen.count >= 5
        }
        keeper.stop()
        #expect(enough, "renewals seen: \(seen)")
        // The store keeps milliseconds; each renewal starts a full period after the previous one ended.
        let gaps = zip(seen.dropFirst(), seen).map { $0.timeIntervalSince($1) }
        #expect(gaps.allSatisfy { $0 >= 0.2 - 0.002 }, "gaps between renewals: \(gaps)")
        // Stopped means stopped: nothing renews it any more.
        let last = try store.currentLease()?.renewedAt
        try await Task.sleep(for: .milliseconds(500))
        #expect(try store.currentLease()?.renewedAt == last)
    }

    @Test func aSyncOfManySpecFilesLongerThanTheTTLKeepsTheLease() async throws {
        let dir = try TemporaryDirectory()
        let specs = dir.path("specs")
        try FileManager.default.createDirectory(atPath: specs, withIntermediateDirectories: true)
        // Each file is a StoreMaintenance (a few store writes each): the first sync takes far longer than the TTL.
        let files = 600
        try """
        apiVersion: operator.tikv/v1alpha1
        kind: TiKVCluster
        metadata:
          name: c
        spec:
          pd:
            urls: [http://127.0.0.1:1]
        """.write(toFile: specs + "/cluster.yaml", atomically: true, encoding: .utf8)
        for i in 0..<files {
            try """
            apiVersion: operator.tikv/v1alpha1
            kind: StoreMaintenance
            metadata:
              name: m-\(i)
            spec:
              cluster: c
              storeID: \(i + 1)
              reason: kernel upgrade
            """.write(toFile: specs + "/m-\(i).yaml", atomically: true, encoding: .utf8)
        }
        let store = try StatusStore(path: dir.path("operator.db"), role: .controller(holder: "c1"))
        let ttl = Duration.milliseconds(300)
        _ = try await LeaseKeeper.acquire(store: store, ttl: ttl, logger: Self.quiet)
        var config = ControllerManager.Configuration(specsPath: specs)
        config.leaseTTL = ttl
        config.specPollInterval = .milliseconds(50)
        let manager = ControllerManager(config: config, store: store, reconcilers: [], logger: Self.quiet)
        let stopped = Mutex(false)
        let run = Task { try await manager.run(until: { stopped.withLock { $0 } }) }
        let synced = await eventually(timeout: .seconds(300), every: .milliseconds(200)) {
            ((try? store.list(kind: "StoreMaintenance").count) ?? 0) == files
        }
        stopped.withLock { $0 = true }
        let ended = await run.result
        #expect(synced, "\((try? store.list(kind: "StoreMaintenance").count) ?? -1) of \(files) synced")
        #expect(throws: Never.self) { try ended.get() }
        #expect(manager.lease.lostError == nil)
        #expect(try store.currentLease()?.holder == "c1")
    }

    @Test func aLostLeaseEndsTheManagerAndFailsHealth() async throws {
        let dir = try TemporaryDirectory()
        let store = try StatusStore(path: dir.path("operator.db"), role: .controller(holder: "c1"))
        let ttl = Duration.milliseconds(600)
        _ = try store.acquireLease(ttl: ttl)
        try FileManager.default.createDirectory(atPath: dir.path("specs"), withIntermediateDirectories: true)
        var config = ControllerManager.Configuration(specsPath: dir.path("specs"))
        config.leaseTTL = ttl
        config.specPollInterval = .milliseconds(50)
        let told = Mutex<StoreError?>(nil)
        config.onLeaseLost = { e in told.withLock { $0 = e } }
        let manager = ControllerManager(config: config, store: store, reconcilers: [], logger: Self.quiet)
        let probes = ControllerProbes(manager: manager, metrics: OperatorMetrics(), holder: "c1")
        let run = Task { try await manager.run(until: { false }) }
        #expect(await eventually { probes.health().ok })

        // Another controller whose clock is an hour ahead sees the lease expired and takes it.
        let thief = try StatusStore(path: dir.path("operator.db"), role: .controller(holder: "c2"), clock: { Date().addingTimeInterval(3600) })
        _ = try thief.acquireLease(ttl: .seconds(7200))

        let result = await run.result
        #expect(throws: StoreError.leaseLost(holder: "c1", currentHolder: "c2")) { try result.get() }
        #expect(told.withLock { $0 } == .leaseLost(holder: "c1", currentHolder: "c2"))
        let health = probes.health()
        #expect(!health.ok)
        #expect(health.lines.first == "[-] store lease lost: " + StoreError.leaseLost(holder: "c1", currentHolder: "c2").description)
        #expect(try store.currentLease()?.holder == "c2", "the keeper never renews a lost lease")
    }

    @Test func aStartingControllerWaitsOutALeaseItsPredecessorLeftButNotALiveOne() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("operator.db")
        // A predecessor killed without releasing: its lease runs out on its own.
        let dead = try StatusStore(path: path, role: .controller(holder: "dead"))
        let left = try dead.acquireLease(ttl: .milliseconds(900))
        let next = try StatusStore(path: path, role: .controller(holder: "next"))
        let taken = try await LeaseKeeper.acquire(store: next, ttl: .milliseconds(900), logger: Self.quiet)
        #expect(taken.holder == "next")
        #expect(Date() >= left.expiresAt, "taken only once the predecessor's lease ran out")
        #expect(try next.audit(kind: nil).contains { $0.action == "lease.acquire" && $0.message.contains("from \"dead\"") })

        // A live controller keeps renewing: the newcomer gives up after waiting, with the holder's name.
        let keeper = LeaseKeeper(store: next, ttl: .milliseconds(900), logger: Self.quiet)
        keeper.start()
        defer { keeper.stop() }
        let third = try StatusStore(path: path, role: .controller(holder: "third"))
        await #expect {
            _ = try await LeaseKeeper.acquire(store: third, ttl: .milliseconds(900), logger: Self.quiet)
        } throws: { error in
            if case .leaseHeld(let holder, _)? = error as? StoreError { return holder == "next" }
            return false
        }
    }
}
