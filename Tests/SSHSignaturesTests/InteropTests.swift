import Foundation
import TestSupport
import Testing
@testable import SSHSignatures

/// Both directions against the real OpenSSH tools: what ssh-keygen signs verifies here, what this library signs
/// verifies in ssh-keygen, for every supported key type.
@Suite struct InteropTests {
    let message = Data("cluster: prod\nplan: offline-store-5-prod\nrevision: 7\ndecision: approve\n".utf8)

    @Test(arguments: KeyKind.allCases)
    func fingerprintsMatchSSHKeygen(kind: KeyKind) async throws {
        let directory = try TemporaryDirectory()
        let path = try await makeKeygenKey(kind, in: directory)
        let listed = try await OpenSSHTool.keygen(["-lf", path + ".pub"]).stdout.split(separator: " ")
        let publicKey = try SSHPublicKey(contentsOfFile: path + ".pub")
        #expect(publicKey.algorithm == kind.algorithm)
        #expect(String(listed[1]) == publicKey.fingerprint)
        #expect(String(listed[0]) == String(publicKey.bits))
        // The private key file's public half and its secret's public key are the same key.
        #expect(try SSHPublicKey(contentsOfFile: path) == publicKey)
        let privateKey = try SSHPrivateKey(contentsOfFile: path)
        #expect(privateKey.publicKey == publicKey)
        #expect(privateKey.comment == "\(kind.rawValue)@test")
    }

    @Test(arguments: KeyKind.allCases)
    func sshKeygenSignatureVerifiesHere(kind: KeyKind) async throws {
        let directory = try TemporaryDirectory()
        let key = try await makeKeygenKey(kind, in: directory)
        let messagePath = try directory.write("payload", String(decoding: message, as: UTF8.self))
        try await OpenSSHTool.keygen(["-Y", "sign", "-n", approvalNamespace, "-f", key, messagePath])
        let armored = try String(contentsOfFile: messagePath + ".sig", encoding: .utf8)

        let signature = try SSHSignature(armored: armored)
        #expect(signature.publicKey == (try SSHPublicKey(contentsOfFile: key + ".pub")))
        #expect(signature.namespace == approvalNamespace)
        #expect(signature.hashAlgorithm == .sha512)
        #expect(signature.signatureAlgorithm == (kind == .rsa ? "rsa-sha2-512" : kind.algorithm.rawValue))
        try signature.verify(message: message, namespace: approvalNamespace)
        // Re-encoding gives ssh-keygen's bytes back: nothing was lost or normalised away.
        #expect(signature.armored == armored)

        // sha256 message hashes too.
        let sha256 = try await OpenSSHTool.keygen(["-Y", "sign", "-n", approvalNamespace, "-O", "hashalg=sha256", "-f", key], stdin: message)
        let signature256 = try SSHSignature(armored: sha256.stdout)
        #expect(signature256.hashAlgorithm == .sha256)
        try signature256.verify(message: message, namespace: approvalNamespace)
    }

    @Test(arguments: KeyKind.allCases)
    func signatureMadeHereVerifiesInSSHKeygen(kind: KeyKind) async throws {
        let directory = try TemporaryDirectory()
        let key = try await makeKeygenKey(kind, in: directory)
        let privateKey = try SSHPrivateKey(contentsOfFile: key)
        let signature = try SSHSignature.sign(message: message, namespace: approvalNamespace, signer: privateKey)
        #expect(signature.signatureAlgorithm == (kind == .rsa ? "rsa-sha2-512" : kind.algorithm.rawValue))
        try await expectSSHKeygenVerifies(signature, publicKey: privateKey.publicKey, in: directory)
    }

    @Test func generatedKeyWorksWithSSHKeygen() async throws {
        let directory = try TemporaryDirectory()
        let generated = try SSHPrivateKey.generateEd25519(comment: "demo@operator")
        let path = directory.path("demo_ed25519")
        try generated.write(toFile: path)
        #expect(try fileMode(path) == 0o600)
        #expect(try fileMode(path + ".pub") == 0o644)
        // Never over an existing key.
        #expect(throws: SSHSignatureError.self) { try generated.write(toFile: path) }

        // ssh-keygen reads both files: the public half it derives from the private file is the .pub line.
        let derived = try await OpenSSHTool.keygen(["-y", "-f", path]).stdout
        #expect(try SSHPublicKey(openSSHLine: derived) == generated.publicKey)
        let listed = try await OpenSSHTool.keygen(["-lf", path + ".pub"]).stdout
        #expect(listed.contains(generated.publicKey.fingerprint + " demo@operator (ED25519)"))

        // Our signature verifies in ssh-keygen, and ssh-keygen signs with the key file we wrote.
        let ours = try SSHSignature.sign(message: message, namespace: approvalNamespace, signer: generated)
        try await expectSSHKeygenVerifies(ours, publicKey: generated.publicKey, in: directory)
        let theirs = try await OpenSSHTool.keygen(["-Y", "sign", "-n", approvalNamespace, "-f", path], stdin: message)
        try SSHSignature(armored: theirs.stdout).verify(message: message, namespace: approvalNamespace)

        // And the file reads back here as the same key.
        let reread = try SSHPrivateKey(contentsOfFile: path)
        #expect(reread.publicKey == generated.publicKey && reread.comment == "demo@operator")
    }

