import Foundation
import Synchronization

/// Keep-alive connections waiting for their next request, per host and port. Reuse spares a
/// connect per request; the bounds keep a burst of parallel requests from pinning sockets open.
final class HTTP1IdleConnections: Sendable {
    private let idle = Mutex<[String: [HTTP1Connection]]>([:])
    private let maxPerHost: Int
    private let maxIdle: Duration

    init(maxPerHost: Int = 16, maxIdle: Duration = .seconds(30)) {
        self.maxPerHost = maxPerHost
        self.maxIdle = maxIdle
    }

    deinit {
        for c in idle.withLock({ $0.values.flatMap { $0 } }) { c.close() }
    }

    /// The most recently used live connection to `key`, if any; stale ones are closed on the way.
    func take(_ key: String) -> HTTP1Connection? {
        let now = ContinuousClock.now
        while true {
            guard let c = idle.withLock({ $0[key]?.popLast() }) else { return nil }
            if now - c.idleSince < maxIdle, c.isReusable { return c }
            c.close()
        }
    }

    func put(_ connection: HTTP1Connection) {
        var c = connection
        c.idleSince = .now
        let overflow: HTTP1Connection? = idle.withLock { all in
            all[c.key, default: []].append(c)
            return all[c.key, default: []].count > maxPerHost ? all[c.key]?.removeFirst() : nil
        }
        overflow?.close()
    }

    var count: Int { idle.withLock { $0.values.reduce(0) { $0 + $1.count } } }
}
