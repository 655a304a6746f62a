import Foundation

/// A `--…-bind-address` value as controller-runtime reads it: `:8080` (every IPv4 interface),
/// `127.0.0.1:8081`, `localhost:0` (any free port), or `0` to disable the endpoint.
package enum BindAddress: Sendable, Equatable {
    case disabled
    /// `host` nil binds every interface.
    case inet(host: String?, port: UInt16)

    package init(parsing text: String, flag: String) throws {
        let text = text.trimmingCharacters(in: .whitespaces)
        if text == "0" {
            self = .disabled
            return
        }
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            throw BindAddressError("\(flag): expected host:port, :port or 0, not \"\(text)\"")
        }
        let host = String(text[..<colon])
        switch host {
        case "", "0.0.0.0": self = .inet(host: nil, port: port)
        case "localhost": self = .inet(host: "127.0.0.1", port: port)
        default:
            guard host.split(separator: ".").count == 4, host.split(separator: ".").allSatisfy({ UInt8($0) != nil }) else {
                throw BindAddressError("\(flag): the host must be an IPv4 address or localhost, not \"\(host)\"")
            }
            self = .inet(host: host, port: port)
        }
    }
}

package struct BindAddressError: Error, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}
