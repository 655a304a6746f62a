import Foundation
import PDClient
import Reconcilers

/// Sends a step's PD mutation and classifies the answer for crash safety: a refusal provably did
/// nothing (the step may be retried), an unknown outcome may have reached PD (the step waits for
/// its effect or its timeout, and is never blindly resent).
package struct StepSender: Executor {
    let pd: PDClient

    package typealias Outcome = StepOutcome

    /// Sends exactly `call`: the request planning produced, that dry-run showed and that the audit records —
    /// method, path, query and body bytes — nothing rebuilt on the way.
    package func send(_ call: PDCall) async -> Outcome {
        do {
            return .accepted(try await pd.send(call))
        } catch {
            return Self.classify(error)
        }
    }

    static func classify(_ e: PDError) -> Outcome {
        provablyNotApplied(e) ? .refused(e.description) : .unknown(e.description)
    }

    /// PD itself answered with an error, or the transport proved the request never left (no byte of it was
    /// written: DNS failed, the connection was refused or never completed): nothing happened. Every other
    /// failure may follow the write and may have been applied: timeouts, TLS failures after the handshake,
    /// dropped connections, unreadable 2xx bodies, and a follower's `[PD:apiutil:ErrRedirect]`, which it sends
    /// when forwarding to the leader failed, possibly after the leader received the request
    /// (v8.5.7:pkg/utils/apiutil/apiutil.go:497-550). The transport's proof (`PDError.requestNotSent`) is the
    /// only source for "not sent": the kind of a failure is never taken as one.
    static func provablyNotApplied(_ e: PDError) -> Bool {
        switch e.kind {
        case .notFound, .storeRemoved, .badRequest, .operatorConflict, .noLeader, .notBootstrapped, .preconditionFailed,
             .unexpectedStatus:
            return true
        case .server:
            return e.code?.name != "ErrRedirect"
        case .allMembersFailed:
            return !e.attempts.isEmpty && e.attempts.allSatisfy(provablyNotApplied)
        case .connectionRefused, .dnsFailure, .connectTimeout, .responseTimeout, .requestTimeout, .stalled, .tls,
             .connectionLost, .malformedResponse, .bodyTooLarge, .cancelled, .transport:
            return e.requestNotSent
        case .malformedBody:
            return false
        }
    }
}
