import Foundation
import Testing
@testable import TiKVController
@testable import PDClient

/// "Was it sent?": only what provably never reached PD may be retried; anything that can follow the write
/// waits for its effect (CONFORMANCE §2f, §3.4).
@Suite struct StepSenderClassificationTests {
    static func answer(_ status: Int, _ body: String) -> PDError {
        PDError.fromResponse(status: status, body: Data(body.utf8), headers: [:], url: "http://127.0.0.1:2379/pd/api/v1/operators")
    }

    @Test func pdsOwnRefusalsAndUnsentRequestsAreRefused() {
        let refused: [PDError] = [
            Self.answer(500, "\"[PD:operator:ErrAddOperator]failed to add operator, maybe already have one\""),
            Self.answer(500, "\"cannot create operator: target leader is not allowed\""),
            Self.answer(400, "\"missing operator name\""),
            Self.answer(503, "[PD:apiutil:ErrRedirectNoLeader]redirect finds no leader"),
            PDError(kind: .connectionRefused, message: "connection refused", requestNotSent: true),
            PDError(kind: .dnsFailure, message: "no such host", requestNotSent: true),
            // The transport's proof decides, not the kind: a handshake that failed before any request byte.
            PDError(kind: .tls, message: "certificate verify failed", requestNotSent: true),
            PDError(kind: .connectTimeout, message: "no connection within 5s", requestNotSent: true),
        ]
        for e in refused { #expect(StepSender.provablyNotApplied(e), "\(e)") }
    }

    @Test func anythingAfterTheWriteMayHaveBeenApplied() {
        let redirect = Self.answer(500, "[PD:apiutil:ErrRedirect]redirect failed")
        #expect(redirect.kind == .server && redirect.code?.name == "ErrRedirect")
        let maybe: [PDError] = [
            redirect,
            PDError(kind: .responseTimeout, message: "no response head within 5s"),
            PDError(kind: .connectTimeout, message: "not proven unsent"),
            // Without the transport's proof, not even a refusal counts as unsent.
            PDError(kind: .connectionRefused, message: "reset after the write"),
            PDError(kind: .tls, message: "TLS alert after the request"),
            PDError(kind: .connectionLost, message: "closed before answering"),
            PDError(kind: .requestTimeout, message: "deadline"),
            PDError(kind: .allMembersFailed, message: "every PD member failed",
                    attempts: [PDError(kind: .connectionRefused, message: "refused", requestNotSent: true), redirect]),
        ]
        for e in maybe {
            #expect(!StepSender.provablyNotApplied(e), "\(e)")
            #expect(StepSender.classify(e) == .unknown(e.description))
        }
    }
}
