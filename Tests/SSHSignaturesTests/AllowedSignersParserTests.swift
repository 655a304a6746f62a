import Foundation
import TestSupport
import Testing
@testable import SSHSignatures

@Suite struct AllowedSignersParserTests {
    let alice: SSHPublicKey
    let bob: SSHPublicKey
    let utc = TimeZone(identifier: "UTC") ?? .current

    init() throws {
        alice = try SSHPrivateKey.generateEd25519(comment: "").publicKey
        bob = try SSHPrivateKey.generateEd25519(comment: "").publicKey
    }

    @Test func readsLinesOptionsAndComments() throws {
        let text = """
            # team signers

              alice@example.com,alice \(alice.openSSHText) alice's laptop
            "bob@example.com,robert" namespaces="operator.tikv/*,!operator.tikv/lab",valid-after="20250101",valid-before="202601011230Z" \(bob.openSSHText)
            \tbob@example.com\tVALID-AFTER="20270101000000Z"\t\(bob.openSSHText)
            """
        let signers = try AllowedSigners(parsing: text, timeZone: try #require(TimeZone(identifier: "Europe/Berlin")))
        #expect(signers.entries.map(\.line) == [3, 4, 5])

        let first = signers.entries[0]
        #expect(first.principals.patterns == ["alice@example.com", "alice"])
        #expect(first.key == alice && first.comment == "alice's laptop")
        #expect(first.namespaces == nil && first.validAfter == nil && first.validBefore == nil)

        let second = signers.entries[1]
        #expect(second.principals.text == "bob@example.com,robert")
        #expect(second.namespaces?.text == "operator.tikv/*,!operator.tikv/lab")
        // No Z: read in the given zone (Berlin is UTC+1 in January).
        #expect(second.validAfter == Date(timeIntervalSince1970: 1_735_686_000))
        #expect(second.validBefore == Date(timeIntervalSince1970: 1_767_270_600))
        #expect(second.comment == nil)
        #expect(second.allows(namespace: "operator.tikv/approval"))
        #expect(!second.allows(namespace: "operator.tikv/lab"))
        #expect(!second.allows(namespace: "git"))

        // Option names are case-insensitive, as OpenSSH's are; tabs separate fields.
        #expect(signers.entries[2].validAfter == Date(timeIntervalSince1970: 1_798_761_600))
        #expect(signers.entries(for: bob).map(\.line) == [4, 5])
    }

    @Test func crlfAndQuotedValues() throws {
        let text = "alice namespaces=\"a\\\"b,c\" \(alice.openSSHText)\r\n# done\r\n"
        let signers = try AllowedSigners(parsing: text)
        #expect(signers.entries.count == 1)
        #expect(signers.entries[0].namespaces?.patterns == ["a\"b", "c"])
        #expect(signers.entries[0].comment == nil)
    }

    @Test func validityBoundsAreInclusive() throws {
        let signers = try AllowedSigners(parsing: "alice valid-after=\"20250101Z\",valid-before=\"20250102Z\" \(alice.openSSHText)")
        let entry = signers.entries[0]
        let start = Date(timeIntervalSince1970: 1_735_689_600)
        #expect(entry.isValid(at: start))
        #expect(!entry.isValid(at: start.addingTimeInterval(-1)))
        #expect(entry.isValid(at: start.addingTimeInterval(86_400.5)))
        #expect(!entry.isValid(at: start.addingTimeInterval(86_401)))
    }

    @Test(arguments: [
        ("alice@example.com", "alice@example.com", true),
        ("alice@example.com", "alice@example.org", false),
        ("*@example.com", "bob@example.com", true),
        ("*@example.com,!intern@example.com", "intern@example.com", false),
        ("!intern@example.com,*@example.com", "intern@example.com", false),
        ("!intern@example.com", "bob@example.com", false),
        ("b?b", "bob", true),
        ("b?b", "boob", false),
        ("a*b*c", "aXXbYYc", true),
        ("a*b*c", "aXXbYY", false),
        ("*", "", true),
        ("Alice", "alice", false),
        ("alice,,bob", "", true),
    ])
    func patternLists(list: String, name: String, matches: Bool) {
        #expect(PatternList(list).matches(name) == matches)
    }

    @Test func patternsTooLongMatchNothing() {
        let long = String(repeating: "a", count: 1024)
        #expect(!PatternList(long).matches(long))
        #expect(PatternList(String(long.dropFirst())).matches(String(long.dropFirst())))
    }

    @Test func errorsNameTheLine() throws {
        let key = alice.openSSHText
        let cases: [(String, String)] = [
            ("alice cert-authority \(key)", "cert-authority: certificates are not supported; list each signer's own key"),
            ("alice no-touch-required \(key)", "unknown option \"no-touch-required\""),
            ("alice namespaces=git \(key)", "option namespaces: value must be in double quotes"),
            ("alice namespaces=\"git \(key)", "option namespaces: missing closing quote"),
            ("alice namespaces=\"a\",namespaces=\"b\" \(key)", "multiple \"namespaces\" options"),
            ("alice valid-after=\"2025\" \(key)", "invalid valid-after time \"2025\" (expected YYYYMMDD[HHMM[SS]][Z])"),
            ("alice valid-before=\"20250230\" \(key)", "invalid valid-before time \"20250230\" (expected YYYYMMDD[HHMM[SS]][Z])"),
            ("alice valid-after=\"20260101Z\",valid-before=\"20250101Z\" \(key)", "valid-before is not after valid-after"),
            ("alice namespaces=\"a\", \(key)", "options end with a comma"),
            ("alice", "missing key after the principals"),
            ("alice namespaces=\"a\"", "missing key after the options"),
            ("\"alice \(key)", "principals: missing closing quote"),
            ("alice ssh-ed25519 AAAA!!!!", "key: public key: invalid base64"),
            ("alice ssh-dss AAAAB3NzaC1kc3M=", "key: unsupported key type \"ssh-dss\" (supported: ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa)"),
            ("alice ssh-rsa \(key.split(separator: " ")[1])", "key: public key: text says ssh-rsa but the key inside is ssh-ed25519"),
        ]
        for (line, reason) in cases {
            let text = "# header\nbob \(bob.openSSHText)\n\n\(line)\n"
            let error = #expect(throws: AllowedSignersError.self, "\(line)") { try AllowedSigners(parsing: text) }
            #expect(error == AllowedSignersError(line: 4, reason: reason), "\(line)")
            #expect(error?.description == "allowed signers line 4: \(reason)")
        }
    }

    @Test func oversizedFileRefused() {
        let text = String(repeating: "#", count: AllowedSigners.maximumSize + 1)
        #expect(throws: AllowedSignersError(line: nil, reason: "larger than \(AllowedSigners.maximumSize) bytes")) {
            try AllowedSigners(parsing: text)
        }
    }

    @Test func mostSpecificRefusalWins() throws {
        let text = """
            alice@example.com namespaces="git" \(alice.openSSHText)
            alice@example.com valid-before="20200101Z" \(alice.openSSHText)
            """
        let signers = try AllowedSigners(parsing: text)
        let now = Date(timeIntervalSince1970: 1_750_000_000)
        // Line 1 is out of its namespace, line 2 out of its window: the line that allows the namespace speaks.
        #expect(throws: SignerRefusal.expired(fingerprint: alice.fingerprint, validBefore: Date(timeIntervalSince1970: 1_577_836_800), line: 2)) {
            try signers.check(principal: "alice@example.com", key: alice, namespace: approvalNamespace, at: now)
        }
        #expect(try signers.check(principal: "alice@example.com", key: alice, namespace: "git", at: now).line == 1)
    }
}
