import CCurl
import Foundation

/// libcurl's result for a failed transfer, as a `TransportError`: its kind named for what failed, and
/// whether any byte of the request was written (the one answer to "was it sent?").
enum CurlOutcome {
    /// What libcurl measured for the transfer, read before its handle is released.
    struct Facts {
        /// Bytes of the request head (and inline body) libcurl wrote to the connection
        /// (`CURLINFO_REQUEST_SIZE`: counted only once a write succeeded).
        var requestBytes: Int
        /// Body bytes uploaded after the head (`CURLINFO_SIZE_UPLOAD_T`).
        var uploadBytes: Int
        /// Microseconds from the start to the end (`CURLINFO_TOTAL_TIME_T`).
        var totalMicroseconds: Int

        init(easy: UnsafeMutableRawPointer, limits: HTTPLimits) {
            var request = 0
            var upload: curl_off_t = 0
            var total: curl_off_t = 0
            _ = ccurl_getinfo_long(easy, CURLINFO_REQUEST_SIZE, &request)
            _ = ccurl_getinfo_off(easy, CURLINFO_SIZE_UPLOAD_T, &upload)
            _ = ccurl_getinfo_off(easy, CURLINFO_TOTAL_TIME_T, &total)
            requestBytes = request
            uploadBytes = Int(upload)
            totalMicroseconds = Int(total)
        }

        /// Not sent only when not one byte of the request reached a connection: DNS failed, the connection
        /// was refused or never completed (TCP or TLS handshake), or the handle was removed before it wrote.
        var delivery: TransportError.Delivery { requestBytes == 0 && uploadBytes == 0 ? .notSent : .maybeSent }
    }

    static func error(_ code: CURLcode, errorText: String, facts: Facts, limits: HTTPLimits, url: String) -> TransportError {
        let text = errorText.isEmpty ? String(cString: curl_easy_strerror(code)) : errorText
        let detail = "\(url): \(text)"
        let delivery = facts.delivery
        func make(_ kind: TransportError.Kind, _ message: String = detail) -> TransportError {
            TransportError(kind, message, delivery: delivery)
        }
        // A bad chunk header surfaces under several codes in libcurl 7.88 (RECV_ERROR, and 43 for a size
        // followed by junk), always with this word in the message.
        if text.contains("chunked-encod") { return make(.malformedResponse) }
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return make(.dnsFailure)
        case CURLE_COULDNT_CONNECT:
            return make(.connectionRefused)
        case CURLE_OPERATION_TIMEDOUT:
            // One libcurl code for three limits: before any request byte only the connection phase can have
            // run out; after it, the deadline if that much time passed, else the low-speed check.
            if delivery == .notSent {
                return make(.connectTimeout, "\(url): no connection within \(limits.connectTimeout) (\(text))")
            }
            if facts.totalMicroseconds + 5_000 >= CurlTransfer.milliseconds(limits.deadline) * 1000 {
                return make(.requestTimeout, "\(url): not complete within \(limits.deadline)")
            }
            return make(.stalled, "\(url): slower than \(limits.lowSpeedBytesPerSecond) bytes/s for \(limits.lowSpeedWindow)")
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS:
            return make(.tls, "\(url): the server's certificate was not accepted: \(text)")
        case CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CRL_BADFILE:
            return make(.tls, "\(url): cannot load the CA file: \(text)")
        case CURLE_SSL_CERTPROBLEM:
            return make(.tls, "\(url): the client certificate or key cannot be used: \(text)")
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CIPHER, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
             CURLE_SSL_ENGINE_INITFAILED, CURLE_USE_SSL_FAILED, CURLE_SSL_SHUTDOWN_FAILED:
            return make(.tls)
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR:
            // OpenSSL's errors: an alert, or the peer closing without close_notify (a truncation attack on a
            // close-delimited body).
            if text.contains("SSL") || text.contains("alert") { return make(.tls) }
            return make(.connectionLost)
        case CURLE_GOT_NOTHING:
            return make(.connectionLost, "\(url): the server closed the connection without answering")
        case CURLE_PARTIAL_FILE:
            return make(.connectionLost)
        case CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return make(.connectionLost)
        case CURLE_FILESIZE_EXCEEDED:
            return make(.bodyTooLarge, "\(url): body larger than \(limits.maxBodyBytes) bytes")
        case CURLE_WEIRD_SERVER_REPLY, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_CONTENT_ENCODING, CURLE_RANGE_ERROR:
            return make(.malformedResponse)
        case CURLE_ABORTED_BY_CALLBACK:
            return make(.cancelled)
        default:
            return make(.other, "\(url): libcurl error \(code.rawValue): \(text)")
        }
    }
}
