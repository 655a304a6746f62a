import Foundation
import Testing
@testable import Reconcilers

/// The bytes a person signs to approve: canonical, complete, and read back only when exactly canonical.
@Suite struct ApprovalPayloadTests {
    let payload = ApprovalPayload(cluster: "prod", plan: "offline-store-5-prod", revision: "0123456789abcdef", decision: .approve,
                                  principal: "alice@example.com", signedAt: Date(timeIntervalSince1970: 1_800_000_000.75),
                                  expiresAt: Date(timeIntervalSince1970: 1_800_003_600), reason: "CHG-1234 disk replaced")

    @Test func theCanonicalTextNamesEveryFieldInItsOrder() throws {
        #expect(payload.canonicalText == """
            operator.tikv approval v1
            cluster: prod
            plan: offline-store-5-prod
            revision: 0123456789abcdef
            decision: approve
            principal: alice@example.com
            signed-at: 2027-01-15T08:00:00Z
            expires-at: 2027-01-15T09:00:00Z
            reason: CHG-1234 disk replaced

            """)
        let read = try ApprovalPayload(parsing: payload.canonicalText)
        #expect(read.canonicalText == payload.canonicalText)
        #expect(read.signedAt == Date(timeIntervalSince1970: 1_800_000_000), "whole seconds: what a person reads is what counts")
    }

    @Test func anythingButTheCanonicalFormIsRefused() {
        let text = payload.canonicalText
        let cases: [(String, String)] = [
            (String(text.dropLast()), "it must end with a newline"),
            (text.replacingOccurrences(of: "approval v1", with: "approval v2"), "the first line"),
            (text.replacingOccurrences(of: "plan: offline-store-5-prod\n", with: ""), "field plan is missing"),
            (text.replacingOccurrences(of: "cluster: prod\nplan: offline-store-5-prod\n", with: "plan: offline-store-5-prod\ncluster: prod\n"),
             "out of order"),
            (text + "cluster: other\n", "repeated or out of order"),
            (text.replacingOccurrences(of: "reason:", with: "note:"), "unknown field note"),
            (text.replacingOccurrences(of: "decision: approve", with: "decision: maybe"), "must be approve or reject"),
            (text.replacingOccurrences(of: "08:00:00Z", with: "08:00:00.5Z"), "signed-at"),
            (text.replacingOccurrences(of: "principal: alice@example.com", with: "principal: Alice@example.com"), "normal form"),
            (text.replacingOccurrences(of: "principal: alice@example.com", with: "principal: controller"), "reserved"),
            (text.replacingOccurrences(of: "revision: 0123456789abcdef", with: "revision: 0123"), "revision"),
            (text.replacingOccurrences(of: "expires-at: 2027-01-15T09:00:00Z", with: "expires-at: 2027-01-15T07:00:00Z"), "after signed-at"),
            (text.replacingOccurrences(of: "cluster: prod", with: "cluster:  prod"), "cluster"),
            (text.replacingOccurrences(of: "disk replaced", with: "disk\u{1B}[2J replaced"), "control characters"),
        ]
        for (bad, why) in cases {
            do {
                _ = try ApprovalPayload(parsing: bad)
                Issue.record("accepted a payload that should fail with \(why)")
            } catch {
                #expect(error.description.contains(why), "\(error.description) should say \(why)")
            }
        }
    }
}
