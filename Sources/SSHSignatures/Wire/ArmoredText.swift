import Foundation

/// OpenSSH's armored text (`-----BEGIN SSH SIGNATURE-----`, `-----BEGIN OPENSSH PRIVATE KEY-----`): base64 between
/// a BEGIN and an END line, wrapped at 70 columns as OpenSSH writes it.
enum ArmoredText {
    static let columns = 70

    static func encode(_ bytes: [UInt8], label: String) -> String {
        let base64 = Data(bytes).base64EncodedString()
        var lines = ["-----BEGIN \(label)-----"]
        var start = base64.startIndex
        while start < base64.endIndex {
            let end = base64.index(start, offsetBy: columns, limitedBy: base64.endIndex) ?? base64.endIndex
            lines.append(String(base64[start..<end]))
            start = end
        }
        lines.append("-----END \(label)-----")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The bytes between the BEGIN and END lines. Whitespace around the block and CRLF line ends are tolerated
    /// (armor travels through YAML and terminals); anything else that is not base64 is refused.
    static func decode(_ text: String, label: String, limit: Int) throws(SSHSignatureError) -> [UInt8] {
        let what = label.lowercased()
        // Base64 grows 4/3 plus line ends: a text far beyond that is refused before it is split or decoded.
        guard text.utf8.count <= limit * 2 + 256 else { throw .tooLarge(what: what, limit: limit) }
        let lines = text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard lines.first == "-----BEGIN \(label)-----" else {
            throw .malformed("\(what): missing \"-----BEGIN \(label)-----\" line")
        }
        guard lines.count >= 2, lines.last == "-----END \(label)-----" else {
            throw .malformed("\(what): missing \"-----END \(label)-----\" line")
        }
        let body = lines.dropFirst().dropLast().joined()
        guard !body.isEmpty else { throw .malformed("\(what): empty") }
        guard let data = Data(base64Encoded: body) else { throw .malformed("\(what): invalid base64") }
        guard data.count <= limit else { throw .tooLarge(what: what, limit: limit) }
        return Array(data)
    }
}
