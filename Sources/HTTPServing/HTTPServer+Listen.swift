import FlyingFox
import FlyingSocks
import Foundation
import Synchronization

extension HTTPServer {
    /// Runs the server in a task of its own and returns the port it listens on once it does. A bind or listen
    /// that fails ends this at once with `ListenError`, where FlyingFox's own `waitUntilListening` would wait out
    /// its whole timeout and then report only the timeout.
    public func listen(host: String, port: UInt16) async throws(ListenError) -> UInt16 {
        let failure = RunFailure()
        Task {
            do { try await self.run() } catch { failure.set(error) }
        }
        // Bounded: binding a loopback socket takes microseconds; the bound is for a machine under heavy load.
        for _ in 0..<10_000 {
            if isListening {
                if case .ip4(_, let bound)? = listeningAddress { return bound }
                return port
            }
            if let error = failure.error { throw ListenError(host: host, port: port, cause: error) }
            try? await Task.sleep(for: .milliseconds(1))
        }
        await stop(timeout: 0)
        throw ListenError(host: host, port: port, cause: SocketError.timeout(message: "not listening after 10 s"))
    }
}

/// Why a server could not listen, naming the address: `address already in use: 127.0.0.1:2379`.
public struct ListenError: Error, CustomStringConvertible {
    public let host: String
    public let port: UInt16
    public let cause: any Error

    public var isAddressInUse: Bool {
        if case .failed(_, let code, _)? = cause as? SocketError { return code == EADDRINUSE }
        return false
    }

    public var description: String {
        if isAddressInUse { return "address already in use: \(host):\(port)" }
        if case .failed(let call, _, let message)? = cause as? SocketError {
            return "cannot listen on \(host):\(port): \(call.lowercased()): \(message)"
        }
        return "cannot listen on \(host):\(port): \(cause)"
    }
}

/// The failure of the server's run task, read by the task waiting for it to listen.
private final class RunFailure: Sendable {
    private let stored = Mutex<(any Error)?>(nil)
    var error: (any Error)? { stored.withLock { $0 } }
    func set(_ error: any Error) { stored.withLock { $0 = error } }
}
