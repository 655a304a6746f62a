import Foundation

/// A store no client traffic can judge: it serves no requests, so it has no latency to measure and nothing to stall
/// (its write-stall gauge keeps the last value it had, as TiKV's does). Its metric tickets are judged on the signals
/// that do not depend on traffic instead: PD hears from it, it is Up and not busy, and TiKV's disk probe (PD's slow
/// score, which keeps running) is at its floor. Without that score nothing is known, and the metric decides as before.
enum IdleStore {
    static func isHealthy(_ store: StoreSnapshot) -> Bool {
        store.metrics.qps.value == 0 && store.liveness == .alive && store.state == .up && !store.isBusy
            && PDSlowScore.isRecovered(store.slowScore)
    }
}
