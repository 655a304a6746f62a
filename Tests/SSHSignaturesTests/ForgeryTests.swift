import Foundation
import TestSupport
import Testing
@testable import SSHSignatures

/// Signatures that must not verify, each refused with its own reason.
@Suite struct ForgeryTests {
    let message = Array("cluster: prod\nplan: offline-store-5-prod\nrevision: 7\ndecision: approve\n".utf8)

    @Test(arguments: KeyKind.allCases)
    func changedMessageByte(kind: KeyKind) async throws {
        let key = try await keygenPrivateKey(kind)
        let signature = try SSHSignature.sign(message: message, namespace: approvalNamespace, signer: key)
        for index in [0, message.count / 2, message.count - 1] {
            var forged = message
            forged[index] ^= 0x01
            #expect(throws: SSHSignatureError.doesNotVerify) { try signature.verify(message: forged, namespace: approvalNamespace) }
        }
        #expect(throws: SSHSignatureError.doesNotVerify) { try signature.verify(message: message + [0x0a], namespace: approvalNamespace) }
        try signature.verify(message: message, namespace: approvalNamespace)
    }

    @Test(arguments: KeyKind.allCases)
    func changedSignatureByte(kind: KeyKind) async throws {
        let key = try await keygenPrivateKey(kind)
        let blob = try SSHSignature.sign(message: message, namespace: approvalNamespace, signer: key).blob
        // The blob ends with the key's signature proper: a changed byte there is a changed signature.
        for back in [1, 8, 20] {
            var forged = blob
            forged[forged.count - back] ^= 0x40
            let signature = try SSHSignature(blob: forged)
            #expect(throws: SSHSignatureError.doesNotVerify) { try signature.verify(message: message, namespace: approvalNamespace) }
        }
    }

    @Test func changedEmbeddedKeyOrNamespaceField() throws {
        let key = try SSHPrivateKey.generateEd25519(comment: "")
        let signature = try SSHSignature.sign(message: message, namespace: approvalNamespace, signer: key)
        // Another key in the envelope: the signature is not that key's.
        let other = try SSHPrivateKey.generateEd25519(comment: "").publicKey
        let swapped = SSHSignature(
            publicKey: other, namespace: signature.namespace, hashAlgorithm: signature.hashAlgorithm, reserved: [],
            keySignature: signature.keySignature
        )
        #expect(throws: SSHSignatureError.doesNotVerify) { try swapped.verify(message: message, namespace: approvalNamespace) }
        // A namespace field rewritten to the expected one: the key signed the other namespace.
        let elsewhere = try SSHSignature.sign(message: message, namespace: "git", signer: key)
        let relabelled = SSHSignature(
            publicKey: key.publicKey, namespace: approvalNamespace, hashAlgorithm: .sha512, reserved: [], keySignature: elsewhere.keySignature
        )
        #expect(throws: SSHSignatureError.doesNotVerify) { try relabelled.verify(message: message, namespace: approvalNamespace) }
        // The hash algorithm field rewritten: the key signed over the other hash.
        let rehashed = SSHSignature(
            publicKey: key.publicKey, namespace: approvalNamespace, hashAlgorithm: .sha256, reserved: [], keySignature: signature.keySignature
        )
        #expect(throws: SSHSignatureError.doesNotVerify) { try rehashed.verify(message: message, namespace: approvalNamespace) }
    }

