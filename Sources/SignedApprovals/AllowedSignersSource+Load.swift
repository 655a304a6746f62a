import Foundation
import Reconcilers
import SSHSignatures

extension AllowedSignersSource {
    /// The list this source names: the file (a mounted Secret or ConfigMap) read now, or the spec's inline lines. A
    /// file path is the one the controller sees in its pod. Errors name the file and line.
    package func load() throws(ApprovalSigningError) -> AllowedSigners {
        if let file {
            let text: String
            do {
                let url = URL(fileURLWithPath: file)
                let size = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.intValue ?? 0
                guard size <= AllowedSigners.maximumSize else {
                    throw ApprovalSigningError.allowedSigners("\(file): larger than \(AllowedSigners.maximumSize) bytes")
                }
                text = try String(contentsOf: url, encoding: .utf8)
            } catch let error as ApprovalSigningError {
                throw error
            } catch {
                throw .allowedSigners("\(file): cannot be read: \(error.localizedDescription)")
            }
            do { return try AllowedSigners(parsing: text) } catch { throw .allowedSigners("\(file): \(error.description)") }
        }
        do {
            return try AllowedSigners(parsing: (entries ?? []).joined(separator: "\n"))
        } catch {
            throw .allowedSigners("spec.approval.allowedSigners.entries: \(error.description)")
        }
    }
}
