/// Where a secret comes from; the value itself never appears in a spec, a log or the store.
public struct SecretSource: Codable, Sendable, Equatable {
    public var env: String?
    public var file: String?
    public init(env: String? = nil, file: String? = nil) {
        self.env = env
        self.file = file
    }
}
