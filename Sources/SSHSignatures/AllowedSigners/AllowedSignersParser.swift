import Foundation

/// Reads allowed signers lines the way OpenSSH's sshsig.c does: `principals [options] key`, where principals may
/// be double-quoted, options are comma-separated (`namespaces="…"`, `valid-after="…"`, `valid-before="…"`,
/// `cert-authority`), and the key is `type base64 [comment]`. Blank lines and `#` comments are skipped.
struct AllowedSignersParser {
    let timeZone: TimeZone

    func parse(_ text: String) throws(AllowedSignersError) -> [AllowedSigner] {
        guard text.utf8.count <= AllowedSigners.maximumSize else {
            throw AllowedSignersError(line: nil, reason: "larger than \(AllowedSigners.maximumSize) bytes")
        }
        var entries: [AllowedSigner] = []
        // Split on bytes: Swift reads "\r\n" as one Character, and CRLF files must still split.
        for (index, rawLine) in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let line = String(decoding: rawLine, as: UTF8.self)
            let number = index + 1
            if let entry = try parseLine(line, number: number) { entries.append(entry) }
        }
        return entries
    }

    private func parseLine(_ text: String, number: Int) throws(AllowedSignersError) -> AllowedSigner? {
        func fail(_ reason: String) -> AllowedSignersError { AllowedSignersError(line: number, reason: reason) }
        var rest = Substring(text).drop(while: Self.isSpace)
        if rest.isEmpty || rest.first == "#" { return nil }
        if rest.contains(where: { $0.isASCII && $0.asciiValue.map { $0 < 0x20 && $0 != 0x09 && $0 != 0x0d } == true }) {
            throw fail("control characters in the line")
        }

        let principals: Substring
        if rest.first == "\"" {
            let afterQuote = rest.dropFirst()
            guard let close = afterQuote.firstIndex(of: "\"") else { throw fail("principals: missing closing quote") }
            principals = afterQuote[..<close]
            rest = afterQuote[afterQuote.index(after: close)...]
        } else {
            let end = rest.firstIndex(where: Self.isSpace) ?? rest.endIndex
            principals = rest[..<end]
            rest = rest[end...]
        }
        guard !principals.isEmpty else { throw fail("empty principals") }
        rest = rest.drop(while: Self.isSpace)
        guard !rest.isEmpty else { throw fail("missing key after the principals") }

        var options = Options()
        let firstWord = rest.prefix(while: { !Self.isSpace($0) })
        if !SSHKeyAlgorithm.looksLikeKeyType(String(firstWord)) {
            let optionsText = Self.optionsField(rest)
            options = try parseOptions(optionsText, fail: fail)
            rest = rest[optionsText.endIndex...].drop(while: Self.isSpace)
            guard !rest.isEmpty else { throw fail("missing key after the options") }
        }

        let parsed: (key: SSHPublicKey, comment: String?)
        do {
            parsed = try SSHPublicKey.parseLine(String(rest.trimmingCharacters(in: .whitespacesAndNewlines)))
        } catch {
            throw fail("key: \(error.description)")
        }
        return AllowedSigner(
            line: number, principals: PatternList(String(principals)), namespaces: options.namespaces.map(PatternList.init),
            validAfter: options.validAfter, validBefore: options.validBefore, key: parsed.key, comment: parsed.comment
        )
    }

    private struct Options {
        var namespaces: String?
        var validAfter: Date?
        var validBefore: Date?
    }

    /// The options field: up to the first space or tab outside double quotes (`\"` inside quotes is literal).
    private static func optionsField(_ text: Substring) -> Substring {
        var quoted = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if !quoted, isSpace(character) { break }
            if character == "\\", text.index(after: index) < text.endIndex, text[text.index(after: index)] == "\"" {
                index = text.index(after: index)
            } else if character == "\"" {
                quoted.toggle()
            }
            index = text.index(after: index)
        }
        return text[..<index]
    }

    private func parseOptions(_ text: Substring, fail: (String) -> AllowedSignersError) throws(AllowedSignersError) -> Options {
        var options = Options()
        var rest = text
        while !rest.isEmpty {
            let name = rest.prefix(while: { $0 != "=" && $0 != "," }).lowercased()
            rest = rest.dropFirst(name.count)
            switch name {
            case "cert-authority":
                throw fail("cert-authority: certificates are not supported; list each signer's own key")
            case "namespaces", "valid-after", "valid-before":
                guard rest.first == "=" else { throw fail("option \(name) needs a value (\(name)=\"…\")") }
                let (value, after) = try Self.quotedValue(rest.dropFirst(), option: name, fail: fail)
                rest = after
                switch name {
                case "namespaces":
                    guard options.namespaces == nil else { throw fail("multiple \"namespaces\" options") }
                    options.namespaces = value
                case "valid-after":
                    guard options.validAfter == nil else { throw fail("multiple \"valid-after\" options") }
                    guard let time = OpenSSHTime.parse(value, timeZone: timeZone) else {
                        throw fail("invalid valid-after time \"\(value)\" (expected YYYYMMDD[HHMM[SS]][Z])")
                    }
                    options.validAfter = time
                default:
                    guard options.validBefore == nil else { throw fail("multiple \"valid-before\" options") }
                    guard let time = OpenSSHTime.parse(value, timeZone: timeZone) else {
                        throw fail("invalid valid-before time \"\(value)\" (expected YYYYMMDD[HHMM[SS]][Z])")
                    }
                    options.validBefore = time
                }
            default:
                throw fail("unknown option \"\(name.prefix(64))\"")
            }
            if rest.isEmpty { break }
            guard rest.first == "," else { throw fail("unexpected \"\(rest.prefix(16))\" after option \(name)") }
            rest = rest.dropFirst()
            guard !rest.isEmpty else { throw fail("options end with a comma") }
        }
        if let after = options.validAfter, let before = options.validBefore, before <= after {
            throw fail("valid-before is not after valid-after")
        }
        return options
    }

    /// A double-quoted option value (`\"` stands for a quote) and what follows its closing quote.
    private static func quotedValue(
        _ text: Substring, option: String, fail: (String) -> AllowedSignersError
    ) throws(AllowedSignersError) -> (String, Substring) {
        guard text.first == "\"" else { throw fail("option \(option): value must be in double quotes") }
        var value = ""
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let character = text[index]
            if character == "\\", text.index(after: index) < text.endIndex, text[text.index(after: index)] == "\"" {
                value.append("\"")
                index = text.index(index, offsetBy: 2)
                continue
            }
            if character == "\"" { return (value, text[text.index(after: index)...]) }
            value.append(character)
            index = text.index(after: index)
        }
        throw fail("option \(option): missing closing quote")
    }

    private static func isSpace(_ character: Character) -> Bool { character == " " || character == "\t" }
}
