/// A topic partition as sink tasks see it (Kafka's `TopicPartition`; ConnectAPI does not
/// depend on the Kafka client types).
public struct SinkTopicPartition: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public static func < (lhs: SinkTopicPartition, rhs: SinkTopicPartition) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }

    /// `topic-partition`, as Kafka prints a `TopicPartition`.
    public var description: String { "\(topic)-\(partition)" }
}

/// A record consumed from Kafka and handed to a ``SinkTask``, like Kafka's `SinkRecord`.
public struct SinkRecord: Hashable, Sendable {
    /// How the record's timestamp was set (Kafka's `TimestampType`).
    public enum TimestampType: String, Hashable, Sendable {
        case noTimestampType = "NoTimestampType"
        case createTime = "CreateTime"
        case logAppendTime = "LogAppendTime"

        /// Kafka's numeric id: -1, 0 or 1.
        public var id: Int {
            switch self {
            case .noTimestampType: -1
            case .createTime: 0
            case .logAppendTime: 1
            }
        }
    }

    public var topic: String
    public var kafkaPartition: Int32
    public var kafkaOffset: Int64
    public var keySchema: Schema?
    public var key: ConnectValue
    public var valueSchema: Schema?
    public var value: ConnectValue
    /// Milliseconds since the epoch, or `nil` when the record has none.
    public var timestamp: Int64?
    public var timestampType: TimestampType
    public var headers: ConnectHeaders
    /// Where the record was consumed from, before transformations changed ``topic``,
    /// ``kafkaPartition`` or ``kafkaOffset`` (KIP-793); offsets are committed for these.
    public var originalTopic: String
    public var originalKafkaPartition: Int32
    public var originalKafkaOffset: Int64

    public init(
        topic: String,
        kafkaPartition: Int32,
        kafkaOffset: Int64,
        keySchema: Schema? = nil,
        key: ConnectValue = .null,
        valueSchema: Schema? = nil,
        value: ConnectValue,
        timestamp: Int64? = nil,
        timestampType: TimestampType = .noTimestampType,
        headers: ConnectHeaders = []
    ) {
        self.topic = topic
        self.kafkaPartition = kafkaPartition
        self.kafkaOffset = kafkaOffset
        self.keySchema = keySchema
        self.key = key
        self.valueSchema = valueSchema
        self.value = value
        self.timestamp = timestamp
        self.timestampType = timestampType
        self.headers = headers
        originalTopic = topic
        originalKafkaPartition = kafkaPartition
        originalKafkaOffset = kafkaOffset
    }

    /// The partition offsets are committed for (the original one).
    public var originalTopicPartition: SinkTopicPartition {
        SinkTopicPartition(topic: originalTopic, partition: originalKafkaPartition)
    }
}
