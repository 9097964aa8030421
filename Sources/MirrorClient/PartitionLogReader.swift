import Kafka
import KafkaProtocol
import Logging
import Synchronization

/// Reads one topic partition from its beginning, in rounds that each stop at the partition's
/// end offset at the time of the call: how MirrorMaker 2 reads its single-partition internal
/// topics (checkpoints, offset syncs), like Apache's `KafkaBasedLog` reading to end.
///
/// Uses an assign-only consumer (no group, nothing committed), assigned only during a call so
/// that it does not fetch while nobody reads (brokers without long polls would answer it
/// continuously).
/// Calls must not overlap.
public final class PartitionLogReader: Sendable {
    public let partition: TopicPartition
    private let consumer: KafkaConsumer
    private let logger: Logger
    /// The offset after the last record handed out (or skipped); `nil` until assigned.
    private let position = Mutex<Int64?>(nil)

    /// - Parameter consumerProperties: Java consumer properties (`bootstrap.servers`, security
    ///   settings, ...); `group.id` is ignored.
    /// - Throws: ``KafkaError/Code/configuration`` for invalid properties.
    public init(partition: TopicPartition, consumerProperties: [String: String], logger: Logger) throws {
        self.partition = partition
        self.logger = logger
        var properties = consumerProperties
        properties["group.id"] = nil
        properties["enable.auto.commit"] = "false"
        consumer = try KafkaConsumer(configuration: KafkaConfiguration(properties), logger: logger)
    }

    /// What one ``readToEnd(timeout:)`` call read.
    public struct Batch: Sendable {
        /// The records after those of earlier calls, in offset order.
        public var records: [ConsumerRecord]
        /// Whether the partition's end offset (as of the call) was reached within the timeout;
        /// when `false`, the next call continues after the last record returned here.
        public var reachedEnd: Bool
    }

    /// Every record after those returned by earlier calls, up to the partition's end offset as of
    /// this call (later records may be included too), or what could be read within `timeout`.
    ///
    /// - Throws: ``KafkaError`` when the topic does not exist (code
    ///   ``KafkaError/Code/unknownTopicOrPartition``) or the end offset cannot be read;
    ///   `CancellationError` when the calling task is cancelled.
    public func readToEnd(timeout: Duration) async throws -> Batch {
        let deadline = ContinuousClock.now + timeout
        let (low, high) = try await consumer.watermarks(partition, timeout: timeout)
        var next = position.withLock { $0 } ?? low
        guard next < high else {
            position.withLock { $0 = next }
            return Batch(records: [], reachedEnd: true)
        }
        // Assigned only while reading, at the offset this reader has reached (explicit: pausing
        // or resolving "beginning" was not reliable with librdkafka 2.0).
        try await consumer.assign([partition: .offset(next)])
        var records: [ConsumerRecord] = []
        do {
            while next < high {
                try Task.checkCancellation()
                guard ContinuousClock.now < deadline else {
                    logger.debug("Partition end not reached in time", metadata: [
                        "partition": "\(partition)", "end": "\(high)", "position": "\(next)",
                    ])
                    try await consumer.assign([:])
                    return Batch(records: records, reachedEnd: false)
                }
                // A batch poll waits its whole timeout unless the batch fills up: wait for one
                // record, then take whatever else has arrived.
                var batch = try await consumer.poll(timeout: .milliseconds(100), maxRecords: 1)
                if !batch.isEmpty { batch += try await consumer.poll(timeout: .zero) }
                for record in batch where record.topicPartition == partition && record.offset >= next {
                    records.append(record)
                    next = record.offset + 1
                }
                // The position also moves past offsets holding no record (transaction markers).
                if let consumed = try await consumer.position([partition])[partition], consumed > next {
                    next = consumed
                }
                let reached = next
                position.withLock { $0 = reached }
            }
        } catch {
            try? await consumer.assign([:])
            throw error
        }
        try await consumer.assign([:])
        logger.trace("Read partition to end", metadata: ["partition": "\(partition)", "records": "\(records.count)", "end": "\(high)"])
        return Batch(records: records, reachedEnd: true)
    }

    /// Releases the consumer.
    public func close() async {
        await consumer.close()
    }
}
