/// A record header. Header values may be null, as in Kafka.
public struct KafkaHeader: Hashable, Sendable {
    public var key: String
    public var value: [UInt8]?

    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }
}

/// A record to produce. A `nil` ``value`` is a tombstone; a `nil` ``partition`` lets the
/// partitioner choose (by key hash, like Kafka's default partitioner).
public struct ProducerRecord: Hashable, Sendable {
    public var topic: String
    public var partition: Int32?
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [KafkaHeader]
    /// Milliseconds since the epoch; `nil` lets the producer stamp the send time.
    public var timestamp: Int64?

    public init(
        topic: String,
        partition: Int32? = nil,
        key: [UInt8]? = nil,
        value: [UInt8]?,
        headers: [KafkaHeader] = [],
        timestamp: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }
}

/// How a record's timestamp was set.
public enum TimestampType: Sendable, Hashable {
    case notAvailable
    case createTime
    case logAppendTime
}

/// A record read from Kafka. Null key, value (tombstone) and header values are `nil`.
public struct ConsumerRecord: Hashable, Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [KafkaHeader]
    /// Milliseconds since the epoch, or -1 when not available.
    public var timestamp: Int64
    public var timestampType: TimestampType

    public init(
        topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8]?,
        headers: [KafkaHeader], timestamp: Int64, timestampType: TimestampType
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
        self.timestampType = timestampType
    }

    public var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }
}

/// Where a produced record landed, from the broker's acknowledgement.
public struct RecordMetadata: Hashable, Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// The record's timestamp as stored (-1 if unknown).
    public var timestamp: Int64
}
