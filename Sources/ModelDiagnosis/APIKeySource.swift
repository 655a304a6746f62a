import Foundation
import Reconcilers

/// Reads the API key named by the spec when a call is made (a rotated file is picked up). The key
/// lives only in the request header: it is never logged, stored, or put in an error.
package struct APIKeySource: Sendable {
    let source: SecretSource?
    var environment: @Sendable () -> [String: String] = { ProcessInfo.processInfo.environment }

    func read() throws(DiagnosisError) -> String? {
        guard let source else { return nil }
        if let name = source.env {
            guard let v = environment()[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else {
                throw .missingAPIKey("environment variable \(name) is not set")
            }
            return v
        }
        if let path = source.file {
            guard let data = FileManager.default.contents(atPath: path),
                  let v = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else {
                throw .missingAPIKey("cannot read a key from \(path)")
            }
            return v
        }
        return nil
    }
}
