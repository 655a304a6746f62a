import PDWire

public enum DiagnosisProvider: String, Codable, Sendable, CaseIterable, SpecEnum, DefaultValue {
    /// Deterministic rules engine, offline. The default.
    case rules
    /// Anthropic's Messages API.
    case anthropic
    /// Any OpenAI-compatible chat-completions endpoint (e.g. a local model).
    case openai

    public static var defaultValue: DiagnosisProvider { .rules }
}

/// The diagnosis engine and how often it may be called.
public struct DiagnosisConfig: Codable, Sendable, Equatable, DefaultInitializable {
    @Default<DiagnosisProvider> public var provider: DiagnosisProvider
    /// Model name; empty means the provider's default.
    @Default<String> public var model: String
    /// Base URL; empty means the provider's default (Anthropic's public API). Required for `openai`.
    @Default<String> public var endpoint: String
    public var apiKey: SecretSource?
    @Default<Int30> public var maxCallsPerHour: Int
    @Default<Minutes1> public var timeout: GoDuration
    /// Whether a model's validated suggested actions become a plan of origin `ai` for its ticket (which only a person's
    /// signed approval lets run). Ignored for `rules`: the playbooks are the rules' plans.
    @Default<True> public var proposePlans: Bool

    public init() {}
    public init(provider: DiagnosisProvider = DiagnosisProvider.defaultValue, model: String = "", endpoint: String = "",
                apiKey: SecretSource? = nil, maxCallsPerHour: Int = Int30.defaultValue, timeout: GoDuration = Minutes1.defaultValue,
                proposePlans: Bool = True.defaultValue) {
        self.proposePlans = proposePlans
        self.provider = provider
        self.model = model
        self.endpoint = endpoint
        self.apiKey = apiKey
        self.maxCallsPerHour = maxCallsPerHour
        self.timeout = timeout
    }
    /// Whether the planners turn a model's suggestions into `ai` plans.
    public var proposesPlans: Bool { provider != .rules && proposePlans }

    func validate(_ v: inout Validator) {
        if !endpoint.isEmpty { v.url("endpoint", endpoint) }
        if provider == .openai && endpoint.isEmpty { v.fail("endpoint", "is required for provider openai (the base URL of the chat-completions API)") }
        if provider != .rules {
            if apiKey == nil && provider == .anthropic { v.fail("apiKey", "is required for provider anthropic: set env or file") }
        }
        if let apiKey {
            if (apiKey.env == nil) == (apiKey.file == nil) { v.fail("apiKey", "set exactly one of env or file") }
        }
        v.range("maxCallsPerHour", maxCallsPerHour, 0...10_000)
        v.duration("timeout", timeout, min: .seconds(1), max: .minutes(10))
    }
}
