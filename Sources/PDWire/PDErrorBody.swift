import Foundation

/// What a non-2xx PD body said, in one of PD's irregular shapes (API.md §0.3).
public enum PDErrorBody: Hashable, Sendable {
    /// The common case: a JSON string such as `"[PD:core:ErrStoreNotFound]store 99 not found"`.
    case message(String)
    /// `apiutil.ErrorResp`'s errcode object: `{"code":"input","msg":…,"data":…}`.
    case errcode(code: String, msg: String)
    /// `{}` or `null`.
    case empty
    /// Not JSON: a follower's text/plain 503, Go's `404 page not found`, an HTML proxy page.
    case text(String)

    public init(body: Data) {
        let trimmed = String(decoding: body.prefix(64 * 1024), as: UTF8.self).trimmingWhitespaceAndNewlines()
        if trimmed.isEmpty || trimmed == "null" || trimmed == "{}" { self = .empty; return }
        if let s = try? JSONDecoder().decode(String.self, from: Data(trimmed.utf8)) { self = .message(s); return }
        if let e = try? JSONDecoder().decode(ErrcodeObject.self, from: Data(trimmed.utf8)) {
            self = .errcode(code: e.code ?? "", msg: e.msg ?? e.error ?? "")
            return
        }
        self = .text(trimmed)
    }

    /// The human message, whatever the shape.
    public var message: String {
        switch self {
        case .message(let m): return m
        case .errcode(_, let msg): return msg
        case .empty: return ""
        case .text(let t): return t
        }
    }

    /// The normalized error code, e.g. `[PD:core:ErrStoreNotFound]` → component `core`, name `ErrStoreNotFound`.
    public var code: PDErrorCode? { PDErrorCode(in: message) }

    private struct ErrcodeObject: Decodable {
        var code: String?
        var msg: String?
        var error: String?
    }
}

/// PD's normalized error prefix `[PD:<component>:<ErrName>]`.
public struct PDErrorCode: Hashable, Sendable, CustomStringConvertible {
    public var component: String
    public var name: String

    public init(component: String, name: String) {
        self.component = component
        self.name = name
    }

    /// Finds the first `[PD:x:y]` in a message.
    public init?(in message: String) {
        guard let open = message.range(of: "[PD:") else { return nil }
        let afterOpen = message[open.upperBound...]
        guard let close = afterOpen.firstIndex(of: "]") else { return nil }
        let parts = afterOpen[..<close].split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        component = String(parts[0])
        name = String(parts[1])
    }

    public var description: String { "[PD:\(component):\(name)]" }
}

extension String {
    func trimmingWhitespaceAndNewlines() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
