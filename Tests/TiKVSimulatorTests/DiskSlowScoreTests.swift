import Testing
@testable import TiKVSimulator

/// TiKV's slow score arithmetic, from TiKV's own `test_slow_score` (components/health_controller/src/slow_score.rs):
/// AIMD with a 10 % timeout-ratio threshold and a five-minute recovery.
@Suite struct DiskSlowScoreTests {
    @Test func risesByTheTimeoutRatioAndFallsLinearly() {
        var s = DiskSlowScore()
        let rounds: [(ratio: Double, elapsed: Double, want: Double)] = [
            (0.05, 10, 1.5), (0.10, 10, 3.0), (0.20, 10, 6.0), (1.0, 10, 12.0), (0.11, 10, 24.0), (0, 15, 19.0), (0, 57, 1.0),
        ]
        for r in rounds {
            s.update(timeoutRatio: r.ratio, elapsedSeconds: r.elapsed)
            #expect(abs(s.value - r.want) < 1e-9, "\(r)")
        }
    }

    @Test func boundedToOneHundredAndReportedTruncated() {
        var s = DiskSlowScore()
        for _ in 0..<20 { s.update(timeoutRatio: 1, elapsedSeconds: 10) }
        #expect(s.value == 100 && s.reported == 100)
        s.update(timeoutRatio: 0, elapsedSeconds: 10)
        #expect(s.reported == 96)
        for _ in 0..<40 { s.update(timeoutRatio: 0, elapsedSeconds: 10) }
        #expect(s.value == 1 && s.reported == 1)
    }

    @Test func theFaultsFactorMakesTheTimeoutRatio() {
        #expect(DiskSlowScore.timeoutRatio(slowFactor: 1) == 0)
        #expect(abs(DiskSlowScore.timeoutRatio(slowFactor: 1.05) - 0.05) < 1e-9)
        #expect(DiskSlowScore.timeoutRatio(slowFactor: 10) == 1)
    }
}
