import Dispatch
import Synchronization

/// Wakes one waiting task from any thread. A notification with nobody waiting is kept, so
/// the next ``wait(timeout:)`` returns at once (several notifications collapse into one).
/// Package-wide: the group member's run loop and the internal-topic readers use it.
package final class AsyncWakeUp: Sendable {
    private struct State {
        var pending = false
        var waiter: (id: UInt64, continuation: CheckedContinuation<Void, Never>)?
        var nextId: UInt64 = 0
    }
    private let state = Mutex(State())

    package init() {}

    package func notify() {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter.continuation
        }
        continuation?.resume()
    }

    /// Returns when notified, after `timeout` (nil: no limit), or when the task is cancelled.
    /// Only one task may wait at a time.
    package func wait(timeout: Duration?) async {
        let id = state.withLock { state in
            state.nextId += 1
            return state.nextId
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    state.waiter = (id, continuation)
                    return false
                }
                if resumeNow {
                    continuation.resume()
                } else if let timeout {
                    let nanoseconds = max(0, timeout.milliseconds) * 1_000_000
                    DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { [self] in
                        self.resume(id)
                    }
                }
            }
        } onCancel: {
            self.resume(id)
        }
    }

    private func resume(_ id: UInt64) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter, waiter.id == id else { return nil }
            state.waiter = nil
            return waiter.continuation
        }
        continuation?.resume()
    }
}

/// Retry pauses: `base`, doubling per consecutive failure up to `max`, with ±20 % jitter
/// so members of one group do not retry in lockstep.
struct ExponentialBackoff: Sendable {
    let base: Duration
    let max: Duration
    private var failures = 0

    init(base: Duration, max: Duration) {
        self.base = base
        self.max = max
    }

    mutating func next() -> Duration {
        defer { failures = Swift.min(failures + 1, 30) }
        var pause = base
        for _ in 0..<failures where pause < max { pause *= 2 }
        pause = Swift.min(pause, max)
        return pause * Double.random(in: 0.8...1.2)
    }

    mutating func reset() { failures = 0 }
}
