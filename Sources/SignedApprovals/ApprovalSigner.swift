import Foundation
import Reconcilers
import SSHSignatures

/// Signs approvals for a person: with their private key file, or through ssh-agent for a key it holds (a key file
/// with a passphrase is used through the agent, as git does). The signature is `ssh-keygen -Y sign`'s, so
/// `ssh-keygen -Y verify -n operator.tikv/approval` checks it against the same allowed signers.
package enum ApprovalSigner {
    /// The signer for `--key PATH`: the private key itself when it is unencrypted, else the agent's copy of the key the
    /// file (or its `.pub`) names. Without a path: the agent's first key the allowed signers list, or its only key.
    package static func signer(key path: String?, allowedSigners: AllowedSigners?,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws(ApprovalSigningError) -> any SSHSigner {
        if let path {
            let expanded = NSString(string: path).expandingTildeInPath
            if !expanded.hasSuffix(".pub") {
                do {
                    return try SSHPrivateKey(contentsOfFile: expanded)
                } catch SSHSignatureError.encryptedPrivateKey {
                    // Fall through to the agent, which holds the key decrypted.
                } catch {
                    throw .key("\(path): \(error.description)")
                }
            }
            let publicKey: SSHPublicKey
            do { publicKey = try SSHPublicKey(contentsOfFile: expanded) } catch { throw .key("\(path): \(error.description)") }
            let agent: SSHAgent
            do { agent = try SSHAgent.fromEnvironment(environment) } catch {
                throw .key("\(path) is protected by a passphrase (or is a public key): its private half must be in ssh-agent. \(error.description)")
            }
            return agent.signer(for: publicKey)
        }
        let agent: SSHAgent
        do { agent = try SSHAgent.fromEnvironment(environment) } catch {
            throw .key("no key to sign with: pass --key ~/.ssh/id_ed25519, or run ssh-agent with your key added (\(error.description))")
        }
        let identities: [SSHAgentIdentity]
        do { identities = try agent.identities() } catch { throw .key("ssh-agent: \(error.description)") }
        let listed = identities.filter { identity in allowedSigners.map { !$0.entries(for: identity.publicKey).isEmpty } ?? false }
        if let chosen = listed.first ?? (identities.count == 1 ? identities.first : nil) {
            return agent.signer(for: chosen.publicKey)
        }
        throw .key(identities.isEmpty
            ? "ssh-agent holds no key: add yours with `ssh-add ~/.ssh/id_ed25519`, or pass --key"
            : "ssh-agent holds \(identities.count) keys and none is in the allowed signers: pass --key to choose one")
    }

    /// Who signs: `requested` when the allowed signers let the key sign as it, else the one principal they list for
    /// the key (a person's name, not a pattern or a group shared by several keys).
    package static func principal(for key: SSHPublicKey, requested: String?, allowedSigners: AllowedSigners?, now: Date)
        throws(ApprovalSigningError) -> String
    {
        if let requested {
            let name: String
            do { name = try PersonName(validating: requested).value } catch { throw .key("--as \"\(requested)\": \(error.description)") }
            if let allowedSigners {
                do {
                    _ = try allowedSigners.check(principal: name, key: key, namespace: ApprovalPayload.namespace, at: now)
                } catch {
                    throw .refused(error.description)
                }
            }
            return name
        }
        guard let allowedSigners else {
            throw .key("cannot tell whose key \(key.fingerprint) is without the allowed signers: pass --as PRINCIPAL")
        }
        let lines = allowedSigners.signers(for: key, namespace: ApprovalPayload.namespace, at: now)
        let literal = lines.flatMap(\.principals.patterns).filter { !$0.contains(where: { "*?!".contains($0) }) }
        let people = literal.filter { PersonName.normalized($0) == $0 }
        // A name listed for this key alone is the person's; one shared with other keys is a group.
        let own = people.filter { name in allowedSigners.entries.allSatisfy { $0.key == key || !$0.principals.matches(name) } }
        guard let first = own.first ?? people.first else {
            if lines.isEmpty { throw .refused("key \(key.fingerprint) is not in the allowed signers (or not valid now)") }
            throw .key("the allowed signers list no plain principal for key \(key.fingerprint): pass --as PRINCIPAL")
        }
        return first
    }

    /// The armored signature over the payload's canonical text.
    package static func sign(_ payload: ApprovalPayload, with signer: some SSHSigner) throws(ApprovalSigningError) -> String {
        do {
            try payload.validate()
        } catch {
            throw .refused(error.description)
        }
        do {
            return try SSHSignature.sign(message: Array(payload.canonicalText.utf8), namespace: ApprovalPayload.namespace, signer: signer)
                .armored
        } catch {
            throw .key("signing failed: \(error.description)")
        }
    }

    /// The fingerprint of the key an armored signature names (unverified: for display beside a stored decision).
    package static func fingerprint(armored: String) -> String? {
        (try? SSHSignature(armored: armored))?.publicKey.fingerprint
    }
}
