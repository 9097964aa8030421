import ConnectAPI
import Kafka
import Logging
import Synchronization

/// Buffers the source offsets of one connector's task and writes them to an
/// ``OffsetBackingStore`` in flushes, like Apache's `OffsetStorageWriter`.
///
/// A flush is two steps: ``beginFlush()`` takes a snapshot of the buffered offsets (offsets
/// recorded afterwards go to a fresh buffer), then ``doFlush(timeout:)`` writes the snapshot.
/// If the write fails or times out, or ``cancelFlush()`` is called in between, the snapshot
/// goes back into the buffer, under any newer offset for the same partition, so the next
/// flush writes it again. Only one flush runs at a time.
public final class OffsetStorageWriter: Sendable {
    private struct State {
        var data: [OffsetMap: OffsetMap?] = [:]
        /// The snapshot being flushed; `nil` when no flush is in progress.
        var toFlush: [OffsetMap: OffsetMap?]?
        /// Identifies the current flush, so a late result of a cancelled one is ignored.
        var currentFlushId = 0
        var releaseWaiters: [Int: CheckedContinuation<Void, any Error>] = [:]
        var nextWaiter = 0
    }

    /// The connector whose offsets these are (the first element of every offsets-topic key).
    public let namespace: String
    private let store: any OffsetBackingStore
    private let state = Mutex(State())
    private let logger: Logger

    public init(store: any OffsetBackingStore, namespace: String, logger: Logger) {
        self.store = store
        self.namespace = namespace
        var logger = logger
        logger[metadataKey: "connect.connector"] = "\(namespace)"
        self.logger = logger
    }

    /// Records the latest offset of a source partition; `nil` deletes the partition's offset
    /// when flushed.
    public func offset(partition: OffsetMap, offset: OffsetMap?) {
        state.withLock { $0.data[partition] = .some(offset) }
    }

    /// Whether a flush is in progress (between ``beginFlush()`` and the end of ``doFlush(timeout:)``).
    public var isFlushing: Bool { state.withLock { $0.toFlush != nil } }

    /// Offsets recorded and not yet part of a flush.
    public var pendingCount: Int { state.withLock { $0.data.count } }

    /// Takes the snapshot to flush. Returns `false` (and starts nothing) when no offsets are
    /// buffered; after `true` the caller must call ``doFlush(timeout:)`` or ``cancelFlush()``.
    ///
    /// - Throws: ``KafkaError`` with code `invalidArgument` if a flush is already in progress.
    public func beginFlush() throws -> Bool {
        try state.withLock { state throws(KafkaError) in
            guard state.toFlush == nil else {
                throw KafkaError(.invalidArgument, "the offset writer of connector '\(namespace)' is already flushing")
            }
            return Self.snapshot(&state)
        }
    }

    /// ``beginFlush()``, first waiting up to `timeout` for a flush in progress to finish.
    ///
    /// - Throws: ``KafkaError`` with code `timedOut` if the previous flush is still running.
    public func beginFlush(timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            let started = state.withLock { state -> Bool? in state.toFlush == nil ? Self.snapshot(&state) : nil }
            if let started { return started }
            let what = "waiting for the previous offset flush of connector '\(namespace)'"
            try await withStoreTimeout(storeTimeRemaining(until: deadline), what) { [self] in try await waitForRelease() }
        }
    }

    /// Writes the snapshot taken by ``beginFlush()`` and waits for the acknowledgements.
    ///
    /// - Throws: the write error, or ``KafkaError`` with code `timedOut` after `timeout`; the
    ///   snapshot is back in the buffer then. Also `invalidArgument` if no flush was begun.
    public func doFlush(timeout: Duration? = nil) async throws {
        let (flushId, snapshot) = try state.withLock { state throws(KafkaError) in
            guard let toFlush = state.toFlush else {
                throw KafkaError(.invalidArgument, "no offset flush of connector '\(namespace)' was begun")
            }
            return (state.currentFlushId, toFlush)
        }
        let entries = snapshot.map { (key: OffsetRecordKey(connector: namespace, partition: $0.key), value: $0.value) }
        logger.debug("Submitting offsets to the backing store", metadata: ["connect.offsets.count": "\(entries.count)"])
        let store = self.store
        do {
            try await withStoreTimeout(timeout, "flushing \(entries.count) offsets of connector '\(namespace)'") {
                try await store.set(entries)
            }
        } catch {
            logger.error("Failed to flush offsets; they will be written again by the next flush", metadata: ["connect.error": "\(error)"])
            finish(flushId, succeeded: false)
            throw error
        }
        finish(flushId, succeeded: true)
    }

    /// Abandons a begun flush; its snapshot goes back into the buffer. Does nothing when no
    /// flush is in progress.
    public func cancelFlush() {
        let waiters = state.withLock { state in Self.cancel(&state) }
        for waiter in waiters { waiter.resume() }
    }

    private func finish(_ flushId: Int, succeeded: Bool) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            // A flush that was cancelled (e.g. timed out) and replaced must not touch the state.
            guard flushId == state.currentFlushId, state.toFlush != nil else { return [] }
            guard succeeded else { return Self.cancel(&state) }
            state.currentFlushId += 1
            state.toFlush = nil
            return Self.takeWaiters(&state)
        }
        for waiter in waiters { waiter.resume() }
    }

    private static func snapshot(_ state: inout State) -> Bool {
        guard !state.data.isEmpty else { return false }
        state.toFlush = state.data
        state.data = [:]
        return true
    }

    private static func cancel(_ state: inout State) -> [CheckedContinuation<Void, any Error>] {
        guard var restored = state.toFlush else { return [] }
        // Offsets recorded since the snapshot are newer and win.
        restored.merge(state.data) { _, newer in newer }
        state.data = restored
        state.toFlush = nil
        state.currentFlushId += 1
        return takeWaiters(&state)
    }

    private static func takeWaiters(_ state: inout State) -> [CheckedContinuation<Void, any Error>] {
        defer { state.releaseWaiters = [:] }
        return Array(state.releaseWaiters.values)
    }

    /// Waits until the flush in progress ends (returns at once if none is).
    private func waitForRelease() async throws {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { state -> Result<Void, any Error>? in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if state.toFlush == nil { return .success(()) }
                    state.releaseWaiters[id] = continuation
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.releaseWaiters.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
