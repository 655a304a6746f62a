import COpenSSL
import Foundation
import Reconcilers
import Synchronization

/// A configured OpenSSL client context: the CA that verifies servers and, for mutual TLS, the client
/// certificate. Made once per set of files and reused by every connection; rebuilt when a file
/// changes, so a rotated certificate (cert-manager, TiDB Operator) is picked up without a restart.
final class TLSContext: @unchecked Sendable {
    // SSL_CTX is safe to share across threads once configured; it is never changed after init.
    fileprivate let ctx: OpaquePointer

    init(_ files: TLSFiles?) throws(TransportError) {
        guard let ctx = SSL_CTX_new(TLS_client_method()) else { throw .tls("cannot create a TLS context: \(TLSContext.drainErrors())") }
        self.ctx = ctx
        guard copenssl_set_min_tls12(ctx) == 1 else { throw .tls("cannot require TLS 1.2: \(Self.drainErrors())") }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
        if let ca = files?.caFile {
            guard SSL_CTX_load_verify_locations(ctx, ca, nil) == 1 else { throw .tls("cannot load the CA file \(ca): \(Self.drainErrors())") }
        } else {
            guard SSL_CTX_set_default_verify_paths(ctx) == 1 else { throw .tls("cannot load the system's CA certificates: \(Self.drainErrors())") }
        }
        if let cert = files?.certFile, let key = files?.keyFile {
            guard SSL_CTX_use_certificate_chain_file(ctx, cert) == 1 else {
                throw .tls("cannot load the client certificate \(cert): \(Self.drainErrors())")
            }
            guard SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) == 1 else {
                let why = Self.drainErrors()
                if why.contains("key values mismatch") { throw .tls("the client key \(key) does not match the certificate \(cert)") }
                throw .tls("cannot load the client key \(key): \(why)")
            }
            guard SSL_CTX_check_private_key(ctx) == 1 else { throw .tls("the client key \(key) does not match the certificate \(cert)") }
        }
    }

    deinit { SSL_CTX_free(ctx) }

    /// OpenSSL's queued errors, oldest first, as one line; the queue is left empty.
    static func drainErrors() -> String {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return messages.isEmpty ? "no detail from OpenSSL" : messages.joined(separator: "; ")
    }
}

/// Contexts by the files they were made from and the identity of what those paths lead to now.
final class TLSContexts: Sendable {
    private struct Key: Hashable {
        var files: TLSFiles?
        var identities: [FileIdentity?]
    }

    /// What a path resolves to, symlinks followed: a Kubernetes Secret volume swaps its `..data` symlink to a
    /// new directory on rotation, so the path's own link never changes (lstat sees nothing) while the file it
    /// leads to is a new one (another inode), whatever its modification time.
    struct FileIdentity: Hashable {
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
    }

    private let contexts = Mutex<[Key: TLSContext]>([:])

    func context(for files: TLSFiles?) throws(TransportError) -> TLSContext {
        let paths = [files?.caFile, files?.certFile, files?.keyFile].compactMap { $0 }
        let key = Key(files: files, identities: paths.map(FileIdentity.init(path:)))
        if let existing = contexts.withLock({ $0[key] }) { return existing }
        let made = try TLSContext(files)
        contexts.withLock { all in
            // Older generations of the same files are dropped; connections made with them keep theirs alive.
            all = all.filter { $0.key.files != files }
            all[key] = made
        }
        return made
    }
}

