import Logging
import Reconcilers

extension Logger {
    /// Logs what a pass decided: the decision's phrase as the message, its names as metadata.
    func log(_ decision: PassDecision) {
        let level: Logger.Level = switch decision.level {
        case .debug: .debug
        case .info: .info
        case .notice: .notice
        }
        log(level: level, "\(decision.message)", metadata: decision.fields.mapValues { .string($0) })
    }
}
