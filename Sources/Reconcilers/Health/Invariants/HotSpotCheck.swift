import Foundation

/// A store whose hot-region flow (PD's hotspot statistics, leader side, per direction) is above
/// `flowRatio` times the mean of the other Up, alive stores and above `minBytesPerSecond`.
///
/// The mean is over the *other* stores: a mean that includes the store itself caps the ratio at the
/// number of stores, so a 3-store cluster could never show a hot spot at the default ratio of 3.
public enum HotSpotCheck {
    public static func evaluate(_ policy: HotSpotInvariant, _ snapshot: ClusterSnapshot) -> InvariantVerdict {
        guard policy.enabled else { return .disabled(.hotSpot) }
        guard snapshot.answered(.stores, .hotspot) else { return .noVerdict(.hotSpot) }
        let stores = snapshot.stores.filter(\.isUpAndAlive).map(\.id).sorted()
        guard stores.count >= 2 else { return InvariantVerdict(invariant: .hotSpot) }
        var flow: [HotRegion.Direction: [UInt64: Double]] = [:]
        for region in snapshot.hotRegions {
            flow[region.direction, default: [:]][region.storeID, default: 0] += region.bytesPerSecond
        }
        let total = flow.mapValues { byStore in stores.reduce(0.0) { $0 + (byStore[$1] ?? 0) } }
        let at = snapshot.observedAt
        var violations: [Violation] = []
        for id in stores {
            var hot: [HotRegion.Direction] = []
            var readings: [Reading] = []
            for direction in [HotRegion.Direction.write, .read] {
                let own = flow[direction]?[id] ?? 0
                let othersMean = ((total[direction] ?? 0) - own) / Double(stores.count - 1)
                guard own > policy.minBytesPerSecond, own > policy.flowRatio * othersMean else { continue }
                hot.append(direction)
                readings += [
                    Reading(name: "\(direction.rawValue)BytesPerSecond", value: own, unit: "bytes/s", source: ReadingSource.hotspot, observedAt: at),
                    Reading(name: "\(direction.rawValue)OthersMeanBytesPerSecond", value: othersMean, unit: "bytes/s",
                            source: ReadingSource.hotspot, observedAt: at),
                ]
            }
            guard !hot.isEmpty else { continue }
            violations.append(Violation(
                invariant: .hotSpot, subject: HealthSubject.store(id), severity: policy.severity,
                summary: "store \(id) carries hot \(hot.map(\.rawValue).joined(separator: " and ")) flow above \(HealthText.number(policy.flowRatio))× the other stores' mean and \(HealthText.bytesPerSecond(policy.minBytesPerSecond))",
                readings: readings))
        }
        return InvariantVerdict(invariant: .hotSpot, violations: violations)
    }
}
