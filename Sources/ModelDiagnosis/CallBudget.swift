import Foundation
import Synchronization

/// At most `perHour` model calls in any sliding hour, shared by every diagnosis of one cluster.
package final class CallBudget: Sendable {
    let perHour: Int
    private let calls = Mutex<[Date]>([])

    package init(perHour: Int) { self.perHour = perHour }

    /// Takes one call from the budget at `now`, or says there is none left.
    func take(now: Date) -> Bool {
        calls.withLock { calls in
            calls.removeAll { now.timeIntervalSince($0) >= 3600 }
            guard calls.count < perHour else { return false }
            calls.append(now)
            return true
        }
    }
}
