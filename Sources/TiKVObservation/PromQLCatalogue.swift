/// Which label ties a series to a TiKV store.
package enum StoreSeriesKey: Sendable, Hashable {
    /// TiKV's own metrics: `instance` is the store's **status** address (`:20180`), not its client address.
    case instance
    /// PD's per-store metrics: the `store` label holds the store id.
    case store
    /// A cluster-wide value (one series, no store).
    case cluster
}

/// One PromQL expression and how to read its result.
package struct PromQuery: Sendable, Hashable {
    var name: String
    package var expr: String
    package var key: StoreSeriesKey
    package var unit: String
}

/// Every signal the invariants read, in one place (expressions from the official Grafana
/// dashboards, METRICS.md). `selector` narrows the job/cluster, e.g. `job="tikv"`; it must not be empty
/// when several clusters share one Prometheus.
package enum PromQLCatalogue {
    /// p99 gRPC latency per store (seconds), all request types but GC.
    package static func grpcP99Latency(selector: String = "", window: String = "1m") -> PromQuery {
        PromQuery(name: "grpc_p99_seconds",
                  expr: "histogram_quantile(0.99, sum(rate(tikv_grpc_msg_duration_seconds_bucket{\(join(selector, #"type!="kv_gc""#))}[\(window)])) by (le, instance))",
                  key: .instance, unit: "seconds")
    }

    /// gRPC requests per second per store.
    package static func qps(selector: String = "", window: String = "1m") -> PromQuery {
        PromQuery(name: "grpc_qps",
                  expr: "sum(rate(tikv_grpc_msg_duration_seconds_count{\(join(selector, #"type!="kv_gc""#))}[\(window)])) by (instance)",
                  key: .instance, unit: "requests/s")
    }

    static func diskUsed(selector: String = "") -> PromQuery { storeSize("used", selector) }
    static func diskAvailable(selector: String = "") -> PromQuery { storeSize("available", selector) }
    static func diskCapacity(selector: String = "") -> PromQuery { storeSize("capacity", selector) }

    private static func storeSize(_ type: String, _ selector: String) -> PromQuery {
        PromQuery(name: "disk_\(type)_bytes",
                  expr: #"sum(tikv_store_size_bytes{\#(join(selector, "type=\"\(type)\""))}) by (instance)"#,
                  key: .instance, unit: "bytes")
    }

    /// Leaders per store as TiKV counts them.
    static func tikvLeaderCount(selector: String = "") -> PromQuery {
        PromQuery(name: "tikv_leader_count",
                  expr: #"sum(tikv_raftstore_region_count{\#(join(selector, #"type="leader""#))}) by (instance)"#,
                  key: .instance, unit: "regions")
    }

    static func tikvRegionCount(selector: String = "") -> PromQuery {
        PromQuery(name: "tikv_region_count",
                  expr: #"sum(tikv_raftstore_region_count{\#(join(selector, #"type="region""#))}) by (instance)"#,
                  key: .instance, unit: "regions")
    }

    /// Leaders per store as PD's scheduler sees them.
    static func pdLeaderCount(selector: String = "") -> PromQuery {
        PromQuery(name: "pd_leader_count",
                  expr: #"sum(pd_scheduler_store_status{\#(join(selector, #"type="leader_count""#))}) by (store)"#,
                  key: .store, unit: "regions")
    }

    static func pdRegionCount(selector: String = "") -> PromQuery {
        PromQuery(name: "pd_region_count",
                  expr: #"sum(pd_scheduler_store_status{\#(join(selector, #"type="region_count""#))}) by (store)"#,
                  key: .store, unit: "regions")
    }

    /// Worst write-stall p99 over the window, microseconds (a gauge, not a histogram).
    static func writeStall(selector: String = "", window: String = "5m") -> PromQuery {
        PromQuery(name: "write_stall_p99_us",
                  expr: #"max(max_over_time(tikv_engine_write_stall{\#(join(selector, #"type="write_stall_percentile99",db="kv""#))}[\#(window)])) by (instance)"#,
                  key: .instance, unit: "microseconds")
    }

    /// Scrape health of each TiKV status port (1 up, 0 down).
    package static func tikvUp(job: String = "tikv") -> PromQuery {
        PromQuery(name: "tikv_up", expr: #"up{job="\#(job)"}"#, key: .instance, unit: "bool")
    }

    /// When each store's `up` sample was scraped (Unix seconds). An instant query's `[ts, "value"]` carries
    /// the evaluation time, not the sample's: only `timestamp()` tells how old the last scrape is.
    static func tikvUpScrapeTime(job: String = "tikv") -> PromQuery {
        PromQuery(name: "tikv_up_scraped_at", expr: #"timestamp(up{job="\#(job)"})"#, key: .instance, unit: "unix seconds")
    }

    /// PD's per-store status (v8.5.5+): `pd_cluster_status{type,store}` is a 0/1 gauge per store.
    /// Older PD has no `store` label, so the result has no per-store series (→ unknown, not healthy).
    static func pdStoreStatus(type: String, selector: String = "") -> PromQuery {
        PromQuery(name: "pd_\(type)",
                  expr: #"max(pd_cluster_status{\#(join(selector, "type=\"\(type)\""))}) by (store)"#,
                  key: .store, unit: "bool")
    }

    /// Cluster-wide count of stores in a status; `sum` works on every PD version.
    static func pdStoreStatusCount(type: String, selector: String = "") -> PromQuery {
        PromQuery(name: "pd_\(type)_total",
                  expr: #"sum(pd_cluster_status{\#(join(selector, "type=\"\(type)\""))})"#,
                  key: .cluster, unit: "stores")
    }

    /// Hot write (or read) regions led by each store.
    static func hotRegionsAsLeader(write: Bool = true, selector: String = "") -> PromQuery {
        let t = write ? "hot_write_region_as_leader" : "hot_read_region_as_leader"
        return PromQuery(name: t, expr: #"sum(pd_hotspot_status{\#(join(selector, "type=\"\(t)\""))}) by (store)"#,
                         key: .store, unit: "regions")
    }

    /// Region health counts (`miss-peer-region-count`, `down-peer-region-count`, …).
    static func regionHealth(type: String, selector: String = "") -> PromQuery {
        PromQuery(name: "pd_regions_\(type)", expr: #"sum(pd_regions_status{\#(join(selector, "type=\"\(type)\""))})"#,
                  key: .cluster, unit: "regions")
    }

    private static func join(_ selector: String, _ matcher: String) -> String {
        selector.isEmpty ? matcher : selector + "," + matcher
    }
}
