import Foundation

extension SSHPublicKey {
    /// A key from its one-line text form, `type base64 [comment]` (a `.pub` file, an authorized_keys or
    /// allowed_signers key). The type named in the text must be the one inside the blob.
    public init(openSSHLine line: String) throws(SSHSignatureError) {
        self = try Self.parseLine(line).key
    }

    /// The key and the comment after it (nil when there is none).
    public static func parseLine(_ line: String) throws(SSHSignatureError) -> (key: SSHPublicKey, comment: String?) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        let fields = trimmed.split(maxSplits: 2, omittingEmptySubsequences: true, whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 2 else { throw .malformed("public key: expected \"type base64 [comment]\"") }
        let type = String(fields[0])
        guard let algorithm = SSHKeyAlgorithm(rawValue: type) else {
            if SSHKeyAlgorithm.looksLikeKeyType(type) { throw .unsupportedKeyType(type) }
            throw .malformed("public key: \"\(type.prefix(40))\" is not a key type")
        }
        guard fields[1].utf8.count <= maximumBlobSize * 2 else { throw .tooLarge(what: "public key", limit: maximumBlobSize) }
        guard let data = Data(base64Encoded: String(fields[1])) else { throw .malformed("public key: invalid base64") }
        let key = try SSHPublicKey(blob: Array(data))
        guard key.algorithm == algorithm else {
            throw .malformed("public key: text says \(type) but the key inside is \(key.algorithm.rawValue)")
        }
        let comment = fields.count > 2 ? String(fields[2]).trimmingCharacters(in: .whitespaces) : nil
        return (key, comment)
    }

    /// The public key a file names, for choosing a key in ssh-agent: a `.pub` file (its first key line), or an
    /// OpenSSH private key file, whose public half is stored unencrypted even when the key is encrypted.
    public init(contentsOfFile path: String) throws(SSHSignatureError) {
        let text = try KeyFile.read(path)
        if text.contains("-----BEGIN OPENSSH PRIVATE KEY-----") {
            do {
                self = try OpenSSHPrivateKeyFormat.publicKey(armored: text)
            } catch {
                throw .file(path: path, reason: error.description)
            }
            return
        }
        let line = text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .first { !$0.isEmpty && !$0.hasPrefix("#") }
        guard let line else { throw .file(path: path, reason: "no public key in the file") }
        do {
            self = try SSHPublicKey(openSSHLine: line)
        } catch {
            throw .file(path: path, reason: error.description)
        }
    }
}

/// Reading key files: bounded, with errors that name the file.
enum KeyFile {
    static let maximumSize = 64 * 1024

    static func read(_ path: String) throws(SSHSignatureError) -> String {
        let url = URL(fileURLWithPath: path)
        let size: Int
        do {
            size = try url.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0
        } catch {
            throw .file(path: path, reason: "cannot be read (\(error.localizedDescription))")
        }
        guard size <= maximumSize else { throw .file(path: path, reason: "larger than \(maximumSize) bytes: not a key file") }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .file(path: path, reason: "cannot be read (\(error.localizedDescription))")
        }
        guard data.count <= maximumSize, let text = String(data: data, encoding: .utf8) else {
            throw .file(path: path, reason: "not a text key file")
        }
        return text
    }
}
