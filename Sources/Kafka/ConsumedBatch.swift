import CRdKafka

/// The records one ``KafkaConsumer/pollBatch(timeout:maxRecords:)`` returned, left in
/// librdkafka's memory: read in place, turned into ``ConsumerRecord``s, or produced again by
/// ``KafkaProducer/send(copiesOf:_:to:firstTag:headerValues:)`` with no copy in Swift.
///
/// The memory is released with the batch. Release a batch before closing its consumer
/// (librdkafka's handle waits for the messages it lent out).
public final class ConsumedBatch: @unchecked Sendable {
    // @unchecked: the messages are never written after init, and librdkafka lets any thread
    // read and destroy them.

    /// Consecutive records of one partition (librdkafka hands a batch over in such runs).
    public struct PartitionRun: Sendable, Hashable {
        public var topicPartition: TopicPartition
        /// Record indexes into the batch.
        public var range: Range<Int>
    }

    let messages: [UnsafeMutablePointer<rd_kafka_message_t>]
    /// The batch's records in runs per partition, in order.
    public let runs: [PartitionRun]

    /// Takes ownership of `messages` (records without error).
    init(messages: [UnsafeMutablePointer<rd_kafka_message_t>]) {
        self.messages = messages
        var runs: [PartitionRun] = []
        var topicNames: [OpaquePointer: String] = [:]
        var lastTopic: OpaquePointer?
        var lastPartition: Int32 = -1
        for (index, message) in messages.enumerated() {
            let rkt = message.pointee.rkt
            let partition = message.pointee.partition
            if !runs.isEmpty, rkt == lastTopic, partition == lastPartition {
                runs[runs.count - 1].range = runs[runs.count - 1].range.lowerBound..<(index + 1)
                continue
            }
            let topic = rkt.map { rkt in
                if let name = topicNames[rkt] { return name }
                let name = String(cString: rd_kafka_topic_name(rkt))
                topicNames[rkt] = name
                return name
            } ?? ""
            runs.append(PartitionRun(topicPartition: TopicPartition(topic: topic, partition: partition), range: index..<(index + 1)))
            lastTopic = rkt
            lastPartition = partition
        }
        self.runs = runs
    }

    deinit {
        for message in messages { rd_kafka_message_destroy(message) }
    }

    /// A batch without records.
    public static let empty = ConsumedBatch(messages: [])

    public var count: Int { messages.count }
    public var isEmpty: Bool { messages.isEmpty }

    /// The offset of the record at `index`.
    public func offset(at index: Int) -> Int64 { messages[index].pointee.offset }

    /// Key plus value length of the record at `index`, in bytes.
    public func byteCount(at index: Int) -> Int { messages[index].pointee.key_len + messages[index].pointee.len }

    /// Copies of the records, in order.
    public func records() -> [ConsumerRecord] {
        var records: [ConsumerRecord] = []
        records.reserveCapacity(messages.count)
        for run in runs {
            for index in run.range { records.append(Self.record(from: messages[index], topic: run.topicPartition.topic)) }
        }
        return records
    }

    private static func record(from message: UnsafeMutablePointer<rd_kafka_message_t>, topic: String) -> ConsumerRecord {
        var rdTimestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &rdTimestampType)
        let timestampType: TimestampType = switch rdTimestampType {
        case RD_KAFKA_TIMESTAMP_CREATE_TIME: .createTime
        case RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME: .logAppendTime
        default: .notAvailable
        }
        return ConsumerRecord(
            topic: topic,
            partition: message.pointee.partition,
            offset: message.pointee.offset,
            key: copyBytes(message.pointee.key, message.pointee.key_len),
            value: copyBytes(message.pointee.payload, message.pointee.len),
            headers: headers(of: message),
            timestamp: timestamp,
            timestampType: timestampType
        )
    }

    private static func headers(of message: UnsafeMutablePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        var headers: [KafkaHeader] = []
        forEachHeader(of: message) { name, value in headers.append(KafkaHeader(key: name, value: value)) }
        return headers
    }

    /// Calls `body` with each header's name and a copy of its value (`nil` for a null value).
    static func forEachHeader(
        of message: UnsafeMutablePointer<rd_kafka_message_t>, _ body: (String, [UInt8]?) throws -> Void
    ) rethrows {
        var list: OpaquePointer?
        guard rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return }
        var index = 0
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            try body(name.map { String(cString: $0) } ?? "", copyBytes(value, size))
            index += 1
        }
    }

    private static func copyBytes(_ pointer: UnsafeRawPointer?, _ count: Int) -> [UInt8]? {
        guard let pointer else { return nil }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}