    @Test func encryptedKeyPointsToTheAgent() async throws {
        let directory = try TemporaryDirectory()
        let path = try await makeKeygenKey(.ed25519, in: directory, passphrase: "correct horse")
        #expect(throws: SSHSignatureError.encryptedPrivateKey(cipher: "aes256-ctr")) { try SSHPrivateKey(contentsOfFile: path) }
        #expect(SSHSignatureError.encryptedPrivateKey(cipher: "aes256-ctr").description.contains("ssh-add"))
        // Its public half is readable, to pick the key in ssh-agent.
        #expect(try SSHPublicKey(contentsOfFile: path) == SSHPublicKey(contentsOfFile: path + ".pub"))
    }

    @Test func agentSignsForEveryKeyType() async throws {
        let directory = try TemporaryDirectory()
        let agentProcess = try await AgentProcess(in: directory)
        defer { agentProcess.stop() }
        var keys: [(kind: KeyKind, path: String)] = []
        for kind in KeyKind.allCases {
            let path = try await makeKeygenKey(kind, in: directory)
            try await agentProcess.add(path)
            keys.append((kind, path))
        }
        let agent = SSHAgent(socketPath: agentProcess.socketPath, timeoutSeconds: 30)
        let held = try agent.identities()
        for (kind, path) in keys {
            // Chosen by the .pub file, or by the private key file's public half.
            let publicKey = try SSHPublicKey(contentsOfFile: path + ".pub")
            #expect(held.contains(SSHAgentIdentity(publicKey: publicKey, comment: "\(kind.rawValue)@test")))
            let signer = agent.signer(for: try SSHPublicKey(contentsOfFile: path))
            let signature = try SSHSignature.sign(message: message, namespace: approvalNamespace, signer: signer)
            #expect(signature.signatureAlgorithm != "ssh-rsa")
            try signature.verify(message: message, namespace: approvalNamespace)
            try await expectSSHKeygenVerifies(signature, publicKey: publicKey, in: directory)
        }

        // A key the agent does not hold: the error says how to add it.
        let absent = try SSHPrivateKey.generateEd25519(comment: "absent")
        let error = #expect(throws: SSHSignatureError.self) {
            try SSHSignature.sign(message: message, namespace: approvalNamespace, signer: agent.signer(for: absent.publicKey))
        }
        #expect(error?.description.contains("not loaded in the agent") == true)
        #expect(error?.description.contains(absent.publicKey.fingerprint) == true)
    }

    @Test func agentThatIsNotThere() throws {
        #expect(throws: SSHSignatureError.self) { try SSHAgent.fromEnvironment([:]) }
        let agent = SSHAgent(socketPath: "/tmp/sshsig-no-such-agent-\(UUID().uuidString.prefix(8)).sock")
        let error = #expect(throws: SSHSignatureError.self) { try agent.identities() }
        #expect(error?.description.contains("cannot connect") == true)
    }

    /// `ssh-keygen -Y verify` accepts the signature with an allowed signers file naming the key.
    private func expectSSHKeygenVerifies(_ signature: SSHSignature, publicKey: SSHPublicKey, in directory: TemporaryDirectory) async throws {
        let allowed = try directory.write("allowed_signers-\(UUID().uuidString.prefix(6))", "alice@example.com \(publicKey.openSSHText)\n")
        let signaturePath = try directory.write("sig-\(UUID().uuidString.prefix(6))", signature.armored)
        let run = try await OpenSSHTool.run(OpenSSHTool.keygen, [
            "-Y", "verify", "-f", allowed, "-I", "alice@example.com", "-n", approvalNamespace, "-s", signaturePath,
        ], stdin: message)
        #expect(run.status == 0, "ssh-keygen -Y verify: \(run.stderr)")
        #expect(run.stdout.contains("Good \"\(approvalNamespace)\" signature for alice@example.com"))
    }
}

func fileMode(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}
