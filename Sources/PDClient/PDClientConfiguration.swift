import Foundation
import Reconcilers

/// How the controller reaches PD.
package struct PDClientConfiguration: Sendable {
    /// PD client URLs (`http://pd-0:2379`, …): any member will do; followers proxy to the leader.
    var endpoints: [URL]
    /// Sent as `X-Caller-ID`, which PD uses for audit and rate-limit labels.
    var callerID: String
    /// Ask `/leader` which member leads and send requests there first.
    var followLeader: Bool
    /// Limits for ordinary answers.
    var limits: HTTPLimits
    /// Limits for region lists, which can be hundreds of megabytes on a large cluster.
    var regionListLimits: HTTPLimits
    /// Retries for idempotent GETs only.
    var retry: RetryBackoff
    /// For https endpoints: the CA and client certificate.
    var tls: TLSFiles?

    package init(
        endpoints: [URL], callerID: String = "operator", followLeader: Bool = true,
        limits: HTTPLimits = HTTPLimits(),
        regionListLimits: HTTPLimits = HTTPLimits(responseHeaderTimeout: .seconds(10), deadline: .seconds(300), maxBodyBytes: 4 << 30),
        retry: RetryBackoff = RetryBackoff(), tls: TLSFiles? = nil
    ) {
        self.endpoints = endpoints
        self.callerID = callerID
        self.followLeader = followLeader
        self.limits = limits
        self.regionListLimits = regionListLimits
        self.retry = retry
        self.tls = tls
    }
}
