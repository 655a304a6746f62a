import Foundation

/// JSON columns are TEXT. These helpers check what goes in and turn maps into stable text.
enum StoreJSON {
    /// Returns the bytes as text after checking they are UTF-8 JSON (any top-level value).
    static func text(_ data: Data, field: String) throws -> String {
        guard let text = String(bytes: data, encoding: .utf8),
              (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil
        else { throw StoreError.invalidJSON(field: field) }
        return text
    }

    static func optionalText(_ data: Data?, field: String) throws -> String? {
        try data.map { try text($0, field: field) }
    }

    /// Sorted keys so equal maps give equal text.
    static func encodeMap(_ map: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(map), as: UTF8.self)
    }

    static func decodeMap(_ text: String, field: String) throws -> [String: String] {
        do {
            return try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        } catch {
            throw StoreError.corrupt("\(field) is not a JSON object of strings")
        }
    }

    /// A plain string as a JSON string value, for audit before/after of settings.
    static func encodeString(_ value: String) throws -> Data {
        try JSONEncoder().encode(value)
    }
}
