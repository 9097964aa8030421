import Dispatch

/// Runs librdkafka calls that block (flush, commit, close, admin result waits, metadata
/// look-ups) on dispatch threads, so they never occupy Swift's cooperative thread pool.
enum BlockingExecutor {
    /// Shared by calls that need no ordering among themselves.
    static let shared = DispatchQueue(label: "swift-connect.kafka.blocking", attributes: .concurrent)

    static func run<T: Sendable>(
        on queue: DispatchQueue = shared,
        _ work: @escaping @Sendable () throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}

/// A C pointer handed between threads. Safe only where the owner documents why.
struct SendablePointer: @unchecked Sendable {
    let pointer: OpaquePointer
}
