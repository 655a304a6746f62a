import PDWire

/// `GET /pd/api/v1/config`: PD's whole `config.Config` as the leader serves it (`server/config/config.go`), key
/// order as Go marshals the struct. Member names and URLs, schedule, replication and cluster-version come from the
/// model; the other sections are PD's defaults for a tidb-operator deployment, which the simulator does not vary.
extension PDRouter {
    func fullConfigJSON(_ c: ClusterState) -> JSONValue {
        // A follower answers GET /config itself (middleware.go:202-208), with its own name and URLs.
        let leader = c.members.first { $0.name == (member ?? c.leaderName) } ?? c.members.first
        let name = leader?.name ?? "pd"
        let clientURL = leader?.clientURLs.first ?? "http://127.0.0.1:2379"
        let peerURL = leader?.peerURLs.first ?? "http://127.0.0.1:2380"
        let initial = c.members.map { "\($0.name)=\($0.peerURLs.first ?? "")" }.joined(separator: ",")
        func dur(_ s: String) -> JSONValue { .string(s) }
        let flagFalse = JSONValue.string("false"), flagTrue = JSONValue.string("true")
        var top: [(String, JSONValue)] = []
        top += [("client-urls", .string("http://0.0.0.0:2379")), ("peer-urls", .string("http://0.0.0.0:2380"))]
        top += [("advertise-client-urls", .string(clientURL)), ("advertise-peer-urls", .string(peerURL))]
        top += [("name", .string(name)), ("data-dir", .string("/var/lib/pd")), ("force-new-cluster", .bool(false))]
        top += [("enable-grpc-gateway", .bool(true)), ("initial-cluster", .string(initial))]
        top += [("initial-cluster-state", .string("new")), ("initial-cluster-token", .string("pd-cluster"))]
        top += [("join", .string("")), ("lease", .int(5))]
        top += [("log", .object([
                ("level", .string("info")), ("format", .string("text")), ("disable-timestamp", .bool(false)),
                ("file", .object([("filename", .string("")), ("max-size", .int(300)), ("max-days", .int(0)), ("max-backups", .int(0))])),
                ("development", .bool(false)), ("disable-caller", .bool(false)), ("disable-stacktrace", .bool(false)),
                ("disable-error-verbose", .bool(true)), ("sampling", .null), ("error-output-path", .string("")),
            ]))]
        top += [("max-concurrent-tso-proxy-streamings", .int(5000)), ("tso-proxy-recv-from-client-timeout", dur("1h0m0s"))]
        top += [("tso-save-interval", dur("5s")), ("tso-update-physical-interval", dur("50ms")), ("enable-local-tso", .bool(false))]
        top += [("metric", .object([("job", .string(name)), ("address", .string("")), ("interval", dur("15s"))]))]
        top += [("schedule", scheduleJSON(c))]
        top += [("replication", .object(c.config.replication))]
        top += [("pd-server", .object([
                ("use-region-storage", flagTrue), ("max-gap-reset-ts", dur("24h0m0s")), ("key-type", .string("table")),
                ("runtime-services", .string("")), ("metric-storage", .string("")), ("dashboard-address", .string(clientURL)),
                ("flow-round-by-digit", .int(3)), ("min-resolved-ts-persistence-interval", dur("1s")),
                ("server-memory-limit", .int(0)), ("server-memory-limit-gc-trigger", .double(0.7)),
                ("enable-gogc-tuner", flagTrue), ("gc-tuner-threshold", .double(0.6)), ("block-safe-point-v1", flagFalse),
            ]))]
        top += [("cluster-version", .string(c.stores.filter { $0.state != .tombstone }.map(\.version).min() ?? "0.0.0"))]
        top += [("labels", .object([])), ("quota-backend-bytes", .string(ByteSize(8 << 30).description))]
        top += [("auto-compaction-mode", .string("periodic")), ("auto-compaction-retention-v2", .string("1h"))]
        top += [("tick-interval", dur("500ms")), ("election-interval", dur("3s")), ("enable-prevote", .bool(true))]
        top += [("max-request-bytes", .int(157_286_400))]
        top += [("security", .object([
                ("cacert-path", .string("")), ("cert-path", .string("")), ("key-path", .string("")), ("cert-allowed-cn", .null),
                ("SSLCABytes", .null), ("SSLCertBytes", .null), ("SSLKEYBytes", .null), ("redact-info-log", .bool(false)),
                ("encryption", .object([
                    ("data-encryption-method", .string("plaintext")), ("data-key-rotation-period", dur("168h0m0s")),
                    ("master-key", .object([("type", .string("plaintext")), ("key-id", .string("")), ("region", .string("")),
                                            ("endpoint", .string("")), ("path", .string(""))])),
                ])),
            ]))]
        top += [("label-property", Self.labelPropertyJSON(c.config.labelProperty))]
        top += [("dashboard", .object([
                ("tidb-cacert-path", .string("")), ("tidb-cert-path", .string("")), ("tidb-key-path", .string("")),
                ("public-path-prefix", .string("")), ("temp-dir", .string("")), ("internal-proxy", .bool(false)),
                ("enable-telemetry", .bool(false)), ("enable-experimental", .bool(false)), ("disable-custom-prom-addr", .bool(false)),
            ]))]
        top += [("replication-mode", .object([
                ("replication-mode", .string("majority")),
                ("dr-auto-sync", .object([
                    ("label-key", .string("")), ("primary", .string("")), ("dr", .string("")), ("primary-replicas", .int(0)),
                    ("dr-replicas", .int(0)), ("wait-store-timeout", dur("1m0s")), ("wait-recover-timeout", dur("0s")),
                    ("pause-region-split", flagFalse),
                ])),
            ]))]
        top += [("keyspace", .object([
                ("pre-alloc", .null), ("wait-region-split", .bool(true)), ("wait-region-split-timeout", dur("30s")),
                ("check-region-split-interval", dur("50ms")), ("meta-service-groups", .null),
            ]))]
        top += [("micro-service", .object([
                ("enable-scheduling-fallback", flagTrue), ("enable-tso-dynamic-switching", flagFalse),
                ("enable-resource-manager-fallback", flagTrue),
            ]))]
        top += [("controller", .object([
                ("degraded-mode-wait-duration", dur("0s")), ("ltb-max-wait-duration", dur("30s")), ("ltb-token-rpc-max-delay", dur("1s")),
                ("request-unit", .object([
                    ("read-base-cost", .double(0.125)), ("read-per-batch-base-cost", .double(0.5)),
                    ("read-cost-per-byte", .double(1.0 / 65536)), ("write-base-cost", .int(1)), ("write-per-batch-base-cost", .int(1)),
                    ("write-cost-per-byte", .double(1.0 / 1024)), ("read-cpu-ms-cost", .double(1.0 / 3)),
                ])),
                ("enable-controller-trace-log", flagFalse), ("push-metrics-address", .string("")), ("push-metrics-interval", dur("0s")),
            ]))]
            // The metering section's struct lives outside PD (pingcap/metering_sdk); not reproduced.
        top += [("metering", .object([]))]
        return .object(top)
    }
}
