/// Store-limit changes behind `POST /store/{id}/limit` and `POST /stores/limit` (v8.5.7:server/api/store.go:307-489).
extension ClusterState {
    /// `store-limit-version`: only v1 may be read or set through these endpoints.
    public var storeLimitVersion: String {
        if case .string(let v)? = config.schedule.first(where: { $0.0 == "store-limit-version" })?.1 { return v }
        return "v1"
    }

    /// `SetStoreLimit` / `SetStoreLimitTTL` for one store; with a TTL the rate wins until it expires and the
    /// persisted one is left alone (persist_options.go:529-536).
    public mutating func setStoreLimit(_ id: UInt64, types: [StoreLimitTable.LimitType], rate: Double, ttlSeconds: Int) throws(PDError) {
        guard storeIndexById[id] != nil else { throw .storeNotFound(id, status: 500) }
        for t in types {
            if ttlSeconds > 0 { storeLimits.setTTL(id, t, rate: rate, untilNanos: nowNanos + Int64(ttlSeconds) * Self.second) }
            else { storeLimits.set(id, t, rate: rate) }
        }
    }

    /// `SetAllStoresLimit`: the default and every store's rate. A TTL applies to every current store (PD keeps it
    /// as a `default-*` TTL key; an approximation).
    public mutating func setAllStoresLimit(types: [StoreLimitTable.LimitType], rate: Double, ttlSeconds: Int) {
        for t in types {
            if ttlSeconds > 0 {
                for s in stores where s.state != .tombstone {
                    storeLimits.setTTL(s.id, t, rate: rate, untilNanos: nowNanos + Int64(ttlSeconds) * Self.second)
                }
            } else {
                storeLimits.setAll(t, rate: rate)
            }
        }
    }

    /// `SetLabelStoresLimit`: every store carrying all the labels.
    public mutating func setLabelStoresLimit(types: [StoreLimitTable.LimitType], rate: Double, labels: [(String, String)]) {
        for s in stores where labels.allSatisfy({ l in s.labels.contains { $0.key == l.0 && $0.value == l.1 } }) {
            for t in types { storeLimits.set(s.id, t, rate: rate) }
        }
    }

    /// The persisted rates as `GET /stores/limit` and `store-limit` render them, by store id.
    public func storeLimitRates(includeTombstone: Bool) -> [(UInt64, add: Double, remove: Double)] {
        storeLimits.rates.keys.sorted().compactMap { id in
            if !includeTombstone, store(id).map({ $0.state == .tombstone }) ?? true { return nil }
            let r = storeLimits.rates[id] ?? [:]
            return (id, r[.addPeer] ?? 15, r[.removePeer] ?? 15)
        }
    }
}
