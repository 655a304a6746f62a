import Foundation

/// The seed of a test that draws random values: `OPERATOR_TEST_SEED` when it is set (to replay a failure),
/// else a fresh one. Printed either way, so the log of every run names the seed that replays it.
enum TestSeed {
    static func resolve(test: String = #function) -> UInt64 {
        let seed = ProcessInfo.processInfo.environment["OPERATOR_TEST_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 0...UInt64.max)
        print("\(test): seed \(seed) (replay with OPERATOR_TEST_SEED=\(seed))")
        return seed
    }
}
