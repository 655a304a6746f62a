import Foundation
import PDClient
import Reconcilers

/// Builds the provider a cluster's `spec.diagnosis` names.
package enum DiagnosisProviders {
    package static func make(_ config: DiagnosisConfig, budget: CallBudget, transport: any HTTPTransport = CurlTransport())
        throws(DiagnosisError) -> any DiagnosisProvider
    {
        let http = ModelHTTPClient(transport: transport, timeout: .nanoseconds(config.timeout.nanoseconds), budget: budget)
        switch config.provider {
        case .rules: return RulesProvider()
        case .anthropic: return try AnthropicProvider(config: config, http: http)
        case .openai: return try OpenAICompatibleProvider(config: config, http: http)
        }
    }
}
