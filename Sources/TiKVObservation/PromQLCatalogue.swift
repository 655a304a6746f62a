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

    private static func join(_ selector: String, _ matcher: String) -> String {
        selector.isEmpty ? matcher : selector + "," + matcher
    }
}
