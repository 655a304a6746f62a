import Foundation
import Reconcilers

/// Sends a step's PD mutation and classifies the answer for crash safety: a refusal provably did
/// nothing (the step may be retried), an unknown outcome may have reached PD (the step waits for
/// its effect or its timeout, and is never blindly resent).
struct StepSender: Sendable {
    let pd: PDClient

    enum Outcome: Sendable, Equatable {
        case accepted(String)
        case refused(String)
        case unknown(String)
    }

    func send(_ action: Action) async -> Outcome {
        do {
            let answer = try await perform(action)
            return .accepted(answer)
        } catch {
            return Self.classify(error)
        }
    }

    private func perform(_ a: Action) async throws(PDError) -> String {
        func need(_ v: UInt64?, _ what: String) throws(PDError) -> UInt64 {
            guard let v else { throw PDError(kind: .badRequest, message: "the step has no \(what)") }
            return v
        }
        switch a.kind {
        case .transferLeader:
            return try await pd.createOperator(.transferLeader(regionID: need(a.regionID, "region"), toStoreID: need(a.toStoreID, "target store")))
        case .transferPeer:
            return try await pd.createOperator(.transferPeer(regionID: need(a.regionID, "region"), fromStoreID: need(a.fromStoreID, "source store"),
                                                             toStoreID: need(a.toStoreID, "target store")))
        case .addEvictLeaderScheduler: return try await pd.addEvictLeader(storeID: need(a.storeID, "store"))
        case .removeEvictLeaderScheduler: return try await pd.removeEvictLeader(storeID: need(a.storeID, "store"))
        case .offlineStore: return try await pd.deleteStore(need(a.storeID, "store"))
        case .cancelOfflineStore: return try await pd.setStoreUp(need(a.storeID, "store"))
        case .removeScheduler:
            guard let name = a.scheduler else { throw PDError(kind: .badRequest, message: "the step has no scheduler name") }
            return try await pd.removeScheduler(named: name)
        case .setStoreWeight:
            guard let leader = a.leaderWeight, let region = a.regionWeight else {
                throw PDError(kind: .badRequest, message: "the step has no weights")
            }
            return try await pd.setStoreWeight(need(a.storeID, "store"), leader: leader, region: region)
        case .waitForLeadersDrained, .waitForStoreRemoved, .waitForBalance:
            throw PDError(kind: .badRequest, message: "\(a.kind.rawValue) sends nothing")
        }
    }

    func cancelOperator(region: UInt64) async -> Outcome {
        do { return .accepted(try await pd.cancelOperator(regionID: region)) } catch { return Self.classify(error) }
    }

    static func classify(_ e: PDError) -> Outcome {
        provablyNotApplied(e) ? .refused(e.description) : .unknown(e.description)
    }

    /// PD itself answered with an error, or the request never left (refused connection, no DNS): nothing
    /// happened. Anything that can follow the write may have been applied: timeouts (the response-head
    /// timer also covers the server's think time), TLS failures mid-exchange, dropped connections, unreadable
    /// 2xx bodies, and a follower's `[PD:apiutil:ErrRedirect]`, which it sends when forwarding to the leader
    /// failed, possibly after the leader received the request (v8.5.7:pkg/utils/apiutil/apiutil.go:497-550).
    static func provablyNotApplied(_ e: PDError) -> Bool {
        switch e.kind {
        case .notFound, .storeRemoved, .badRequest, .operatorConflict, .noLeader, .notBootstrapped, .preconditionFailed,
             .unexpectedStatus, .connectionRefused, .dnsFailure:
            return true
        case .server:
            return e.code?.name != "ErrRedirect"
        case .allMembersFailed:
            return !e.attempts.isEmpty && e.attempts.allSatisfy(provablyNotApplied)
        case .malformedBody, .requestTimeout, .connectTimeout, .tls, .connectionLost, .bodyTooLarge, .cancelled, .transport:
            return false
        }
    }
}
