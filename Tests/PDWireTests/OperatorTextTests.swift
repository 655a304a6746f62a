import Foundation
import Testing
import TestSupport
@testable import PDWire

@Suite struct OperatorTextTests {
    /// `GET /operators` is a list of PD's texts; the client decodes the strings and parses each.
    static func texts(_ fixture: String) throws -> [OperatorText] {
        try PDFixtures.decode([String].self, fixture).map { try OperatorText(parsing: $0) }
    }

    @Test func adminTransferLeader() throws {
        let ops = try Self.texts("operators_get.json")
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
        let ops = try Self.texts("operators_get_6.json")
        #expect(ops.map(\.regionID) == [1009, 1017, 1041])
        #expect(ops[0].kinds == ["replica", "region"])
        #expect(ops[0].steps.count == 4)
        #expect(ops[0].steps.first == .addLearner(peerID: 1020, storeID: 5))
        #expect(ops[0].steps.last == .removePeer(storeID: 6))
        #expect(ops[1].currentStep == 2)
        #expect(ops[2].timeout == .minutes(12))
    }

    @Test func withStatus() throws {
        let s = try PDFixtures.decode(OperatorWithStatus.self, "operator_region.json")
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
