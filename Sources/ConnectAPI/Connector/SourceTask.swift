/// A source task: the unit that actually copies data into Kafka, like Kafka's `SourceTask`.
///
/// Lifecycle: ``init()`` → ``start(_:context:)`` → repeated ``poll()`` (with ``commit()`` and
/// ``commitRecord(_:metadata:)`` as records are acknowledged and offsets flushed) → ``stop()``.
/// `poll` and the commit callbacks may run concurrently with each other; keep state in a `Mutex`.
public protocol SourceTask: AnyObject, Sendable {
    init()

    var version: String { get }

    /// Starts the task with its configuration (one entry of the connector's `taskConfigs`).
    func start(_ props: [String: String], context: any SourceTaskContext) async throws

    /// The next batch of records; may be empty. Implementations should wait a little when
    /// there is nothing to return instead of spinning, and must return promptly (with `[]`
    /// or by throwing `CancellationError`) when the calling Swift task is cancelled.
    /// Throwing ``RetriableError`` asks for another poll; any other error fails the task.
    func poll() async throws -> [SourceRecord]

    /// Called after the runtime flushed offsets for the records returned so far. Default: no-op.
    func commit() async throws

    /// Called for each record once it was written to Kafka (`metadata` set) or dropped by a
    /// transformation or tolerated error (`metadata` nil). Default: no-op.
    func commitRecord(_ record: SourceRecord, metadata: SourceRecordMetadata?) async throws

    /// The acknowledged records of one batch, in acknowledgement order: what the runtime calls.
    /// Default: ``commitRecord(_:metadata:)`` for each. Tasks that commit many small records
    /// (MirrorMaker) implement it to do their bookkeeping once per batch.
    func commitRecords(_ records: [AcknowledgedSourceRecord]) async throws

    /// Stops the task; called once, after the last `poll` returned. Release resources here.
    func stop() async
}

extension SourceTask {
    public func commit() async throws {}
    public func commitRecord(_ record: SourceRecord, metadata: SourceRecordMetadata?) async throws {}

    public func commitRecords(_ records: [AcknowledgedSourceRecord]) async throws {
        for acknowledged in records {
            try await commitRecord(acknowledged.record, metadata: acknowledged.metadata)
        }
    }
}

/// A record handed to ``SourceTask/commitRecords(_:)``: what the task returned from `poll`
/// and where it was written (`nil` when it was dropped instead).
public struct AcknowledgedSourceRecord: Sendable {
    public var record: SourceRecord
    public var metadata: SourceRecordMetadata?

    public init(record: SourceRecord, metadata: SourceRecordMetadata?) {
        self.record = record
        self.metadata = metadata
    }
}

/// What the runtime offers a source task (Kafka's `SourceTaskContext`).
public protocol SourceTaskContext: Sendable {
    /// The task's configuration.
    var configs: [String: String] { get }
    /// Reads the offsets committed for this connector, to resume where it left off.
    var offsetStorageReader: any OffsetStorageReader { get }
}

/// Reads committed source offsets of the connector (Kafka's `OffsetStorageReader`).
public protocol OffsetStorageReader: Sendable {
    /// The last committed offset of `partition`, or `nil` when there is none.
    func offset(for partition: SourcePartition) async throws -> SourceOffset?

    /// The last committed offsets of `partitions`; partitions without one are absent.
    func offsets(for partitions: [SourcePartition]) async throws -> [SourcePartition: SourceOffset]
}

extension OffsetStorageReader {
    public func offset(for partition: SourcePartition) async throws -> SourceOffset? {
        try await offsets(for: [partition])[partition]
    }
}
