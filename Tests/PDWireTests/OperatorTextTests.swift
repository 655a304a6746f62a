import Foundation
import Testing
@testable import PDWire

@Suite struct OperatorTextTests {
    @Test func adminTransferLeader() throws {
        let ops = try Fixtures.decode([OperatorText].self, "operators_get.json")
        let op = try #require(ops.first)
        #expect(op.desc == "admin-transfer-leader")
        #expect(op.brief == "transfer leader: store 5 to 1")
        #expect(op.kinds == ["admin", "leader"])
        #expect(op.isAdmin)
        #expect(op.regionID == 24)
        #expect(op.regionEpoch == RegionEpoch(confVer: 5, version: 7)) // text is (version, conf_ver)
        #expect(op.createdAt == GoTime(seconds: 1_749_542_398, nanoseconds: 157_922_689))
        #expect(op.currentStep == 0)
        #expect(op.size == 210)
        #expect(op.steps == [.transferLeader(fromStore: 5, toStore: 1)])
        #expect(op.timeout == .seconds(126))
        #expect(op.ending == .none)
    }

    @Test func multiStepMoves() throws {
        let ops = try Fixtures.decode([OperatorText].self, "operators_get_6.json")
        #expect(ops.map(\.regionID) == [1009, 1017, 1041])
        #expect(ops[0].kinds == ["replica", "region"])
        #expect(ops[0].steps.count == 4)
        #expect(ops[0].steps.first == .addLearner(peerID: 1020, storeID: 5))
        #expect(ops[0].steps.last == .removePeer(storeID: 6))
        #expect(ops[1].currentStep == 2)
        #expect(ops[2].timeout == .minutes(12))
    }

    @Test func emptyAndNull() throws {
        #expect(try Fixtures.decode([OperatorText]?.self, "operators_get_empty.json") == [])
        #expect(try Fixtures.decode([OperatorText]?.self, "operators_get_kind_no_match.json") == nil)
    }

    @Test func withStatus() throws {
        let s = try Fixtures.decode(OperatorWithStatus.self, "operator_region.json")
        #expect(s.status == .running)
        #expect(s.op.regionID == 24)
        #expect(!s.status.isTerminal)
        let done = try OperatorWithStatus(parsing: "status: SUCCESS, operator: " + s.op.descTextForTest)
        #expect(done.status == .success && done.status.isTerminal)
        #expect(OperatorStatus(text: "TIMEOUT") == .timeout)
        #expect(OperatorStatus(text: "CANCEL") == .cancel)
        #expect(OperatorStatus(text: "REPLACE") == .replace)
        #expect(OperatorStatus(text: "5") == .other("5"))
    }

    @Test func records() throws {
        let r = try Fixtures.decode([OperatorRecord].self, "operators_records.json")
        #expect(r.count == 2)
        #expect(r[0].op.ending == .finished)
        #expect(r[0].op.desc == "replace-rule-offline-peer")
        #expect(r[0].duration == (try GoDuration(parsing: "1m36.502928176s")))
        #expect(r[1].op.steps == [.transferLeader(fromStore: 7, toStore: 1)])
        #expect(r[1].finishedAt == GoTime(seconds: 1_749_541_790, nanoseconds: 113_886_348))
    }

    @Test func objects() throws {
        let o = try Fixtures.decode([OperatorObject].self, "operators_get_object.json")
        #expect(o.map(\.regionID) == [1009, 1017, 1041])
        #expect(o[0].regionEpoch == RegionEpoch(confVer: 6, version: 12))
        #expect(o[0].timeout == .minutes(17) && o[0].status == 1 && o[0].kindBits == 144)
    }

    @Test(arguments: ["", "garbage", "x {y} (kind:admin, region:abc(1, 2), createAt:", "status: RUNNING"])
    func rejectsMalformed(text: String) {
        #expect(throws: OperatorText.ParseError.self) { try OperatorText(parsing: text) }
        #expect(throws: OperatorText.ParseError.self) { try OperatorWithStatus(parsing: text) }
    }
}

extension OperatorText {
    /// The fixture's operator text, rebuilt for round-trip tests.
    var descTextForTest: String {
        "admin-transfer-leader {transfer leader: store 5 to 1} (kind:admin,leader, region:24(7, 5), createAt:2025-06-10 07:59:58.157922689 +0000 UTC m=+887986.276253693, startAt:2025-06-10 07:59:58.158134191 +0000 UTC m=+887986.276465195, currentStep:1, size:210, steps:[0:{transfer leader from store 5 to store 1}], timeout:[2m6s]) finished"
    }
}
