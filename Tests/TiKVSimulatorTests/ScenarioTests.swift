import Foundation
import Testing
@testable import TiKVSimulator

@Suite struct ScenarioTests {
    static let pdCases = ["balance-leader", "balance-region", "add-nodes", "delete-nodes", "makeup-down-replica", "hot-read", "hot-write",
                          "region-split", "region-merge", "import-data"]
    static let chaosCases = ["kill", "partition", "slow", "disk-full", "leader-skew", "hot-region", "flapping", "six-stores", "demo",
                             "pd-failover-during-drain", "clock-skew", "store-limit-throttled-drain", "store-dies-during-balance",
                             "two-stores-die"]
    /// PD's protective schedulers and default balancers acting alone.
    static let protectiveCases = ["slow-store-with-pd-eviction", "skew-with-pd-balancers-on"]
    /// Faults behind the incidents that page people: PD's health, replicas sharing a zone.
    static let incidentCases = ["pd-leader-loss", "pd-member-unhealthy", "misplaced-replicas"]
    static let unsupportedCases: [String] = []

    @Test func everyShippedFileLoadsAndIsListed() throws {
        let names = ScenarioCatalog.names()
        #expect(Set(names) == Set(Self.pdCases + Self.chaosCases + Self.protectiveCases + Self.incidentCases + Self.unsupportedCases))
        for n in names {
            let s = try ScenarioCatalog.load(n)
            #expect(s.name == n)
            #expect(s.expect != nil)
        }
        for n in Self.unsupportedCases {
            #expect(try ScenarioCatalog.load(n).unsupported != nil)
            #expect(throws: Scenario.LoadError.self) { try ScenarioCatalog.load(n).run() }
        }
    }

    @Test(arguments: pdCases + chaosCases + protectiveCases + incidentCases) func reachesItsIntendedCondition(name: String) throws {
        let s = try ScenarioCatalog.load(name)
        let outcome = try s.run()
        #expect(outcome.passed, "\(name) after \(outcome.seconds) s: \(outcome.details) events: \(outcome.events)")
    }

    @Test func buildsTheDeclaredCluster() throws {
        let c = try ScenarioCatalog.load("six-stores").makeCluster()
        #expect(c.stores.count == 6 && c.regionCount == 3000)
        #expect(c.truth.allSatisfy { $0.peers.count == 3 && Set($0.peers.map(\.storeId)).count == 3 })
        #expect(c.stores[3].labels.map(\.key) == ["host", "zone"] && c.stores[3].labels.map(\.value) == ["tikv-3", "z1"])
        let skew = try ScenarioCatalog.load("balance-leader").makeCluster()
        #expect(skew.storeStats.map(\.leaderCount) == [0, 0, 1000])
        let empty = try ScenarioCatalog.load("add-nodes").makeCluster()
        #expect(empty.storeStats.map(\.regionCount) == [1000, 1000, 1000, 0, 0, 0])
    }

    /// A milestone bounds when its conditions must first hold: one that cannot be met in time fails the run even
    /// though the final conditions hold.
    @Test func aMissedMilestoneFailsTheRun() throws {
        let yaml = """
        name: m
        cluster: {stores: 4, regions: 40, seed: 3}
        events:
          - {at: 10s, fault: {kind: slow, store: 2, factor: 10}}
        expect:
          within: 10m
          milestones:
            - by: 40s
              all: [{slow-score: {store: 2, at-least: 100}}]
          all: [{evicted-slow-stores: [2]}]
        """
        let early = try Scenario.parse(yaml: yaml).run()
        #expect(!early.passed, "\(early.details)")
        #expect(early.details.first?.contains("not reached") == true)
        // The score doubles per 10 s heartbeat: 100 takes seven heartbeats after the fault.
        let inTime = try Scenario.parse(yaml: yaml.replacingOccurrences(of: "by: 40s", with: "by: 3m")).run()
        #expect(inTime.passed, "\(inTime.details)")
    }

    @Test func badFilesAreRejectedWithAReason() {
        let noAction = """
        name: x
        cluster: {stores: 3, regions: 10}
        events:
          - at: 1s
        """
        #expect(throws: Scenario.LoadError.self) { try Scenario.parse(yaml: noAction) }
        let badRevert = """
        name: x
        cluster: {stores: 3, regions: 10}
        events:
          - {at: 1s, revert: 0}
        """
        #expect(throws: Scenario.LoadError.self) { try Scenario.parse(yaml: badRevert) }
        #expect(throws: Scenario.LoadError.self) { try Scenario.parse(yaml: "name: x\ncluster: {stores: 3, regions: 10}\nevents:\n  - {at: 1s, fault: {kind: boom}}") }
    }

    @Test func loadsAnyFileByPath() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scenario-\(UUID().uuidString).yaml")
        try "name: mine\ncluster: {stores: 3, regions: 5}\nexpect: {within: 1m, all: [{no-regions: [miss-peer]}]}\n"
            .write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let s = try ScenarioCatalog.load(url.path)
        #expect(s.name == "mine")
        #expect(try s.run().passed)
        #expect(throws: Scenario.LoadError.self) { try ScenarioCatalog.load("no-such-scenario") }
    }

    @Test func eventsFireOnTheClockAndRevert() throws {
        let yaml = """
        name: t
        cluster: {stores: 4, regions: 40}
        events:
          - {at: 30s, fault: {kind: kill, store: 2}}
          - {at: 90s, revert: 0}
        """
        var c = try Scenario.parse(yaml: yaml).makeCluster()
        c.advance(seconds: 29)
        #expect(c.store(2)?.isUp == true)
        c.advance(seconds: 2)
        #expect(c.store(2)?.isUp == false && c.faults.count == 1)
        c.advance(seconds: 60)
        #expect(c.store(2)?.isUp == true && c.faults.isEmpty)
        #expect(c.eventLog.map(\.index) == [0, 1])
    }
}
