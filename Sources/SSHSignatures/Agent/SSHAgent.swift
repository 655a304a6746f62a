import Foundation

/// A client of ssh-agent over its Unix socket (the agent protocol, draft-ietf-sshm-ssh-agent): lists the keys it
/// holds and asks it to sign, so keys protected by a passphrase or a hardware token never enter this process.
/// Each call opens its own connection and blocks until the agent answers or `timeoutSeconds` pass (an agent
/// may ask its user to confirm, `ssh-add -c`).
public struct SSHAgent: Sendable {
    static let requestIdentities: UInt8 = 11
    static let identitiesAnswer: UInt8 = 12
    static let signRequest: UInt8 = 13
    static let signResponse: UInt8 = 14
    static let failure: UInt8 = 5
    /// SSH_AGENT_RSA_SHA2_512: ask for rsa-sha2-512 rather than SHA-1 `ssh-rsa`.
    static let rsaSHA2_512: UInt32 = 4
    /// OpenSSH's own bound on an agent message.
    static let maximumMessage = 256 * 1024

    public let socketPath: String
    public let timeoutSeconds: Int

    public init(socketPath: String, timeoutSeconds: Int = 60) {
        self.socketPath = socketPath
        self.timeoutSeconds = timeoutSeconds
    }

    /// The agent `SSH_AUTH_SOCK` names.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(SSHSignatureError) -> SSHAgent {
        guard let path = environment["SSH_AUTH_SOCK"], !path.isEmpty else {
            throw .agent("SSH_AUTH_SOCK is not set: start ssh-agent (`eval $(ssh-agent)`) and add your key with `ssh-add KEYFILE`")
        }
        return SSHAgent(socketPath: path)
    }

    /// The keys the agent holds, with their comments. Keys of types this library does not support (certificates,
    /// security keys, …) are left out.
    public func identities() throws(SSHSignatureError) -> [SSHAgentIdentity] {
        guard var reader = try request([Self.requestIdentities], expecting: Self.identitiesAnswer) else {
            throw .agent("the agent at \(socketPath) refused to list its keys")
        }
        let count = try reader.readUInt32("agent identity count")
        var identities: [SSHAgentIdentity] = []
        for _ in 0..<count {
            let blob = try reader.readString("agent identity key")
            let comment = try reader.readText("agent identity comment")
            if let key = try? SSHPublicKey(blob: blob) { identities.append(SSHAgentIdentity(publicKey: key, comment: comment)) }
        }
        return identities
    }

    /// A signer for `publicKey`, which the agent must hold (checked when it signs). The key may come from a `.pub`
    /// file or from a private key file's public half (`SSHPublicKey(contentsOfFile:)`).
    public func signer(for publicKey: SSHPublicKey) -> SSHAgentSigner {
        SSHAgentSigner(agent: self, publicKey: publicKey)
    }

    /// The agent's signature blob over `data` with `key`; `flags` choose the RSA hash (SSH_AGENT_RSA_SHA2_*).
    func sign(_ data: [UInt8], with key: SSHPublicKey, flags: UInt32) throws(SSHSignatureError) -> [UInt8] {
        var message = SSHWireWriter()
        message.raw([Self.signRequest])
        message.string(key.blob)
        message.string(data)
        message.uint32(flags)
        guard var reader = try request(message.bytes, expecting: Self.signResponse) else {
            // The agent answers only "failure": tell the likely cause apart from a refusal by asking what it holds.
            if let held = try? identities(), !held.contains(where: { $0.publicKey == key }) {
                throw .agent("key \(key.fingerprint) is not loaded in the agent at \(socketPath): add it with `ssh-add KEYFILE`")
            }
            throw .agent("the agent refused to sign with \(key.fingerprint) (was a confirmation declined?)")
        }
        let signature = try reader.readString("agent signature")
        try reader.expectEnd("agent sign response")
        return signature
    }

    /// Sends one request and reads its answer, which must be of type `expected` (its contents returned) or the
    /// agent's failure (nil).
    private func request(_ payload: [UInt8], expecting expected: UInt8) throws(SSHSignatureError) -> SSHWireReader? {
        let connection = try UnixSocketConnection(path: socketPath, timeoutSeconds: timeoutSeconds)
        defer { connection.close() }
        var framed = SSHWireWriter()
        framed.string(payload)
        try connection.sendAll(framed.bytes)
        var lengthReader = SSHWireReader(try connection.receive(exactly: 4))
        let length = Int(try lengthReader.readUInt32("agent message length"))
        guard length >= 1, length <= Self.maximumMessage else { throw .agent("answer of \(length) bytes is not an agent message") }
        var reader = SSHWireReader(try connection.receive(exactly: length))
        let type = try reader.readUInt8("agent message type")
        if type == Self.failure { return nil }
        guard type == expected else { throw .agent("unexpected answer type \(type), expected \(expected)") }
        return reader
    }
}

/// A key ssh-agent holds.
public struct SSHAgentIdentity: Sendable, Hashable {
    public let publicKey: SSHPublicKey
    public let comment: String
}

/// Signs through ssh-agent with one key; RSA keys are asked for rsa-sha2-512.
public struct SSHAgentSigner: SSHSigner {
    public let agent: SSHAgent
    public let publicKey: SSHPublicKey

    public func signatureBlob(over data: [UInt8]) throws(SSHSignatureError) -> [UInt8] {
        try agent.sign(data, with: publicKey, flags: publicKey.algorithm == .rsa ? SSHAgent.rsaSHA2_512 : 0)
    }
}
