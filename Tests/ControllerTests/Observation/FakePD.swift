import Foundation
import FlyingFox
@testable import PDClient

/// What a test server saw.
struct SeenRequest: Sendable {
    var method: String
    var path: String
    var query: [String: [String]]
    var callerID: String?
    var body: Data

    func first(_ name: String) -> String? { query[name]?.first }
}

actor RequestLog {
    private(set) var requests: [SeenRequest] = []

    func record(_ r: FlyingFox.HTTPRequest) async -> SeenRequest {
        var q: [String: [String]] = [:]
        for item in r.query { q[item.name, default: []].append(item.value) }
        let body = (try? await r.bodyData) ?? Data()
        let seen = SeenRequest(method: r.method.rawValue, path: r.path, query: q,
                               callerID: r.headers[HTTPHeader("X-Caller-ID")], body: body)
        requests.append(seen)
        return seen
    }

    func paths() -> [String] { requests.map(\.path) }
    func count(_ path: String) -> Int { requests.filter { $0.path == path }.count }
}

/// A PD member that answers GETs from the fixture folder.
enum FakePD {
    static let fixtureForPath: [String: String] = [
        "/pd/api/v1/stores": "stores.json",
        "/pd/api/v1/region/id/24": "region.json",
        "/pd/api/v1/region/id/1101": "region_no_leader.json",
        "/pd/api/v1/regions/count": "regions_count.json",
        "/pd/api/v1/hotspot/regions/write": "hotspot_write.json",
        "/pd/api/v1/hotspot/regions/read": "hotspot_read.json",
        "/pd/api/v1/operators": "operators_get.json",
        "/pd/api/v1/operators/24": "operator_region.json",
        "/pd/api/v1/schedulers": "schedulers_get.json",
        "/pd/api/v1/scheduler-config/evict-leader-scheduler/list": "scheduler_config_evict_leader_list.json",
        "/pd/api/v1/config": "config.json",
        "/pd/api/v1/config/placement-rule": "config_placement_rule.json",
        "/pd/api/v1/members": "members.json",
        "/pd/api/v1/leader": "leader.json",
        "/pd/api/v1/health": "health.json",
    ]

    static func answer(_ r: SeenRequest) throws -> FlyingFox.HTTPResponse {
        if r.path == "/pd/api/v1/schedulers", r.first("status") == "paused" { return try Reply.fixture("schedulers_paused_timestamp.json") }
        if r.path == "/pd/api/v1/operators/12" { return try Reply.fixture("error_500_operator_not_found.json", status: 500) }
        if r.path == "/pd/api/v1/regions/key" {
            switch r.first("key") ?? "" {
            case "": return try Reply.fixture("regions_key_page1.json")
            case "7480000000000000FF0700000000000000F8": return try Reply.fixture("regions_key_page2.json")
            case "7480000000000000FF0B00000000000000F8": return try Reply.fixture("regions_key_page3.json")
            default: return Reply.json(#"{"count":0,"regions":[]}"#)
            }
        }
        if let name = fixtureForPath[r.path] { return try Reply.fixture(name) }
        return Reply.text("404 page not found\n", status: 404)
    }

    /// A fixture-backed member that records what it receives.
    static func start(log: RequestLog, leaderURL: @escaping @Sendable () -> URL? = { nil }) async throws -> LoopbackServer {
        try await LoopbackServer.start { request in
            let seen = await log.record(request)
            if seen.path == "/pd/api/v1/leader", let u = leaderURL() {
                return Reply.json(#"{"name":"pd","member_id":13088853698788547064,"client_urls":["\#(u.absoluteString)"]}"#)
            }
            return try answer(seen)
        }
    }

    static func client(_ urls: [URL], followLeader: Bool = false, limits: HTTPLimits = .patient,
                       retry: RetryBackoff = RetryBackoff(maxAttempts: 1)) -> PDClient {
        PDClient(configuration: PDClientConfiguration(endpoints: urls, followLeader: followLeader, limits: limits,
                                                      regionListLimits: limits, retry: retry))
    }
}
