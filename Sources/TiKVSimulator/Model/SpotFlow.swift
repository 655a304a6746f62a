/// Writes aimed at one key: the region holding `code` receives `bytesPerSecond` every simulated second until
/// `untilNanos` (nil: for ever). PD's `write-flow-on-spot` event.
public struct SpotFlow: Sendable, Equatable {
    public var code: UInt64
    public var bytesPerSecond: UInt64
    public var untilNanos: Int64?

    public init(code: UInt64, bytesPerSecond: UInt64, untilNanos: Int64?) {
        self.code = code
        self.bytesPerSecond = bytesPerSecond
        self.untilNanos = untilNanos
    }
}
