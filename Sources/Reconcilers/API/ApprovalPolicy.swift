import PDWire

/// Who must approve a plan, per risk tier, and how an approval proves who gave it. 0 people makes a tier automatic.
public struct ApprovalPolicy: Codable, Sendable, Equatable, DefaultInitializable {
    @Default<TierPolicy> public var low: TierPolicy
    @Default<TierPolicy> public var medium: TierPolicy
    @Default<TierPolicy> public var high: TierPolicy
    /// An approval stops counting this long after it was given.
    @Default<Hours1> public var ttl: GoDuration
    /// Whether only approvals signed by a key in `allowedSigners` count (the default). `false` counts the names people
    /// type, which prove nothing: for a lab only, and `describe tikvcluster` says so.
    @Default<True> public var requireSignatures: Bool
    /// The keys whose signatures count and the principals each speaks for, in OpenSSH's allowed_signers format.
    public var allowedSigners: AllowedSignersSource?

    public init() {}
    public init(low: TierPolicy = .init(), medium: TierPolicy = .init(), high: TierPolicy = .init(), ttl: GoDuration = Hours1.defaultValue,
                requireSignatures: Bool = true, allowedSigners: AllowedSignersSource? = nil) {
        self.low = low
        self.medium = medium
        self.high = high
        self.ttl = ttl
        self.requireSignatures = requireSignatures
        self.allowedSigners = allowedSigners
    }
    public func tier(_ risk: RiskTier) -> TierPolicy {
        switch risk {
        case .low: low
        case .medium: medium
        case .high: high
        }
    }
    func validate(_ v: inout Validator) {
        v.nested("low") { low.validate(&$0) }
        v.nested("medium") { medium.validate(&$0) }
        v.nested("high") { high.validate(&$0) }
        v.duration("ttl", ttl, min: .minutes(1), max: .hours(24 * 30))
        if let allowedSigners { v.nested("allowedSigners") { allowedSigners.validate(&$0) } }
    }
}

/// Where the allowed signers are: a file (a mounted Secret or ConfigMap, one line per person) or lines in the spec.
/// Either way the format is OpenSSH's (`ssh-keygen(1)`, ALLOWED SIGNERS), so `ssh-keygen -Y verify` reads the same list.
public struct AllowedSignersSource: Codable, Sendable, Equatable {
    public var file: String?
    public var entries: [String]?

    public init(file: String? = nil, entries: [String]? = nil) {
        self.file = file
        self.entries = entries
    }

    func validate(_ v: inout Validator) {
        switch (file, entries) {
        case (nil, nil), (.some, .some): v.fail("file", "set exactly one of file or entries")
        case (.some(let path), nil) where path.isEmpty: v.fail("file", "must not be empty")
        default: break
        }
    }
}

public struct TierPolicy: Codable, Sendable, Equatable, DefaultInitializable {
    /// Distinct people who must approve; 0 means plans of this tier need no person.
    @Default<Int1> public var requiredApprovals: Int
    /// Whose approvals count for this tier: principal names or OpenSSH patterns (`*@sre.example.com`, `!intern-*`).
    /// A name may be a group: a principal the allowed-signers file lists beside a person's own on their key's line
    /// (`alice@example.com,seniors ssh-ed25519 …`). Empty: anyone whose approval counts at all.
    @Default<[String]> public var principals: [String]

    public init() {}
    public init(requiredApprovals: Int, principals: [String] = []) {
        self.requiredApprovals = requiredApprovals
        self.principals = principals
    }
    func validate(_ v: inout Validator) {
        v.range("requiredApprovals", requiredApprovals, 0...5)
        for (i, pattern) in principals.enumerated() where pattern.isEmpty || pattern.contains(where: { $0.isWhitespace || $0 == "," }) {
            v.fail("principals[\(i)]", "\"\(pattern)\" is not a principal pattern: no spaces or commas, not empty")
        }
    }
}
