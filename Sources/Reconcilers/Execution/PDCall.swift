/// The exact PD request an action sends (`pd/API.md`): what dry-run records, what the audit log
/// keeps, and what the executor sends. Ids are JSON numbers: PD type-asserts float64.
public struct PDCall: Sendable, Hashable, CustomStringConvertible {
    public var method: String
    /// Path under `/pd/api/v1`.
    public var path: String
    public var query: [(String, String)]
    /// JSON body, keys in a fixed order; nil for none.
    public var body: String?

    public init(method: String, path: String, query: [(String, String)] = [], body: String? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
    }

    public static func == (a: PDCall, b: PDCall) -> Bool {
        a.method == b.method && a.path == b.path && a.body == b.body && a.query.map { "\($0)=\($1)" } == b.query.map { "\($0)=\($1)" }
    }

    public func hash(into h: inout Hasher) {
        h.combine(method)
        h.combine(path)
        h.combine(body)
        for (k, v) in query { h.combine(k); h.combine(v) }
    }

    /// `POST /pd/api/v1/operators {"name":"transfer-leader","region_id":24,"to_store_id":1}`.
    public var description: String {
        let q = query.isEmpty ? "" : "?" + query.map { "\($0)=\($1)" }.joined(separator: "&")
        return "\(method) /pd/api/v1\(path)\(q)" + (body.map { " \($0)" } ?? "")
    }

    /// The request for a mutating action; nil for actions that only wait, and for one missing a parameter
    /// (never a request with a made-up id).
    public static func forAction(_ a: Action) -> PDCall? {
        guard a.missingParameters.isEmpty else { return nil }
        func n(_ v: UInt64?) -> String { v.map(String.init) ?? "" }
        switch a.kind {
        case .transferLeader:
            return PDCall(method: "POST", path: "/operators",
                          body: #"{"name":"transfer-leader","region_id":\#(n(a.regionID)),"to_store_id":\#(n(a.toStoreID))}"#)
        case .transferPeer:
            return PDCall(method: "POST", path: "/operators",
                          body: #"{"name":"transfer-peer","region_id":\#(n(a.regionID)),"from_store_id":\#(n(a.fromStoreID)),"to_store_id":\#(n(a.toStoreID))}"#)
        case .addEvictLeaderScheduler:
            return PDCall(method: "POST", path: "/schedulers", body: #"{"name":"evict-leader-scheduler","store_id":\#(n(a.storeID))}"#)
        case .removeEvictLeaderScheduler:
            return PDCall(method: "DELETE", path: "/schedulers/evict-leader-scheduler-\(n(a.storeID))")
        case .offlineStore:
            return PDCall(method: "DELETE", path: "/store/\(n(a.storeID))")
        case .cancelOfflineStore:
            return PDCall(method: "POST", path: "/store/\(n(a.storeID))/state", query: [("state", "Up")])
        case .removeScheduler:
            return PDCall(method: "DELETE", path: "/schedulers/\(a.scheduler ?? "")")
        case .setStoreWeight:
            // Both weights in one body: PD's handler refuses a body missing either (server/api/store.go).
            // Doubles as Swift prints them (`2.0`).
            return PDCall(method: "POST", path: "/store/\(n(a.storeID))/weight",
                          body: #"{"leader":\#(a.leaderWeight ?? 1),"region":\#(a.regionWeight ?? 1)}"#)
        case .removeFailedStores:
            // server/api/unsafe_operation.go: `stores` is a list of numbers; PD's default timeout (600 s) applies.
            // Never a made-up (or empty) list: a step without its stores is not sent.
            guard let stores = a.storeIDs, !stores.isEmpty else { return nil }
            let ids = stores.map(String.init).joined(separator: ",")
            return PDCall(method: "POST", path: "/admin/unsafe/remove-failed-stores", body: #"{"stores":[\#(ids)]}"#)
        case .splitRegion:
            // pkg/schedule/handler/handler.go:341-359, 618-650 (v8.5.7): APPROXIMATE lets TiKV pick the middle from its
            // SST properties, without scanning the region's data (SCAN) or needing a key (USEKEY).
            return PDCall(method: "POST", path: "/operators",
                          body: #"{"name":"split-region","region_id":\#(n(a.regionID)),"policy":"approximate"}"#)
        case .waitForLeadersDrained, .waitForStoreRemoved, .waitForBalance, .waitForStoresUp:
            return nil
        }
    }

    /// Cancels the operator PD runs on a region (kill switch, cancelled plan).
    public static func cancelOperator(region: UInt64) -> PDCall {
        PDCall(method: "DELETE", path: "/operators/\(region)")
    }
}
