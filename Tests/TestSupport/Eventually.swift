/// Polls `condition` until it holds or `timeout` passes, and answers whether it held. The timeout is a bound on
/// a wait, not a claim about speed: tests share two busy cores, so it is generous and never asserted on its own.
public func eventually(timeout: Duration = .seconds(60), every interval: Duration = .milliseconds(50),
                       _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}
