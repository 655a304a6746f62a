import Foundation
import Testing
import TestSupport
@testable import PDWire

@Suite struct ErrorBodyTests {
    @Test(arguments: [
        ("error_404.json", "core", "ErrStoreNotFound"),
        ("error_404_region.json", "region", "ErrRegionNotFound"),
        ("error_404_region_by_key.json", "region", "ErrRegionNotFound"),
        ("error_404_scheduler.json", "scheduler", "ErrSchedulerNotFound"),
        ("error_410_store_removed.json", "core", "ErrStoreRemoved"),
        ("error_400_stores_not_enough.json", "core", "ErrStoresNotEnough"),
        ("error_400_scheduler_existed.json", "scheduler", "ErrSchedulerExisted"),
        ("error_412_placement_disabled.json", "placement", "ErrPlacementDisabled"),
        ("error_500_add_operator.json", "operator", "ErrAddOperator"),
        ("error_500_not_bootstrapped.json", "cluster", "ErrNotBootstrapped"),
        ("error_500_operator_not_found.json", "operator", "ErrOperatorNotFound"),
    ])
    func stringBodiesKeepTheirCode(name: String, component: String, errName: String) throws {
        let body = PDErrorBody(body: try PDFixtures.data(name))
        guard case .message(let m) = body else { Issue.record("not a string body: \(body)"); return }
        #expect(m.hasPrefix("[PD:"))
        #expect(body.code == PDErrorCode(component: component, name: errName))
    }

    @Test func plainStringsHaveNoCode() throws {
        for name in ["error_400_operator_missing_name.json", "error_400_unknown_operator.json",
                     "error_400_unknown_scheduler.json", "error_500_no_voter.json"] {
            let body = PDErrorBody(body: try PDFixtures.data(name))
            #expect(body.code == nil)
            #expect(!body.message.isEmpty)
        }
        #expect(PDErrorBody(body: try PDFixtures.data("error_500_no_voter.json")) == .message("region has no voter in store 9"))
    }

    @Test func errcodeObjects() throws {
        #expect(PDErrorBody(body: try PDFixtures.data("error_400_invalid_id.json"))
            == .errcode(code: "input", msg: "strconv.ParseUint: parsing \"abc\": invalid syntax"))
        #expect(PDErrorBody(body: try PDFixtures.data("error_400_bad_json.json"))
            == .errcode(code: "input", msg: "unexpected end of JSON input"))
    }

    @Test func emptyNullAndText() {
        #expect(PDErrorBody(body: Data("{}".utf8)) == .empty)
        #expect(PDErrorBody(body: Data("null".utf8)) == .empty)
        #expect(PDErrorBody(body: Data()) == .empty)
        let redirect = PDErrorBody(body: Data("[PD:apiutil:ErrRedirectNoLeader]redirect finds no leader\n".utf8))
        #expect(redirect == .text("[PD:apiutil:ErrRedirectNoLeader]redirect finds no leader"))
        #expect(redirect.code?.name == "ErrRedirectNoLeader")
        #expect(PDErrorBody(body: Data("404 page not found\n".utf8)) == .text("404 page not found"))
    }

    @Test func allFixturesAreClassifiedOrDecoded() throws {
        // Every error_* fixture, including ones added later, must map to a non-empty message.
        let names = try PDFixtures.all()
        #expect(names.contains("stores.json") && names.contains("error_404.json"))
        for name in names where name.hasPrefix("error_") {
            #expect(PDErrorBody(body: try PDFixtures.data(name)) != .empty, "\(name)")
        }
    }
}
