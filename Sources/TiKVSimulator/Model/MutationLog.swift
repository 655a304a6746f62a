/// Every PD API request that could change the cluster (any method but GET), with PD's answer: what
/// tests read to prove that a dry run sent nothing and that no step was ever sent twice.
public struct MutationRecord: Sendable, Hashable {
    public var atNanos: Int64
    public var method: String
    public var path: String
    public var query: String
    public var body: String
    public var status: Int

    /// Accepted by PD (2xx): the mutation took effect.
    public var accepted: Bool { (200..<300).contains(status) }
}
