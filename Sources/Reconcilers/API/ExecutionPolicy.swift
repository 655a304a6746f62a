import PDWire

/// How steps run: PD-like timeouts and retries with exponential backoff.
public struct ExecutionPolicy: Codable, Sendable, Equatable, DefaultInitializable {
    /// Timeout of fast steps (leader transfer, scheduler changes); PD's own is ≥ 60 s.
    @Default<Minutes1> public var fastStepTimeout: GoDuration
    /// Timeout of slow steps (peer moves, draining a store); PD's own is ≥ 10 min.
    @Default<Minutes10> public var slowStepTimeout: GoDuration
    @Default<RetryPolicy> public var retry: RetryPolicy

    public init() {}
    public init(fastStepTimeout: GoDuration = Minutes1.defaultValue, slowStepTimeout: GoDuration = Minutes10.defaultValue,
                retry: RetryPolicy = .init()) {
        self.fastStepTimeout = fastStepTimeout
        self.slowStepTimeout = slowStepTimeout
        self.retry = retry
    }
    func validate(_ v: inout Validator) {
        v.duration("fastStepTimeout", fastStepTimeout, min: .seconds(60), max: .hours(6))
        v.duration("slowStepTimeout", slowStepTimeout, min: .minutes(10), max: .hours(48))
        v.nested("retry") { retry.validate(&$0) }
    }
}
