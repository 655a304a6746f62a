import Foundation
import TiKVSimulator

/// The generator every randomized test draws from: the simulator's SplitMix64, so a seed names one run anywhere.
public typealias SeededGenerator = SplitMix64

/// The seed of a test that draws random values: `OPERATOR_TEST_SEED` when it is set (to replay a failure),
/// else a fresh one. Printed either way, so the log of every run names the seed that replays it.
public enum TestSeed {
    public static func resolve(test: String = #function) -> UInt64 {
        let seed = override(UInt64.self) ?? UInt64.random(in: 0...UInt64.max)
        announce(seed, test: test)
        return seed
    }

    /// A test's own fixed seeds, or only `OPERATOR_TEST_SEED` when it is set (to replay one case).
    public static func cases<Seed: FixedWidthInteger>(_ own: Range<Seed>) -> [Seed] {
        override(Seed.self).map { [$0] } ?? Array(own)
    }

    /// Prints the seed a case runs with, so a failure names the one to replay.
    public static func announce(_ seed: some FixedWidthInteger, test: String = #function) {
        print("\(test): seed \(seed) (replay with OPERATOR_TEST_SEED=\(seed))")
    }

    private static func override<Seed: FixedWidthInteger>(_: Seed.Type) -> Seed? {
        ProcessInfo.processInfo.environment["OPERATOR_TEST_SEED"].flatMap { Seed($0) }
    }
}
