/// The hash SSHSIG applies to the message before signing (PROTOCOL.sshsig allows these two; ssh-keygen uses sha512).
public enum SSHSignatureHash: String, Sendable, Hashable {
    case sha256
    case sha512

    func hash(_ message: [UInt8]) -> [UInt8] {
        switch self {
        case .sha256: Digest.sha256(message)
        case .sha512: Digest.sha512(message)
        }
    }
}
