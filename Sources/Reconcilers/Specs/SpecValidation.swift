import Foundation
import PDWire

/// A problem found in a field after decoding: the field's path under the object, and what was expected.
public struct FieldIssue: Sendable, Equatable {
    public var path: String
    public var message: String
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
}

/// Collects range and consistency problems while walking a decoded spec.
public struct Validator: Sendable {
    public private(set) var issues: [FieldIssue] = []
    private var prefix: [String]

    public init(prefix: String = "spec") { self.prefix = [prefix] }

    public mutating func fail(_ field: String, _ message: String) {
        issues.append(FieldIssue(path: (prefix + [field]).joined(separator: "."), message: message))
    }

    /// Validates the fields of a nested object under `field`.
    public mutating func nested(_ field: String, _ body: (inout Validator) -> Void) {
        prefix.append(field)
        body(&self)
        prefix.removeLast()
    }

    public mutating func range<T: Comparable>(_ field: String, _ value: T, _ bounds: ClosedRange<T>) {
        if !bounds.contains(value) {
            fail(field, "\(value) is out of range: must be between \(bounds.lowerBound) and \(bounds.upperBound)")
        }
    }

    public mutating func duration(_ field: String, _ value: GoDuration, min: GoDuration, max: GoDuration) {
        if value < min || value > max {
            fail(field, "\(value) is out of range: must be between \(min) and \(max)")
        }
    }

    public mutating func nonEmpty(_ field: String, _ value: String) {
        if value.trimmingCharacters(in: .whitespaces).isEmpty { fail(field, "must not be empty") }
    }

    public mutating func url(_ field: String, _ value: String, schemes: Set<String> = ["http", "https"]) {
        guard let u = URL(string: value), let scheme = u.scheme?.lowercased(), schemes.contains(scheme),
              let host = u.host, !host.isEmpty
        else {
            fail(field, "\"\(value)\" is not a valid URL: expected \(schemes.sorted().joined(separator: " or "))://host:port")
            return
        }
    }
}

/// A spec that can check its own ranges and consistency after decoding.
public protocol SpecValidatable {
    func validate(_ v: inout Validator)
}

/// Object names follow Kubernetes' DNS-1123 subdomain rule so they are safe in URLs, files and labels.
public func validateObjectName(_ name: String) -> String? {
    if name.isEmpty { return "must not be empty" }
    if name.count > 253 { return "must be at most 253 characters" }
    let allowed = name.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "-" || $0 == "." }
    let edgesOK = name.first.map { $0.isLetter || $0.isNumber } == true && name.last.map { $0.isLetter || $0.isNumber } == true
    if !allowed || !edgesOK {
        return "\"\(name)\" is not a valid name: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit"
    }
    return nil
}
