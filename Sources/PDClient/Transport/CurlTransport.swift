import Foundation
import Reconcilers
import Synchronization

/// `HTTPTransport` on the system's libcurl (multi interface, one driving thread per TLS identity):
/// HTTP/1.1 with keep-alive per host, https with the cluster's CA and client certificate, certificates
/// and host names always verified, bodies streamed with backpressure, and a typed error that says whether
/// the request can have reached the server.
///
/// Why libcurl and not a hand-written HTTP/1.1 client: framing, TLS and connection reuse are where a
/// hostile server finds bugs, and libcurl's are the most exercised there are; it is a system library,
/// so it costs CI nothing to build. Why not URLSession (FoundationNetworking, also libcurl): on Linux it
/// busy-polls a connection waiting for a slow answer and offers no client certificates.
package final class CurlTransport: HTTPTransport, Sendable {
    /// A multi per set of TLS files and the identity (`stat`, symlinks followed) they had when it was made.
    private struct Pool {
        var identity: [TLSFileIdentity?]
        var multi: CurlMulti
    }

    private let pools = Mutex<[TLSFiles?: Pool]>([:])
    private let opened = ConnectionCount()

    package init() {}

    deinit {
        pools.withLock { all in
            for pool in all.values { pool.multi.retire() }
            all = [:]
        }
    }

    /// Connections opened so far (each reuse of a kept-alive one opens none): for tests and the benchmark.
    var connectionsOpened: Int { opened.value.load(ordering: .relaxed) }

    package func stream(_ request: HTTPRequest, limits: HTTPLimits) async throws(TransportError) -> HTTPStreamingResponse {
        guard let scheme = request.url.scheme?.lowercased(), scheme == "http" || scheme == "https", request.url.host != nil else {
            throw TransportError(.other, "unsupported URL \(request.url.absoluteString)", delivery: .notSent)
        }
        let tls = scheme == "https" ? request.tls : nil
        // At most twice: a second look-up finds the multi that replaced a retired one.
        for _ in 0..<2 {
            let multi = try multi(for: tls)
            let transfer = try CurlTransfer(request: request, limits: limits, multi: multi)
            let start = await withTaskCancellationHandler {
                await withCheckedContinuation { (waiter: CurlTransfer.HeadWaiter) in
                    transfer.awaitHead(waiter)
                    if !multi.add(transfer) { waiter.resume(returning: .multiRetired) }
                }
            } onCancel: {
                transfer.cancel()
            }
            switch start {
            case .head(let head): return HTTPStreamingResponse(head: head, body: CurlResponseBody.stream(transfer))
            case .failed(let error): throw error
            case .multiRetired: continue
            }
        }
        throw TransportError(.other, "the connection pool for \(request.url.absoluteString) was retired twice", delivery: .notSent)
    }

    /// The multi for these files as they are now; a changed file (a rotated certificate, a Secret's
    /// `..data` swap) retires the old multi, with its cached connections and TLS sessions, and makes a new one.
    private func multi(for files: TLSFiles?) throws(TransportError) -> CurlMulti {
        let identity = try TLSFileIdentity.current(files)
        let found: CurlMulti? = pools.withLock { all in
            guard let pool = all[files] else { return nil }
            if pool.identity == identity { return pool.multi }
            all[files] = nil
            pool.multi.retire()
            return nil
        }
        if let found { return found }
        let made = try CurlMulti(countingInto: opened)
        return pools.withLock { all in
            if let raced = all[files], raced.identity == identity {
                made.retire()
                return raced.multi
            }
            all[files]?.multi.retire()
            all[files] = Pool(identity: identity, multi: made)
            return made
        }
    }
}

/// Connections opened by a transport's multis.
final class ConnectionCount: Sendable {
    let value = Atomic<Int>(0)
}

/// What a TLS file's path resolves to now, symlinks followed: a Kubernetes Secret volume swaps its `..data`
/// symlink to a new directory on rotation, so the path's own link never changes (lstat sees nothing) while
/// the file it leads to is a new one (another inode), whatever its modification time.
struct TLSFileIdentity: Hashable, Sendable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modifiedSeconds: Int
    var modifiedNanoseconds: Int

    init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        size = Int64(st.st_size)
        modifiedSeconds = Int(st.st_mtim.tv_sec)
        modifiedNanoseconds = Int(st.st_mtim.tv_nsec)
    }

    /// The identities of the CA, certificate and key files; a named file that cannot be read is a clear
    /// error before anything is sent (libcurl would only say "error setting certificate file").
    static func current(_ files: TLSFiles?) throws(TransportError) -> [TLSFileIdentity?] {
        guard let files else { return [] }
        var out: [TLSFileIdentity?] = []
        for (what, path) in [("CA file", files.caFile), ("client certificate", files.certFile), ("client key", files.keyFile)] {
            guard let path else {
                out.append(nil)
                continue
            }
            guard access(path, R_OK) == 0, let identity = TLSFileIdentity(path: path) else {
                throw TransportError(.tls, "cannot read the \(what) \(path)", delivery: .notSent)
            }
            out.append(identity)
        }
        return out
    }
}
