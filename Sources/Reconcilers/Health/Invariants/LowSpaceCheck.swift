import Foundation

/// A store low on disk: PD's own `IsLowSpace` (available / capacity < 1 − `low-space-ratio`, except
/// while the store holds fewer than 100 regions and more than 8 GiB is free), or below the owners'
/// stricter-or-looser `minAvailablePercent`. Like PD, a store with no capacity reported, a Down store
/// (its figures are stale) and a tombstone are not judged.
public enum LowSpaceCheck {
    /// `InitClusterRegionThreshold` and `initialMinSpace` in PD's `pkg/core/store.go`.
    static let initClusterRegionThreshold = 100
    static let initialMinSpaceBytes: Int64 = 8 << 30

    public static func evaluate(_ policy: LowSpaceInvariant, _ snapshot: ClusterSnapshot) -> InvariantVerdict {
        guard policy.enabled else { return .disabled(.lowSpace) }
        // The low-space ratio comes from PD's config; without it PD's line is unknown.
        guard snapshot.answered(.stores, .config) else { return .noVerdict(.lowSpace) }
        let pdLine = 1 - snapshot.settings.lowSpaceRatio
        var violations: [Violation] = []
        for store in snapshot.stores where !store.isTombstone && store.liveness != .down && store.capacityBytes > 0 {
            let ratio = Double(store.availableBytes) / Double(store.capacityBytes)
            let youngStore = store.regionCount < initClusterRegionThreshold && store.availableBytes > initialMinSpaceBytes
            let pdLow = !youngStore && ratio < pdLine
            let specLow = ratio * 100 < policy.minAvailablePercent
            guard pdLow || specLow else { continue }
            let lines = [pdLow ? "PD's low-space line (\(HealthText.percent(pdLine * 100)) free)" : nil,
                         specLow ? "\(HealthText.percent(policy.minAvailablePercent)) free" : nil].compactMap { $0 }
            let at = snapshot.observedAt
            violations.append(Violation(
                invariant: .lowSpace, subject: HealthSubject.store(store.id), severity: policy.severity,
                summary: "store \(store.id) has less available space than \(lines.joined(separator: " and "))",
                readings: [
                    Reading(name: "availablePercent", value: ratio * 100, unit: "percent", source: ReadingSource.stores, observedAt: at),
                    Reading(name: "availableBytes", value: Double(store.availableBytes), unit: "bytes", source: ReadingSource.stores, observedAt: at),
                    Reading(name: "capacityBytes", value: Double(store.capacityBytes), unit: "bytes", source: ReadingSource.stores, observedAt: at),
                    Reading(name: "lowSpaceRatio", value: snapshot.settings.lowSpaceRatio, unit: "ratio", source: ReadingSource.config, observedAt: at),
                    Reading(name: "minAvailablePercent", value: policy.minAvailablePercent, unit: "percent", source: ReadingSource.spec, observedAt: at),
                ]))
        }
        return InvariantVerdict(invariant: .lowSpace, violations: violations)
    }
}
