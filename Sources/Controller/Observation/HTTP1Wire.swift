import Foundation

/// HTTP/1.1 as bytes: the request we write and the response head we parse. Pure, so the parser is
/// tested without a socket.
enum HTTP1Wire {
    /// Where a request goes and how it names its host.
    struct Target: Sendable, Hashable {
        var host: String
        var port: UInt16
        /// https: the connection carries TLS.
        var secure: Bool
        /// The origin-form request target: path and query, percent-encoded as the URL has them.
        var requestTarget: String
        /// The Host header: the port only when it is not the default.
        var hostHeader: String

        init?(_ url: URL) {
            guard let c = URLComponents(url: url, resolvingAgainstBaseURL: false), let scheme = c.scheme?.lowercased(),
                  scheme == "http" || scheme == "https", var host = c.host, !host.isEmpty else { return nil }
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            secure = scheme == "https"
            let defaultPort = secure ? 443 : 80
            let port = c.port ?? defaultPort
            guard (1...65535).contains(port) else { return nil }
            self.host = host
            self.port = UInt16(port)
            let path = c.percentEncodedPath.isEmpty ? "/" : c.percentEncodedPath
            requestTarget = c.percentEncodedQuery.map { path + "?" + $0 } ?? path
            let named = host.contains(":") ? "[\(host)]" : host
            hostHeader = port == defaultPort ? named : "\(named):\(port)"
        }

        var key: String { "\(secure ? "https" : "http")://\(host):\(port)" }
    }

    /// How the body after a response head is delimited.
    enum Framing: Sendable, Equatable {
        case none
        case length(Int)
        case chunked
        /// HTTP/1.0 style: the body ends when the server closes.
        case untilClose
    }

    struct ResponseHead: Sendable, Equatable {
        var head: HTTPResponseHead
        var framing: Framing
        /// Whether the connection may carry another request once this body is read.
        var keepAlive: Bool
        /// A 1xx answer: another head follows on the same connection.
        var isInterim: Bool
    }

    /// Largest response head accepted; PD's and Prometheus' are a few hundred bytes.
    static let maxHeadBytes = 64 << 10

    /// The request head and body, ready to write. Header names and values with control characters
    /// are refused, so nothing a caller passes can split the request.
    static func serialize(_ request: HTTPRequest, target: Target) throws(TransportError) -> Data {
        guard request.method.utf8.allSatisfy({ isTokenByte($0) }), !request.method.isEmpty else {
            throw .other("invalid HTTP method \(request.method)")
        }
        var text = "\(request.method) \(target.requestTarget) HTTP/1.1\r\nHost: \(target.hostHeader)\r\n"
        var hasAccept = false, hasAgent = false
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) {
            guard !name.isEmpty, name.utf8.allSatisfy({ isTokenByte($0) }) else { throw .other("invalid header name \(name)") }
            guard value.utf8.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
                throw .other("invalid value for header \(name)")
            }
            // Framing headers are ours to write: a caller's copy could contradict the body.
            switch name.lowercased() {
            case "host", "content-length", "transfer-encoding", "connection": continue
            case "accept": hasAccept = true
            case "user-agent": hasAgent = true
            default: break
            }
            text += "\(name): \(value)\r\n"
        }
        if !hasAccept { text += "Accept: */*\r\n" }
        if !hasAgent { text += "User-Agent: tikv-operator\r\n" }
        let method = request.method.uppercased()
        if let body = request.body {
            text += "Content-Length: \(body.count)\r\n"
        } else if method == "POST" || method == "PUT" || method == "PATCH" {
            text += "Content-Length: 0\r\n"
        }
        text += "\r\n"
        var data = Data(text.utf8)
        if let body = request.body { data.append(body) }
        return data
    }

    /// The index just past the blank line that ends a head in `bytes`, if it is there yet.
    static func headEnd(in bytes: ArraySlice<UInt8>) -> Int? {
        guard bytes.count >= 4 else { return nil }
        var i = bytes.startIndex
        while i + 3 < bytes.endIndex {
            if bytes[i] == 0x0D, bytes[i + 1] == 0x0A, bytes[i + 2] == 0x0D, bytes[i + 3] == 0x0A { return i + 4 }
            i += 1
        }
        return nil
    }

    /// Parses a complete head (status line, header lines, blank line).
    static func parseHead(_ bytes: ArraySlice<UInt8>, requestMethod: String) throws(TransportError) -> ResponseHead {
        guard let text = String(bytes: bytes, encoding: .isoLatin1) else { throw malformed("undecodable head") }
        var lines = text.components(separatedBy: "\r\n")
        while lines.last == "" { lines.removeLast() }
        guard let statusLine = lines.first else { throw malformed("empty head") }
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3,
              let status = Int(parts[1]), (100...999).contains(status) else {
            throw malformed("bad status line \(statusLine.prefix(80))")
        }
        let http10 = parts[0] == "HTTP/1.0"

        var headers: [String: String] = [:]
        var lastName: String?
        for line in lines.dropFirst() {
            if let first = line.first, first == " " || first == "\t" {
                // An obsolete folded continuation of the previous header's value.
                guard let name = lastName else { throw malformed("continuation before any header") }
                headers[name, default: ""] += " " + line.trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { throw malformed("header line without a colon") }
            let name = line[..<colon].lowercased()
            guard !name.isEmpty, name.utf8.allSatisfy({ isTokenByte($0) }) else { throw malformed("bad header name") }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if let existing = headers[name] { headers[name] = existing + ", " + value } else { headers[name] = value }
            lastName = name
        }

        let connection = tokens(headers["connection"])
        let keepAlive = http10 ? connection.contains("keep-alive") : !connection.contains("close")
        let isInterim = (100..<200).contains(status) && status != 101
        let framing: Framing
        if isInterim || status == 204 || status == 304 || requestMethod.uppercased() == "HEAD" {
            framing = .none
        } else if let te = headers["transfer-encoding"] {
            // Only chunked is ever sent to a client that asked for no encoding; anything else is unreadable.
            guard tokens(te).last == "chunked" else { throw malformed("unsupported transfer-encoding \(te)") }
            framing = .chunked
        } else if let cl = headers["content-length"] {
            let values = Set(cl.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            guard values.count == 1, let only = values.first, let n = Int(only), n >= 0 else {
                throw malformed("bad content-length \(cl.prefix(40))")
            }
            framing = n == 0 ? .none : .length(n)
        } else {
            framing = .untilClose
        }
        return ResponseHead(head: HTTPResponseHead(status: status, headers: headers), framing: framing,
                            keepAlive: keepAlive && framing != .untilClose, isInterim: isInterim)
    }

    /// The size on a chunk-size line (hex, optional `;extensions`).
    static func chunkSize(_ line: ArraySlice<UInt8>) throws(TransportError) -> Int {
        let digits = line.prefix { $0 != UInt8(ascii: ";") && $0 != 0x20 && $0 != 0x09 }
        // Hex digits only: `Int(_:radix:)` alone would take "-5" and "+5", and a negative size traps the reader.
        // Fifteen digits cannot overflow an Int.
        guard !digits.isEmpty, digits.count <= 15, digits.allSatisfy(isHexDigit),
              let text = String(bytes: digits, encoding: .ascii), let n = Int(text, radix: 16) else {
            throw malformed("bad chunk size")
        }
        return n
    }

    private static func isHexDigit(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): true
        default: false
        }
    }

    static func malformed(_ why: String) -> TransportError { .other("malformed HTTP response: \(why)") }

    private static func tokens(_ value: String?) -> [String] {
        (value ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(b)
        }
    }
}
