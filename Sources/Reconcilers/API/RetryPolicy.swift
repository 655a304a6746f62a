import PDWire

/// Attempts with exponential backoff: `baseDelay · factor^(attempt−1)`, capped at `maxDelay`; `maxAttempts` in all.
public struct RetryPolicy: Codable, Sendable, Equatable, DefaultInitializable {
    @Default<Seconds2> public var baseDelay: GoDuration
    @Default<Double2> public var factor: Double
    @Default<Minutes5> public var maxDelay: GoDuration
    @Default<Int3> public var maxAttempts: Int
    public init() {}
    func validate(_ v: inout Validator) {
        v.duration("baseDelay", baseDelay, min: .milliseconds(100), max: .minutes(10))
        v.range("factor", factor, 1.0...10.0)
        v.duration("maxDelay", maxDelay, min: .seconds(1), max: .hours(1))
        if maxDelay < baseDelay { v.fail("maxDelay", "must not be shorter than baseDelay (\(baseDelay))") }
        v.range("maxAttempts", maxAttempts, 1...20)
    }
}