/// TLS on one connection, through memory buffers: OpenSSL encrypts into `wbio` and decrypts from
/// `rbio`, and the connection moves the bytes with its non-blocking socket, so a TLS connection waits
/// in the event pool exactly like a plain one. Owned by one exchange at a time, as its connection is.
final class TLSSession: @unchecked Sendable {
    private let ssl: OpaquePointer
    private let rbio: OpaquePointer
    private let wbio: OpaquePointer
    /// Keeps the context alive for as long as the session uses it.
    private let context: TLSContext
    /// Received ciphertext on its way into OpenSSL.
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 << 10, alignment: 16)

    init(context: TLSContext, host: String) throws(TransportError) {
        guard let ssl = SSL_new(context.ctx) else { throw .tls("cannot create a TLS session: \(TLSContext.drainErrors())") }
        guard let rbio = BIO_new(BIO_s_mem()), let wbio = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw .tls("cannot allocate TLS buffers")
        }
        self.ssl = ssl
        self.rbio = rbio
        self.wbio = wbio
        self.context = context
        SSL_set_bio(ssl, rbio, wbio)   // the session owns both from here
        SSL_set_connect_state(ssl)
        // The certificate must name the host the URL names: a DNS name (also sent as SNI) or an IP address.
        if Self.isIPAddress(host) {
            guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1 else { throw .tls("cannot verify against address \(host)") }
        } else {
            guard SSL_set1_host(ssl, host) == 1, copenssl_set_sni(ssl, host) == 1 else { throw .tls("cannot verify against host \(host)") }
        }
    }

    deinit {
        SSL_free(ssl)
        scratch.deallocate()
    }

    /// The handshake, including the server's certificate check.
    func handshake(over connection: HTTP1Connection) async throws(TransportError) {
        while true {
            ERR_clear_error()
            let rc = SSL_do_handshake(ssl)
            try await flush(connection)
            if rc == 1 { return }
            switch SSL_get_error(ssl, rc) {
            case SSL_ERROR_WANT_READ:
                guard try await fill(connection) else { throw .tls("the server closed the connection during the TLS handshake") }
            case SSL_ERROR_WANT_WRITE:
                continue
            default:
                throw .tls(handshakeFailure())
            }
        }
    }

    func write(_ data: Data, over connection: HTTP1Connection) async throws(TransportError) {
        var offset = 0
        while offset < data.count {
            ERR_clear_error()
            let rc = data.withUnsafeBytes { raw in
                SSL_write(ssl, raw.baseAddress.map { $0 + offset }, Int32(clamping: raw.count - offset))
            }
            if rc > 0 {
                offset += Int(rc)
                continue
            }
            switch SSL_get_error(ssl, rc) {
            case SSL_ERROR_WANT_READ:
                try await flush(connection)
                guard try await fill(connection) else { throw .connectionLost("the server closed the TLS connection") }
            case SSL_ERROR_WANT_WRITE:
                try await flush(connection)
            default:
                throw .tls("write: \(TLSContext.drainErrors())")
            }
        }
        try await flush(connection)
    }

    /// Decrypted bytes into `buffer`; 0 when the server closed (with or without close_notify: HTTP's
    /// own framing tells a complete body from a cut one).
    func read(into buffer: UnsafeMutableRawBufferPointer, over connection: HTTP1Connection) async throws(TransportError) -> Int {
        while true {
            ERR_clear_error()
            let rc = SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
            if rc > 0 { return Int(rc) }
            switch SSL_get_error(ssl, rc) {
            case SSL_ERROR_ZERO_RETURN:
                return 0
            case SSL_ERROR_WANT_READ:
                // A TLS 1.3 key update may need an answer before more data comes.
                try await flush(connection)
                guard try await fill(connection) else { return 0 }
            case SSL_ERROR_WANT_WRITE:
                try await flush(connection)
            default:
                throw .tls("read: \(TLSContext.drainErrors())")
            }
        }
    }

    /// Whether bytes arrived that no response has consumed: such a connection must not be reused.
    var hasUnreadInput: Bool { SSL_pending(ssl) > 0 || copenssl_bio_pending(rbio) > 0 }

    /// Sends what OpenSSL has produced.
    private func flush(_ connection: HTTP1Connection) async throws(TransportError) {
        while copenssl_bio_pending(wbio) > 0 {
            var chunk = Data(count: Int(copenssl_bio_pending(wbio)))
            let n = chunk.withUnsafeMutableBytes { BIO_read(wbio, $0.baseAddress, Int32(clamping: $0.count)) }
            guard n > 0 else { return }
            try await connection.rawWrite(chunk.prefix(Int(n)))
        }
    }

    /// Moves what the socket has into OpenSSL; false when the server closed.
    private func fill(_ connection: HTTP1Connection) async throws(TransportError) -> Bool {
        let n = try await connection.rawRead(into: scratch)
        guard n > 0 else { return false }
        let written = BIO_write(rbio, scratch.baseAddress, Int32(n))
        guard written == n else { throw .tls("cannot buffer \(n) received bytes") }
        return true
    }

    private func handshakeFailure() -> String {
        let verify = SSL_get_verify_result(ssl)
        let queued = TLSContext.drainErrors()
        guard verify != X509_V_OK else { return "handshake failed: \(queued)" }
        return "the server's certificate was not accepted: \(String(cString: X509_verify_cert_error_string(verify)))"
    }

    private static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
