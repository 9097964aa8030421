import Dispatch

/// Runs librdkafka calls that block (flush, commit, close, admin result waits, metadata
/// look-ups) on dispatch threads, so they never occupy Swift's cooperative thread pool.
enum BlockingExecutor {
    /// Runs `work` on `queue`, or on a queue of its own when none is given (calls that need no
    /// ordering among themselves). A serial queue per call, not one shared concurrent queue:
    /// on Linux, blocking work on a shared concurrent queue was measured to delay unrelated
    /// Swift tasks by seconds.
    static func run<T: Sendable>(
        on queue: DispatchQueue? = nil,
        _ work: @escaping @Sendable () throws -> T
    ) async throws -> T {
        let queue = queue ?? DispatchQueue(label: "swift-connect.kafka.blocking")
        return try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}

/// A C pointer handed between threads. Safe only where the owner documents why.
struct SendablePointer: @unchecked Sendable {
    let pointer: OpaquePointer
}
