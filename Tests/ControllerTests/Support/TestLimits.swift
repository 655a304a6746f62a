@testable import PDClient

extension HTTPLimits {
    /// For tests that are not about timeouts. The test process shares two cores among many tests, and
    /// a loopback server inside it can wait seconds for a thread: a tight bound would measure that
    /// wait, not the code under test.
    static let patient = HTTPLimits(responseHeaderTimeout: .seconds(60), deadline: .seconds(120))

    static func patient(maxBodyBytes: Int) -> HTTPLimits {
        HTTPLimits(responseHeaderTimeout: .seconds(60), deadline: .seconds(120), maxBodyBytes: maxBodyBytes)
    }
}