    @Test func otherNamespace() throws {
        let key = try SSHPrivateKey.generateEd25519(comment: "")
        let signature = try SSHSignature.sign(message: message, namespace: "file", signer: key)
        let error = #expect(throws: SSHSignatureError.wrongNamespace(found: "file", expected: approvalNamespace)) {
            try signature.verify(message: message, namespace: approvalNamespace)
        }
        #expect(error?.description == "wrong namespace \"file\", expected \"operator.tikv/approval\"")
    }

    @Test func signatureAlgorithmOfAnotherKeyType() async throws {
        let ed25519 = try SSHPrivateKey.generateEd25519(comment: "")
        let signature = try SSHSignature.sign(message: message, namespace: approvalNamespace, signer: ed25519)
        for kind in [KeyKind.rsa, .ecdsa] {
            let other = try await keygenPrivateKey(kind).publicKey
            let forged = sshsigBlob(publicKey: other.blob, signature: signature.keySignature.blob)
            #expect(throws: SSHSignatureError.signatureAlgorithmMismatch(key: other.algorithm.rawValue, signature: "ssh-ed25519")) {
                try SSHSignature(blob: forged)
            }
        }
        // An RSA signature blob claiming ed25519's algorithm name on an ed25519 key is refused by size.
        let rsa = try await keygenPrivateKey(.rsa)
        let rsaSignature = try SSHSignature.sign(message: message, namespace: approvalNamespace, signer: rsa)
        var inner = SSHWireWriter()
        inner.string("ssh-ed25519")
        inner.string(rsaSignature.keySignature.bytes)
        #expect(throws: SSHSignatureError.self) { try SSHSignature(blob: sshsigBlob(publicKey: ed25519.publicKey.blob, signature: inner.bytes)) }
    }

    /// A real SHA-1 `ssh-rsa` signature, made by ssh-agent when asked without SSH_AGENT_RSA_SHA2_* flags (what an
    /// old signer sends), is refused when parsed, and caught when a signer returns one to `sign`.
    @Test func sha1RSASignatureRefused() async throws {
        let directory = try TemporaryDirectory()
        let agentProcess = try await AgentProcess(in: directory)
        defer { agentProcess.stop() }
        let path = try await makeKeygenKey(.rsa, in: directory)
        try await agentProcess.add(path)
        let publicKey = try SSHPublicKey(contentsOfFile: path + ".pub")
        let agent = SSHAgent(socketPath: agentProcess.socketPath, timeoutSeconds: 30)
        let signed = SSHSignature.signedData(message: message, namespace: approvalNamespace, hashAlgorithm: .sha512)
        let sha1 = try agent.sign(signed, with: publicKey, flags: 0)
        var reader = SSHWireReader(sha1)
        #expect(try reader.readText("algorithm") == "ssh-rsa")

        let error = #expect(throws: SSHSignatureError.sha1SignatureRefused) {
            try SSHSignature(blob: sshsigBlob(publicKey: publicKey.blob, signature: sha1))
        }
        #expect(error?.description.contains("SHA-1") == true)
        #expect(throws: SSHSignatureError.sha1SignatureRefused) {
            try SSHSignature.sign(message: message, namespace: approvalNamespace, signer: LegacyAgentSigner(agent: agent, publicKey: publicKey))
        }
    }

    @Test func malformedArmor() throws {
        let key = try SSHPrivateKey.generateEd25519(comment: "")
        let signature = try SSHSignature.sign(message: message, namespace: approvalNamespace, signer: key)
        let armored = signature.armored
        let lines = armored.split(separator: "\n").map(String.init)

        #expect(throws: SSHSignatureError.malformed("ssh signature: missing \"-----END SSH SIGNATURE-----\" line")) {
            try SSHSignature(armored: lines.dropLast().joined(separator: "\n"))
        }
        #expect(throws: SSHSignatureError.malformed("ssh signature: missing \"-----BEGIN SSH SIGNATURE-----\" line")) {
            try SSHSignature(armored: lines.dropFirst().joined(separator: "\n"))
        }
        #expect(throws: SSHSignatureError.malformed("ssh signature: empty")) {
            try SSHSignature(armored: "-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n")
        }
        var badCharacter = lines
        badCharacter[1] = "*" + badCharacter[1].dropFirst()
        #expect(throws: SSHSignatureError.malformed("ssh signature: invalid base64")) {
            try SSHSignature(armored: badCharacter.joined(separator: "\n"))
        }
        // Truncated blobs, re-armored so only the structure is at fault.
        let blob = signature.blob
        for length in [3, 10, 40, blob.count / 2, blob.count - 1] {
            let error = #expect(throws: SSHSignatureError.self) {
                try SSHSignature(armored: ArmoredText.encode(Array(blob.prefix(length)), label: "SSH SIGNATURE"))
            }
            #expect(error?.description.contains("truncated") == true, "\(length): \(String(describing: error))")
        }
        #expect(throws: SSHSignatureError.malformed("not an SSH signature (no SSHSIG magic)")) {
            try SSHSignature(armored: ArmoredText.encode(Array("garbage that is long enough".utf8), label: "SSH SIGNATURE"))
        }
        #expect(throws: SSHSignatureError.malformed("ssh signature: 1 bytes of trailing data")) { try SSHSignature(blob: blob + [0]) }
        #expect(throws: SSHSignatureError.tooLarge(what: "ssh signature", limit: SSHSignature.maximumBlobSize)) {
            try SSHSignature(blob: [UInt8](repeating: 0x41, count: SSHSignature.maximumBlobSize + 1))
        }
        #expect(throws: SSHSignatureError.tooLarge(what: "ssh signature", limit: SSHSignature.maximumBlobSize)) {
            try SSHSignature(armored: ArmoredText.encode([UInt8](repeating: 0x41, count: SSHSignature.maximumBlobSize + 1), label: "SSH SIGNATURE"))
        }
        // The armor survives indentation and CRLF (YAML block scalars, terminals).
        let indented = lines.map { "    " + $0 }.joined(separator: "\r\n")
        try SSHSignature(armored: indented).verify(message: message, namespace: approvalNamespace)
    }

    @Test func unsupportedFields() throws {
        let key = try SSHPrivateKey.generateEd25519(comment: "")
        let signature = try SSHSignature.sign(message: message, namespace: approvalNamespace, signer: key)
        let inner = signature.keySignature.blob
        #expect(throws: SSHSignatureError.unsupportedVersion(2)) {
            try SSHSignature(blob: sshsigBlob(version: 2, publicKey: key.publicKey.blob, signature: inner))
        }
        #expect(throws: SSHSignatureError.unsupportedHashAlgorithm("sha1")) {
            try SSHSignature(blob: sshsigBlob(publicKey: key.publicKey.blob, hash: "sha1", signature: inner))
        }
        var dss = SSHWireWriter()
        dss.string("ssh-dss")
        dss.string([1, 2, 3])
        #expect(throws: SSHSignatureError.unsupportedKeyType("ssh-dss")) {
            try SSHSignature(blob: sshsigBlob(publicKey: dss.bytes, signature: inner))
        }
        var offCurve = [UInt8](repeating: 7, count: 65)
        offCurve[0] = 4
        var ecdsa = SSHWireWriter()
        ecdsa.string("ecdsa-sha2-nistp256")
        ecdsa.string("nistp256")
        ecdsa.string(offCurve)
        let error = #expect(throws: SSHSignatureError.self) { try SSHSignature(blob: sshsigBlob(publicKey: ecdsa.bytes, signature: inner)) }
        #expect(error?.description.contains("not a valid key") == true)
    }

    /// The list's verdicts, each with its own reason, and ssh-keygen -Y verify agreeing with each.
    @Test func allowedSignersRefusals() async throws {
        let directory = try TemporaryDirectory()
        let key = try await keygenPrivateKey(.ed25519, in: directory)
        let stranger = try SSHPrivateKey.generateEd25519(comment: "")
        let limitedKey = try SSHPrivateKey.generateEd25519(comment: "")
        let text = """
            # the team
            alice@example.com valid-after="20250101Z",valid-before="20260101Z" \(key.publicKey.openSSHText) alice
            carol@example.com namespaces="git" \(limitedKey.publicKey.openSSHText)
            """
        let allowed = try AllowedSigners(parsing: text)
        let allowedPath = try directory.write("allowed_signers", text + "\n")
        let inside = try #require(OpenSSHTime.parse("20250601Z", timeZone: .current))
        let before = try #require(OpenSSHTime.parse("20241231Z", timeZone: .current))
        let after = try #require(OpenSSHTime.parse("20260102Z", timeZone: .current))

        let good = try SSHSignature.sign(message: message, namespace: approvalNamespace, signer: key)
        try good.verify(message: message, namespace: approvalNamespace)
        #expect(try allowed.check(principal: "alice@example.com", key: good.publicKey, namespace: approvalNamespace, at: inside).line == 2)
        try await expectSSHKeygen(accepts: true, good, principal: "alice@example.com", time: "20250601Z", allowedPath, directory)

        #expect(throws: SignerRefusal.unknownKey(fingerprint: stranger.publicKey.fingerprint)) {
            try allowed.check(principal: "alice@example.com", key: stranger.publicKey, namespace: approvalNamespace, at: inside)
        }
        let strangers = try SSHSignature.sign(message: message, namespace: approvalNamespace, signer: stranger)
        try await expectSSHKeygen(accepts: false, strangers, principal: "alice@example.com", time: "20250601Z", allowedPath, directory)

        let mismatch = #expect(throws: SignerRefusal.self) {
            try allowed.check(principal: "bob@example.com", key: key.publicKey, namespace: approvalNamespace, at: inside)
        }
        #expect(mismatch == .principalMismatch(principal: "bob@example.com", fingerprint: key.publicKey.fingerprint, listedFor: ["alice@example.com"]))
        #expect(mismatch?.description.contains("is not allowed to sign as \"bob@example.com\"") == true)
        try await expectSSHKeygen(accepts: false, good, principal: "bob@example.com", time: "20250601Z", allowedPath, directory)

        #expect(throws: SignerRefusal.notYetValid(fingerprint: key.publicKey.fingerprint, validAfter: try #require(OpenSSHTime.parse("20250101Z", timeZone: .current)), line: 2)) {
            try allowed.check(principal: "alice@example.com", key: key.publicKey, namespace: approvalNamespace, at: before)
        }
        try await expectSSHKeygen(accepts: false, good, principal: "alice@example.com", time: "20241231Z", allowedPath, directory)

        let expired = #expect(throws: SignerRefusal.self) {
            try allowed.check(principal: "alice@example.com", key: key.publicKey, namespace: approvalNamespace, at: after)
        }
        #expect(expired == .expired(fingerprint: key.publicKey.fingerprint, validBefore: try #require(OpenSSHTime.parse("20260101Z", timeZone: .current)), line: 2))
        #expect(expired?.description.contains("expired at 2026-01-01T00:00:00Z") == true)
        try await expectSSHKeygen(accepts: false, good, principal: "alice@example.com", time: "20260102Z", allowedPath, directory)

        let carols = try SSHSignature.sign(message: message, namespace: approvalNamespace, signer: limitedKey)
        #expect(throws: SignerRefusal.namespaceNotAllowed(namespace: approvalNamespace, fingerprint: limitedKey.publicKey.fingerprint, allowed: "git", line: 3)) {
            try allowed.check(principal: "carol@example.com", key: limitedKey.publicKey, namespace: approvalNamespace, at: inside)
        }
        try await expectSSHKeygen(accepts: false, carols, principal: "carol@example.com", time: "20250601Z", allowedPath, directory)

        // signers(for:) gives the lines that hold, for counting who signed.
        #expect(allowed.signers(for: key.publicKey, namespace: approvalNamespace, at: inside).map(\.principals.text) == ["alice@example.com"])
        #expect(allowed.signers(for: key.publicKey, namespace: approvalNamespace, at: after).isEmpty)
        #expect(allowed.signers(for: limitedKey.publicKey, namespace: "git", at: inside).map(\.line) == [3])
    }

    private func expectSSHKeygen(
        accepts: Bool, _ signature: SSHSignature, principal: String, time: String, _ allowedPath: String, _ directory: TemporaryDirectory
    ) async throws {
        let signaturePath = try directory.write("sig-\(UUID().uuidString.prefix(6))", signature.armored)
        let run = try await OpenSSHTool.run(OpenSSHTool.keygen, [
            "-Y", "verify", "-f", allowedPath, "-I", principal, "-n", approvalNamespace, "-s", signaturePath, "-O", "verify-time=\(time)",
        ], stdin: Data(message))
        #expect((run.status == 0) == accepts, "ssh-keygen -Y verify -I \(principal) at \(time): \(run.status) \(run.stderr)")
    }
}

