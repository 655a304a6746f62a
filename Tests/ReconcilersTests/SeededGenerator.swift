import Foundation

/// SplitMix64: a seeded generator, so every property test replays the same random clusters.
/// (The simulator's `SplitMix64` is the same generator; these tests do not depend on the simulator.)
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The seeds of a randomized test, printed as each case runs so a failure names the one to replay.
enum TestSeeds {
    /// The test's own seeds, or only `OPERATOR_TEST_SEED` when it is set (to replay one case).
    static func cases<Seed: FixedWidthInteger>(_ own: Range<Seed>) -> [Seed] {
        ProcessInfo.processInfo.environment["OPERATOR_TEST_SEED"].flatMap { Seed($0) }.map { [$0] } ?? Array(own)
    }

    static func announce(_ seed: some FixedWidthInteger, test: String = #function) {
        print("\(test): seed \(seed) (replay with OPERATOR_TEST_SEED=\(seed))")
    }
}
