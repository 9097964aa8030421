import Kafka
import Synchronization

/// Runs `operation`, failing with ``KafkaError/Code/timedOut`` if it has not finished after
/// `timeout` (no limit when `nil`). The operation is cancelled on timeout, so it must react
/// to cancellation; every wait in the stores does.
func withStoreTimeout<T: Sendable>(
    _ timeout: Duration?,
    _ what: @autoclosure () -> String,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    guard let timeout else { return try await operation() }
    let description = what()
    return try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw KafkaError(.timedOut, "\(description) did not complete within \(timeout.storeDescription)", isRetriable: true)
        }
        defer { group.cancelAll() }
        // The first child to finish decides; the other is cancelled and awaited by the group.
        guard let result = try await group.next() else { throw CancellationError() }
        return result
    }
}

/// The time left until `deadline` (zero once it has passed), or `nil` when there is none.
func storeTimeRemaining(until deadline: ContinuousClock.Instant?) -> Duration? {
    deadline.map { max(.zero, $0 - .now) }
}

extension Duration {
    /// `1500 ms`, `30 s`: how timeouts appear in store error messages.
    var storeDescription: String {
        let (seconds, attoseconds) = components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }
}

/// Collects the delivery results of records queued in order with the callback API and lets
/// one caller await them all. Waiting reacts to cancellation (the records themselves stay
/// queued and their late results are ignored), so a timeout around it works.
final class DeliveryBatch: Sendable {
    private struct State {
        var results: [RecordMetadata?]
        var remaining: Int
        var failure: (any Error)?
        var continuation: CheckedContinuation<[RecordMetadata], any Error>?
        var finished = false
    }

    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(results: Array(repeating: nil, count: count), remaining: count))
    }

    /// Records the result of the record at `index`.
    func complete(_ index: Int, _ result: Result<RecordMetadata, KafkaError>) {
        let resume: (CheckedContinuation<[RecordMetadata], any Error>, Result<[RecordMetadata], any Error>)? = state.withLock { state in
            guard !state.finished else { return nil }
            switch result {
            case .success(let metadata):
                state.results[index] = metadata
                state.remaining -= 1
            case .failure(let error):
                // The first failure wins, as in Apache's SetCallbackFuture.
                if state.failure == nil { state.failure = error }
                state.remaining = 0
            }
            return Self.finishIfDone(&state)
        }
        if let (continuation, outcome) = resume { continuation.resume(with: outcome) }
    }

    /// Fails the batch before all records could be queued (nothing more will complete it).
    func abandon(_ error: any Error) {
        let resume = state.withLock { state -> (CheckedContinuation<[RecordMetadata], any Error>, Result<[RecordMetadata], any Error>)? in
            guard !state.finished else { return nil }
            if state.failure == nil { state.failure = error }
            state.remaining = 0
            return Self.finishIfDone(&state)
        }
        if let (continuation, outcome) = resume { continuation.resume(with: outcome) }
    }

    /// Waits for every record's acknowledgement; throws the first delivery error.
    func wait() async throws -> [RecordMetadata] {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[RecordMetadata], any Error>) in
                let resume = state.withLock { state -> Result<[RecordMetadata], any Error>? in
                    if Task.isCancelled {
                        state.finished = true
                        return .failure(CancellationError())
                    }
                    state.continuation = continuation
                    return Self.finishIfDone(&state)?.1
                }
                if let resume { continuation.resume(with: resume) }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<[RecordMetadata], any Error>? in
                guard !state.finished else { return nil }
                state.finished = true
                defer { state.continuation = nil }
                return state.continuation
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    private static func finishIfDone(_ state: inout State) -> (CheckedContinuation<[RecordMetadata], any Error>, Result<[RecordMetadata], any Error>)? {
        guard state.remaining <= 0, let continuation = state.continuation, !state.finished else { return nil }
        state.finished = true
        state.continuation = nil
        if let failure = state.failure { return (continuation, .failure(failure)) }
        return (continuation, .success(state.results.compactMap { $0 }))
    }
}