/// A signer that asks ssh-agent the way pre-SHA-2 clients did: RSA keys then sign with SHA-1 `ssh-rsa`.
struct LegacyAgentSigner: SSHSigner {
    let agent: SSHAgent
    let publicKey: SSHPublicKey

    func signatureBlob(over data: [UInt8]) throws(SSHSignatureError) -> [UInt8] {
        try agent.sign(data, with: publicKey, flags: 0)
    }
}

/// An SSHSIG blob assembled field by field, to forge what `SSHSignature.sign` would never write.
func sshsigBlob(
    magic: String = "SSHSIG", version: UInt32 = 1, publicKey: [UInt8], namespace: String = approvalNamespace,
    hash: String = "sha512", signature: [UInt8]
) -> [UInt8] {
    var writer = SSHWireWriter()
    writer.raw(Array(magic.utf8))
    writer.uint32(version)
    writer.string(publicKey)
    writer.string(namespace)
    writer.string([UInt8]())
    writer.string(hash)
    writer.string(signature)
    return writer.bytes
}

/// A private key made by `ssh-keygen -N ''` and read by this library.
func keygenPrivateKey(_ kind: KeyKind, in directory: TemporaryDirectory? = nil) async throws -> SSHPrivateKey {
    let directory = try directory ?? TemporaryDirectory()
    return try SSHPrivateKey(contentsOfFile: try await makeKeygenKey(kind, in: directory, name: "key-\(UUID().uuidString.prefix(6))"))
}
