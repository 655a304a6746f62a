import Foundation

/// A work queue keyed by object, shaped like client-go's rate-limiting queue:
/// - a key is queued at most once however often it is added (`dirty`);
/// - a key being processed is never handed out twice: adds during processing are kept and the key
///   is queued again when `done` is called, so there is one pass per key at a time;
/// - `addAfter` delays an add (a resync or a step timer), keeping only the earliest deadline per key;
/// - `addRateLimited` backs off per key exponentially (base · 2^failures, capped) until `forget`.
package actor WorkQueue<Key: Hashable & Sendable> {
    private var queue: [Key] = []
    private var dirty: Set<Key> = []
    private var processing: Set<Key> = []
    private var waiters: [CheckedContinuation<Key?, Never>] = []
    private var timers: [Key: (deadline: ContinuousClock.Instant, task: Task<Void, Never>)] = [:]
    private var failures: [Key: Int] = [:]
    private var shuttingDown = false
    private let backoffBase: Duration
    private let backoffCap: Duration

    init(backoffBase: Duration = .seconds(1), backoffCap: Duration = .seconds(300)) {
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
    }

    /// Keys waiting to be handed out (not those being processed or waiting on a timer).
    package var depth: Int { queue.count }

    func add(_ key: Key) {
        guard !shuttingDown, !dirty.contains(key) else { return }
        dirty.insert(key)
        guard !processing.contains(key) else { return }
        handOut(key)
    }

    /// Adds the key after `delay`; an earlier pending deadline for the same key wins.
    func addAfter(_ key: Key, _ delay: Duration) {
        guard !shuttingDown else { return }
        guard delay > .zero else { return add(key) }
        let deadline = ContinuousClock.now + delay
        if let existing = timers[key], existing.deadline <= deadline { return }
        timers[key]?.task.cancel()
        let task = Task { [weak self] in
            do { try await Task.sleep(until: deadline, clock: .continuous) } catch { return }
            await self?.fire(key, deadline: deadline)
        }
        timers[key] = (deadline, task)
    }

    private func fire(_ key: Key, deadline: ContinuousClock.Instant) {
        guard timers[key]?.deadline == deadline else { return }
        timers[key] = nil
        add(key)
    }

    /// Records a failure for the key and adds it after its backoff; returns the delay chosen.
    @discardableResult
    func addRateLimited(_ key: Key) -> Duration {
        let n = failures[key, default: 0]
        failures[key] = n + 1
        // Not PDClient's `RetryBackoff`: the manager's library links no PD code.
        let delay = min(backoffBase * (1 << min(n, 30)), backoffCap)
        addAfter(key, delay)
        return delay
    }

    /// Clears the key's failure count after a pass that succeeded.
    func forget(_ key: Key) { failures[key] = nil }

    func failureCount(_ key: Key) -> Int { failures[key, default: 0] }

    /// The next key to process, waiting until there is one; nil once the queue is shut down.
    func get() async -> Key? {
        if shuttingDown { return nil }
        if !queue.isEmpty {
            let key = queue.removeFirst()
            dirty.remove(key)
            processing.insert(key)
            return key
        }
        return await withCheckedContinuation { waiters.append($0) }
    }

    /// A dirty key to a waiting worker at once, or to the back of the queue.
    private func handOut(_ key: Key) {
        if !waiters.isEmpty {
            dirty.remove(key)
            processing.insert(key)
            waiters.removeFirst().resume(returning: key)
        } else {
            queue.append(key)
        }
    }

    /// Marks the key's pass finished; a key added meanwhile is queued again.
    func done(_ key: Key) {
        processing.remove(key)
        if dirty.contains(key) { handOut(key) }
    }

    /// Stops handing out keys: waiting `get` calls return nil and timers are cancelled.
    func shutDown() {
        shuttingDown = true
        for (_, t) in timers { t.task.cancel() }
        timers.removeAll()
        queue.removeAll()
        dirty.removeAll()
        let w = waiters
        waiters.removeAll()
        for c in w { c.resume(returning: nil) }
    }
}
