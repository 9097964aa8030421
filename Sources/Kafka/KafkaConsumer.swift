import CRdKafka
import Foundation
import Dispatch
import Logging
import Synchronization

/// Where to start reading a partition.
public enum KafkaOffset: Hashable, Sendable {
    /// The oldest record still in the log.
    case beginning
    /// The next record to be written.
    case end
    /// The group's committed offset (falling back to `auto.offset.reset`).
    case committed
    /// An exact offset.
    case offset(Int64)

    var rdKafkaValue: Int64 {
        switch self {
        case .beginning: Int64(RD_KAFKA_OFFSET_BEGINNING)
        case .end: Int64(RD_KAFKA_OFFSET_END)
        case .committed: Int64(RD_KAFKA_OFFSET_STORED)
        case let .offset(offset): offset
        }
    }
}

/// A committed consumer-group offset: the next offset the group will read, plus its metadata.
public struct OffsetAndMetadata: Hashable, Sendable {
    public var offset: Int64
    public var metadata: String

    public init(offset: Int64, metadata: String = "") {
        self.offset = offset
        self.metadata = metadata
    }
}

/// A Kafka consumer, used two ways: manual ``assign(_:)`` and ``seek(_:to:timeout:)`` (source
/// tasks), or ``subscribe(topics:)`` with a consumer group and ``commit(_:)`` (stores, tests).
///
/// Every librdkafka call that can block runs on this consumer's own serial dispatch queue,
/// like Java's one thread per consumer; `poll` takes records already fetched on the caller's
/// thread (a call that does not wait) and waits on that queue only when there are none, so it
/// never occupies the cooperative pool.
/// Without `group.id` a consumer can only assign partitions; it cannot commit or subscribe.
public final class KafkaConsumer: Sendable {
    public let configuration: KafkaConfiguration
    let client: RDKafkaClient
    private let queue: DispatchQueue
    private let hasGroup: Bool
    /// An error read from the consumer queue after records of the same batch; thrown by the
    /// next `poll` so that no record is lost behind it.
    private let pendingError = Mutex<KafkaError?>(nil)

