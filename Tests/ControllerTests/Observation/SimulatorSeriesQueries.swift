@testable import TiKVObservation

/// PromQL for series the simulator exports but the controller does not read (the Grafana dashboards' expressions).
/// Tests ask Prometheus for them to check the simulator's exposition against its model and the store mapping.
enum SimulatorSeriesQueries {
    static func diskAvailable() -> PromQuery { storeSize("available") }
    static func diskCapacity() -> PromQuery { storeSize("capacity") }

    private static func storeSize(_ type: String) -> PromQuery {
        PromQuery(name: "disk_\(type)_bytes", expr: #"sum(tikv_store_size_bytes{type="\#(type)"}) by (instance)"#, key: .instance, unit: "bytes")
    }

    /// Leaders per store as TiKV counts them; `selector` narrows the job, e.g. `job="tikv"`.
    static func tikvLeaderCount(selector: String = "") -> PromQuery {
        let matchers = selector.isEmpty ? #"type="leader""# : selector + #",type="leader""#
        return PromQuery(name: "tikv_leader_count", expr: #"sum(tikv_raftstore_region_count{\#(matchers)}) by (instance)"#,
                         key: .instance, unit: "regions")
    }

    static func tikvRegionCount() -> PromQuery {
        PromQuery(name: "tikv_region_count", expr: #"sum(tikv_raftstore_region_count{type="region"}) by (instance)"#,
                  key: .instance, unit: "regions")
    }

    /// Leaders per store as PD's scheduler sees them.
    static func pdLeaderCount() -> PromQuery {
        PromQuery(name: "pd_leader_count", expr: #"sum(pd_scheduler_store_status{type="leader_count"}) by (store)"#,
                  key: .store, unit: "regions")
    }

    /// PD's per-store status (v8.5.5+): `pd_cluster_status{type,store}` is a 0/1 gauge per store.
    static func pdStoreStatus(type: String) -> PromQuery {
        PromQuery(name: "pd_\(type)", expr: #"max(pd_cluster_status{type="\#(type)"}) by (store)"#, key: .store, unit: "bool")
    }

    /// Cluster-wide count of stores in a status; `sum` works on every PD version.
    static func pdStoreStatusCount(type: String) -> PromQuery {
        PromQuery(name: "pd_\(type)_total", expr: #"sum(pd_cluster_status{type="\#(type)"})"#, key: .cluster, unit: "stores")
    }
}
