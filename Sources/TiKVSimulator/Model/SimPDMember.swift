/// A PD member as `/members` and `/health` show it.
public struct SimPDMember: Sendable {
    public var name: String
    public var memberId: UInt64
    public var peerURLs: [String]
    public var clientURLs: [String]
    public var deployPath = "/"
    public var binaryVersion = "v8.5.1"
    public var gitHash = "d6f6e47e9d1c2cbfd2b3e0a8a1b7c1c3d4e5f6a7"
    public var healthy = true
    /// The PD process runs and its listener accepts connections (false while a `pd-member-down` fault holds).
    public var up = true
    public init(name: String, memberId: UInt64, peerURLs: [String], clientURLs: [String]) {
        self.name = name
        self.memberId = memberId
        self.peerURLs = peerURLs
        self.clientURLs = clientURLs
    }
}
