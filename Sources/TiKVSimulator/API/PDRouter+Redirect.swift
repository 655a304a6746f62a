import Foundation

/// PD's redirector (v8.5.7:pkg/utils/apiutil/serverapi/middleware.go:192-282): a member answers a few paths itself
/// and proxies everything else to the leader it knows. One `SimulatedCluster` is the truth every member shares,
/// so a successful proxy is the leader's own answer; only the failures need modelling.
extension PDRouter {
    /// Paths every member answers itself (middleware.go:192-199), plus GET /config (202-208).
    static let localOnlyPaths = ["/pd/api/v1/admin/log", "/pd/api/v1/status", "/pd/api/v1/health", "/pd/api/v1/ping",
                                 "/pd/api/v1/version", "/pd/api/v1/debug/pprof"]
    /// `apiutil.PDRedirectorHeader` and `PDAllowFollowerHandleHeader`.
    static let redirectorHeader = "PD-Redirector", allowFollowerHeader = "PD-Allow-follower-handle"

    /// nil when the member answers the request as the leader would; otherwise PD's refusal.
    func redirect(_ req: Request, asMember name: String) -> HTTPReply? {
        if req.path == "/pd/api/v1/config" && req.method == "GET" { return nil }
        if Self.localOnlyPaths.contains(where: { req.path.hasPrefix($0) }) { return nil }
        if req.header(Self.allowFollowerHeader).map({ !$0.isEmpty }) == true { return nil }
        switch cluster.withState({ $0.role(ofMember: name) }) {
        case .leader:
            return nil
        case .follower:
            // A request another member already redirected here is not forwarded twice (middleware.go:263-267).
            if req.header(Self.redirectorHeader).map({ !$0.isEmpty }) == true { return .goError(Self.redirectToNotLeader, status: 500) }
            return nil
        case .noLeader, .down:
            // PD first waits up to 3 s for a leader (middleware.go:284-317); the simulator answers at once, since its
            // election runs on the cluster clock, which may be virtual and so never move while a handler waits.
            return .goError(Self.redirectNoLeader, status: 503)
        case .redirectFails:
            // Every URL of the leader it knows failed to connect (apiutil.go:470-523).
            return .goError(Self.redirectFailed, status: 500)
        }
    }

    /// `errs.ErrRedirect…FastGenByArgs().Error()` (v8.5.7:pkg/errs/errno.go:197-200).
    static let redirectFailed = "[PD:apiutil:ErrRedirect]redirect failed"
    static let redirectNoLeader = "[PD:apiutil:ErrRedirectNoLeader]redirect finds no leader"
    static let redirectToNotLeader = "[PD:apiutil:ErrRedirectToNotLeader]redirect to not leader"
}

extension HTTPReply {
    /// Go's `http.Error`: text/plain, `nosniff`, the message and a newline.
    static func goError(_ message: String, status: Int) -> HTTPReply {
        HTTPReply(status: status, contentType: "text/plain; charset=utf-8", body: .bytes(Array((message + "\n").utf8)),
                  extraHeaders: [("X-Content-Type-Options", "nosniff")])
    }
}