    /// - Throws: ``KafkaError/Code/configuration`` for unknown, unsupported or invalid properties.
    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "kafka.consumer")) throws {
        self.configuration = configuration
        hasGroup = configuration["group.id"] != nil
        var effective = configuration
        if !hasGroup {
            // librdkafka needs a group id even for assign-only use; it is never joined or
            // committed to, because subscribe and commit refuse to run without a real one.
            effective["group.id"] = "swift-connect-assign-only"
            effective["enable.auto.commit"] = "false"
            effective["enable.auto.offset.store"] = "false"
        }
        client = try RDKafkaClient(
            kind: .consumer, configuration: effective, logger: logger,
            drainOnDrop: { rk in rd_kafka_consumer_close(rk) }
        )
        queue = DispatchQueue(label: "swift-connect.kafka.consumer")
    }

    // MARK: Group use

    /// Joins the consumer group and subscribes to `topics`; partitions are assigned as the
    /// group rebalances, while `poll` is called.
    public func subscribe(topics: [String]) async throws {
        try requireGroup("subscribe")
        try await onQueue { rk in
            let list = RDKafkaTopicPartitionList(capacity: topics.count)
            for topic in topics { list.add(TopicPartition(topic: topic, partition: RD_KAFKA_PARTITION_UA), offset: 0) }
            let err = rd_kafka_subscribe(rk, list.pointer)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.rdKafka(err, "subscribe to \(topics)") }
        }
    }

    /// Commits `offsets` (the next offset to read per partition) for the group, synchronously.
    public func commit(_ offsets: [TopicPartition: OffsetAndMetadata]) async throws {
        try requireGroup("commit")
        try await onQueue { rk in
            let list = RDKafkaTopicPartitionList(capacity: offsets.count)
            for (partition, committed) in offsets.sorted(by: { $0.key < $1.key }) {
                list.add(partition, offset: committed.offset)
                try Self.setMetadata(committed.metadata, on: list, partition: partition)
            }
            let err = rd_kafka_commit(rk, list.pointer, 0)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.rdKafka(err, "commit offsets") }
            for entry in list.entries { try entry.check("commit") }
        }
    }

    /// The group's committed offsets for `partitions` (absent when none is committed).
    public func committed(_ partitions: [TopicPartition], timeout: Duration? = nil) async throws -> [TopicPartition: OffsetAndMetadata] {
        try requireGroup("read committed offsets")
        let timeout = timeout ?? client.settings.defaultAPITimeout
        return try await onQueue { [client] rk in
            let list = RDKafkaTopicPartitionList(partitions)
            let err = rd_kafka_committed(rk, list.pointer, timeout.rdKafkaMilliseconds)
            if err == RD_KAFKA_RESP_ERR__TIMED_OUT { throw client.callbacks.timeoutError("read committed offsets", after: timeout) }
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.rdKafka(err, "read committed offsets") }
            var result: [TopicPartition: OffsetAndMetadata] = [:]
            for entry in list.entries where entry.offset >= 0 {
                try entry.check("read committed offset")
                result[entry.topicPartition] = OffsetAndMetadata(offset: entry.offset, metadata: entry.metadata)
            }
            return result
        }
    }

    // MARK: Manual assignment

    /// Replaces the assignment: reads `partitions`, each from its start position.
    public func assign(_ partitions: [TopicPartition: KafkaOffset]) async throws {
        try await onQueue { rk in
            let list = RDKafkaTopicPartitionList(partitions.mapValues(\.rdKafkaValue))
            let err = rd_kafka_assign(rk, list.pointer)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.rdKafka(err, "assign partitions") }
        }
    }

    /// The partitions currently assigned (manually or by the group).
    public func assignment() async throws -> [TopicPartition] {
        try await onQueue { rk in
            var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
            let err = rd_kafka_assignment(rk, &list)
            defer { if let list { rd_kafka_topic_partition_list_destroy(list) } }
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.rdKafka(err, "read assignment") }
            return RDKafkaTopicPartitionList.entries(of: list).map(\.topicPartition).sorted()
        }
    }

    /// Moves the fetch position of an assigned partition.
    public func seek(_ partition: TopicPartition, to offset: KafkaOffset, timeout: Duration? = nil) async throws {
        let ms = Self.seekTimeoutArgument(timeout ?? client.settings.defaultAPITimeout, libraryVersion: rd_kafka_version())
        try await onQueue { rk in
            let list = RDKafkaTopicPartitionList([partition: offset.rdKafkaValue])
            try KafkaError.check(rd_kafka_seek_partitions(rk, list.pointer, ms), "seek \(partition)")
            for entry in list.entries { try entry.check("seek") }
        }
    }

    /// The `timeout_ms` to give `rd_kafka_seek_partitions` for waiting `timeout`. librdkafka
    /// before 2.1.0 (Debian 12 ships 2.0.2) waited a thousandth of it (librdkafka #4230), so
    /// a seek on a busy machine failed after 15 ms instead of 15 s; those versions get the
    /// value a thousand times larger, which they wait as `timeout`.
    static func seekTimeoutArgument(_ timeout: Duration, libraryVersion: Int32) -> Int32 {
        let ms = timeout.rdKafkaMilliseconds
        guard libraryVersion < 0x0201_0000 else { return ms }
        return Int32(clamping: Int64(ms) * 1000)
    }

    /// The offset of the next record `poll` returns per partition, if known yet.
    public func position(_ partitions: [TopicPartition]) async throws -> [TopicPartition: Int64] {
        try await onQueue { rk in
            let list = RDKafkaTopicPartitionList(partitions)
            let err = rd_kafka_position(rk, list.pointer)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.rdKafka(err, "read positions") }
            var result: [TopicPartition: Int64] = [:]
            for entry in list.entries where entry.offset >= 0 { result[entry.topicPartition] = entry.offset }
            return result
        }
    }

    /// Stops fetching `partitions` until ``resume(_:)``; positions are kept.
    public func pause(_ partitions: [TopicPartition]) throws {
        try client.withHandle { rk in
            let list = RDKafkaTopicPartitionList(partitions)
            let err = rd_kafka_pause_partitions(rk, list.pointer)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.rdKafka(err, "pause partitions") }
            for entry in list.entries { try entry.check("pause") }
        }
    }

    public func resume(_ partitions: [TopicPartition]) throws {
        try client.withHandle { rk in
            let list = RDKafkaTopicPartitionList(partitions)
            let err = rd_kafka_resume_partitions(rk, list.pointer)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.rdKafka(err, "resume partitions") }
            for entry in list.entries { try entry.check("resume") }
        }
    }

    // MARK: Reading

    /// Returns the records available within `timeout` (at most `maxRecords`, default
    /// `max.poll.records`), possibly none.
    ///
    /// - Throws: a partition-level error from the brokers (unknown topic, offset out of range
    ///   with `auto.offset.reset=none`, authorization); records read before it in the same
    ///   batch are returned first and the error is thrown by the next call.
    public func poll(timeout: Duration = .milliseconds(100), maxRecords: Int? = nil) async throws -> [ConsumerRecord] {
        try await pollBatch(timeout: timeout, maxRecords: maxRecords).records()
    }

    /// ``poll(timeout:maxRecords:)`` without copying the records out of librdkafka: for a copy
    /// loop that produces them again (``KafkaProducer/send(copiesOf:_:to:firstTag:headerValues:)``).
    public func pollBatch(timeout: Duration = .milliseconds(100), maxRecords: Int? = nil) async throws -> ConsumedBatch {
        if let error = pendingError.withLock({ error in defer { error = nil }; return error }) { throw error }
        let limit = max(1, maxRecords ?? client.settings.maxPollRecords)
        // Records already fetched are taken on the caller's thread (a call that does not wait);
        // only an empty queue sends the wait to this consumer's own queue.
        var (batch, error) = try client.withHandle { rk in Self.consumeBatch(rk, timeout: .zero, limit: limit) }
        if batch.isEmpty, error == nil, timeout > .zero {
            (batch, error) = try await onQueue { rk in Self.consumeBatch(rk, timeout: timeout, limit: limit) }
        }
        if let error {
            guard !batch.isEmpty else { throw error }
            pendingError.withLock { $0 = error }
        }
        return batch
    }

    /// The low and high watermarks (first and next offset) of a partition, from its leader.
    public func watermarks(_ partition: TopicPartition, timeout: Duration? = nil) async throws -> (low: Int64, high: Int64) {
        let timeout = timeout ?? client.settings.defaultAPITimeout
        return try await BlockingExecutor.run { [client] in
            try client.withHandle { rk in
                var low: Int64 = -1
                var high: Int64 = -1
                let err = rd_kafka_query_watermark_offsets(
                    rk, partition.topic, partition.partition, &low, &high, timeout.rdKafkaMilliseconds
                )
                if err == RD_KAFKA_RESP_ERR__TIMED_OUT {
                    throw client.callbacks.timeoutError("watermarks of \(partition)", after: timeout)
                }
                guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.rdKafka(err, "watermarks of \(partition)") }
                return (low, high)
            }
        }
    }

    /// For each partition, the earliest offset whose timestamp is at or after the given time
    /// (ms since epoch); `nil` when no such record exists.
    public func offsetsForTimes(_ timestamps: [TopicPartition: Int64], timeout: Duration? = nil) async throws -> [TopicPartition: Int64?] {
        let timeout = timeout ?? client.settings.defaultAPITimeout
        return try await BlockingExecutor.run { [client] in
            try client.withHandle { rk in
                let list = RDKafkaTopicPartitionList(timestamps)
                let err = rd_kafka_offsets_for_times(rk, list.pointer, timeout.rdKafkaMilliseconds)
                if err == RD_KAFKA_RESP_ERR__TIMED_OUT {
                    throw client.callbacks.timeoutError("offsets for times", after: timeout)
                }
                guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.rdKafka(err, "offsets for times") }
                var result: [TopicPartition: Int64?] = [:]
                for entry in list.entries {
                    try entry.check("offsets for times")
                    result[entry.topicPartition] = entry.offset >= 0 ? entry.offset : nil
                }
                return result
            }
        }
    }

    /// Leaves the group (committing first if `enable.auto.commit`) and releases the client.
    /// Later calls throw ``KafkaError/Code/clientClosed``.
    public func close() async {
        await client.close { rk in rd_kafka_consumer_close(rk) }
    }

    // MARK: Internals

    private func requireGroup(_ operation: String) throws {
        guard hasGroup else {
            throw KafkaError(.invalidArgument, "cannot \(operation): the consumer has no 'group.id'")
        }
    }

    private func onQueue<T: Sendable>(_ work: @escaping @Sendable (OpaquePointer) throws -> T) async throws -> T {
        try await BlockingExecutor.run(on: queue) { [client] in try client.withHandle(work) }
    }

    private static func setMetadata(_ metadata: String, on list: RDKafkaTopicPartitionList, partition: TopicPartition) throws {
        guard !metadata.isEmpty else { return }
        guard let entry = rd_kafka_topic_partition_list_find(list.pointer, partition.topic, partition.partition) else { return }
        var bytes = Array(metadata.utf8)
        let copy = malloc(bytes.count)!
        bytes.withUnsafeMutableBytes { copy.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        // Freed by rd_kafka_topic_partition_list_destroy.
        entry.pointee.metadata = copy
        entry.pointee.metadata_size = bytes.count
    }

    private static func consumeBatch(_ rk: OpaquePointer, timeout: Duration, limit: Int) -> (ConsumedBatch, KafkaError?) {
        guard let consumerQueue = rd_kafka_queue_get_consumer(rk) else {
            return (ConsumedBatch.empty, KafkaError(.invalidArgument, "the consumer has no consumer queue"))
        }
        defer { rd_kafka_queue_destroy(consumerQueue) }
        var messages = [UnsafeMutablePointer<rd_kafka_message_t>?](repeating: nil, count: limit)
        // librdkafka's batch call waits out the whole timeout unless the batch fills; like Java's
        // poll, return as soon as something arrived: wait for one message, then take what else
        // is already there without waiting.
        let count = messages.withUnsafeMutableBufferPointer { buffer -> Int in
            guard let base = buffer.baseAddress else { return 0 }
            let first = rd_kafka_consume_batch_queue(consumerQueue, Int32(timeout.rdKafkaMilliseconds), base, 1)
            guard first > 0, limit > 1 else { return first }
            let rest = rd_kafka_consume_batch_queue(consumerQueue, 0, base + 1, limit - 1)
            return first + max(0, rest)
        }
        guard count > 0 else { return (ConsumedBatch.empty, nil) }

        var records: [UnsafeMutablePointer<rd_kafka_message_t>] = []
        records.reserveCapacity(count)
        var firstError: KafkaError?
        for message in messages[0..<count] {
            guard let message else { continue }
            let err = message.pointee.err
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                defer { rd_kafka_message_destroy(message) }
                if err != RD_KAFKA_RESP_ERR__PARTITION_EOF, firstError == nil {
                    let detail = message.pointee.payload.map {
                        String(decoding: UnsafeRawBufferPointer(start: $0, count: message.pointee.len), as: UTF8.self)
                    }
                    let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
                    let place = topic.isEmpty ? "consumer" : "\(topic)-\(message.pointee.partition)"
                    firstError = KafkaError.rdKafka(err, "consume \(place)", detail: detail)
                }
                continue
            }
            records.append(message)
        }
        return (ConsumedBatch(messages: records), firstError)
    }
}
