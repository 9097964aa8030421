/// A sink task: receives records consumed from Kafka and writes them out, like Kafka's
/// `SinkTask`.
///
/// Lifecycle: ``init()`` → ``start(_:context:)`` → ``open(_:)`` for assigned partitions →
/// repeated ``put(_:)`` with periodic ``preCommit(_:)`` → ``close(_:)`` on revocation →
/// ``stop()``. Calls on one task never overlap.
public protocol SinkTask: AnyObject, Sendable {
    init()

    var version: String { get }

    /// Starts the task with its configuration (one entry of the connector's `taskConfigs`).
    func start(_ props: [String: String], context: any SinkTaskContext) async throws

    /// Writes (or buffers) `records`; may be empty. Throwing ``RetriableError`` makes the
    /// runtime pause consumption and redeliver the same batch; any other error fails the task.
    func put(_ records: [SinkRecord]) async throws

    /// Makes everything `put` so far durable up to `currentOffsets` (the next offsets to
    /// consume per partition). Default: no-op.
    func flush(_ currentOffsets: [SinkTopicPartition: Int64]) async throws

    /// Before offsets are committed: returns the offsets that are safe to commit (next offset
    /// to consume per partition; omit a partition to skip committing it). Default: calls
    /// ``flush(_:)`` and returns `currentOffsets`.
    func preCommit(_ currentOffsets: [SinkTopicPartition: Int64]) async throws -> [SinkTopicPartition: Int64]

    /// Partitions newly assigned to this task. Default: no-op.
    func open(_ partitions: [SinkTopicPartition]) async throws

    /// Partitions taken away from this task; drop their buffered state. Default: no-op.
    func close(_ partitions: [SinkTopicPartition]) async throws

    /// Stops the task; called once. Release resources here.
    func stop() async
}

extension SinkTask {
    public func flush(_ currentOffsets: [SinkTopicPartition: Int64]) async throws {}

    public func preCommit(_ currentOffsets: [SinkTopicPartition: Int64]) async throws -> [SinkTopicPartition: Int64] {
        try await flush(currentOffsets)
        return currentOffsets
    }

    public func open(_ partitions: [SinkTopicPartition]) async throws {}
    public func close(_ partitions: [SinkTopicPartition]) async throws {}
}

/// What the runtime offers a sink task (Kafka's `SinkTaskContext`).
public protocol SinkTaskContext: Sendable {
    /// The task's configuration.
    var configs: [String: String] { get }

    /// The partitions currently assigned to the task.
    var assignment: Set<SinkTopicPartition> { get }

    /// Asks the runtime to commit offsets (after `preCommit`) soon, rather than waiting for
    /// `offset.flush.interval.ms`.
    func requestCommit()

    /// Rewinds (or skips) consumption: the next records delivered for each partition start at
    /// the given offset.
    func offset(_ offsets: [SinkTopicPartition: Int64])

    /// After a ``RetriableError`` from `put`, waits this many milliseconds before redelivering.
    func timeout(_ milliseconds: Int64)

    /// Stops delivering records from `partitions` until ``resume(_:)``.
    func pause(_ partitions: [SinkTopicPartition])

    /// Resumes delivering records from paused `partitions`.
    func resume(_ partitions: [SinkTopicPartition])
}
