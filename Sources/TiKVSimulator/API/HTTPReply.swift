/// A response before it reaches FlyingFox: status, content type and either a whole body or a producer of chunks.
public struct HTTPReply: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        /// Called repeatedly until it returns nil; each call takes the cluster lock briefly.
        case stream(@Sendable () -> [UInt8]?)
    }
    public var status: Int
    public var contentType: String
    public var body: Body
    public var extraHeaders: [(String, String)] = []

    static let jsonType = "application/json; charset=UTF-8"
    static let octetType = "application/octet-stream"

    /// `rd.JSON`: indented, trailing newline.
    static func json(_ v: JSONValue, status: Int = 200) -> HTTPReply {
        HTTPReply(status: status, contentType: jsonType, body: .bytes(Array(v.indented().utf8)))
    }
    static func message(_ text: String, status: Int = 200) -> HTTPReply { json(.string(text), status: status) }
    /// `rd.Data` on region endpoints: compact, octet-stream.
    static func data(_ bytes: [UInt8], status: Int = 200) -> HTTPReply {
        HTTPReply(status: status, contentType: octetType, body: .bytes(bytes))
    }
    static func error(_ e: PDError) -> HTTPReply {
        var r = json(e.rawBody ?? .string(e.message), status: e.status)
        if case .object(let pairs)? = e.rawBody, let code = pairs.first(where: { $0.0 == "code" }), case .string(let c) = code.1 {
            r.extraHeaders.append(("TiDB-Error-Code", c))
        }
        return r
    }
    /// errcode JSON object for bad input (`apiutil.ErrorResp`).
    static func inputError(_ msg: String, data: JSONValue = .object([])) -> HTTPReply {
        error(PDError(400, msg, rawBody: .object([("code", .string("input")), ("msg", .string(msg)), ("data", data)])))
    }
    static let notFoundPage = HTTPReply(status: 404, contentType: "text/plain; charset=utf-8", body: .bytes(Array("404 page not found\n".utf8)))
    static let methodNotAllowed = HTTPReply(status: 405, contentType: "text/plain; charset=utf-8", body: .bytes([]))
    static func text(_ s: String, contentType: String = "text/plain; version=0.0.4; charset=utf-8") -> HTTPReply {
        HTTPReply(status: 200, contentType: contentType, body: .bytes(Array(s.utf8)))
    }
}
