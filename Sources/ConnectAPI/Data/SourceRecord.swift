/// A record produced by a ``SourceTask``, like Kafka's `SourceRecord`: where it came from
/// (source partition and offset, which the runtime commits to the offsets topic) and what to
/// write (topic, optional partition, key, value, timestamp, headers).
public struct SourceRecord: Hashable, Sendable {
    /// The source partition, or `nil` when the record carries no offset to commit.
    public var sourcePartition: SourcePartition?
    /// The position after which the task resumes once this record is committed.
    public var sourceOffset: SourceOffset?
    public var topic: String
    /// The Kafka partition to write to; `nil` lets the producer's partitioner choose.
    public var kafkaPartition: Int32?
    public var keySchema: Schema?
    public var key: ConnectValue
    public var valueSchema: Schema?
    public var value: ConnectValue
    /// Milliseconds since the epoch; `nil` lets the producer set it.
    public var timestamp: Int64?
    public var headers: ConnectHeaders

    public init(
        sourcePartition: SourcePartition?,
        sourceOffset: SourceOffset?,
        topic: String,
        kafkaPartition: Int32? = nil,
        keySchema: Schema? = nil,
        key: ConnectValue = .null,
        valueSchema: Schema? = nil,
        value: ConnectValue,
        timestamp: Int64? = nil,
        headers: ConnectHeaders = []
    ) {
        self.sourcePartition = sourcePartition
        self.sourceOffset = sourceOffset
        self.topic = topic
        self.kafkaPartition = kafkaPartition
        self.keySchema = keySchema
        self.key = key
        self.valueSchema = valueSchema
        self.value = value
        self.timestamp = timestamp
        self.headers = headers
    }

    /// A record of raw bytes (the MirrorMaker path): key and value use
    /// ``Schema/optionalBytes`` and `nil` becomes ``ConnectValue/null``.
    public static func bytes(
        sourcePartition: SourcePartition?,
        sourceOffset: SourceOffset?,
        topic: String,
        kafkaPartition: Int32? = nil,
        key: [UInt8]?,
        value: [UInt8]?,
        timestamp: Int64? = nil,
        headers: ConnectHeaders = []
    ) -> SourceRecord {
        SourceRecord(
            sourcePartition: sourcePartition, sourceOffset: sourceOffset, topic: topic, kafkaPartition: kafkaPartition,
            keySchema: .optionalBytes, key: key.map(ConnectValue.bytes) ?? .null,
            valueSchema: .optionalBytes, value: value.map(ConnectValue.bytes) ?? .null,
            timestamp: timestamp, headers: headers)
    }
}

/// Where the runtime wrote a ``SourceRecord``, handed to ``SourceTask/commitRecord(_:metadata:)``
/// once the producer acknowledged it (Kafka's `RecordMetadata`).
public struct SourceRecordMetadata: Hashable, Sendable {
    public var topic: String
    public var partition: Int32
    /// The record's offset in the topic partition, or -1 when unknown.
    public var offset: Int64
    /// The record's timestamp as stored, or -1 when unknown.
    public var timestamp: Int64

    public init(topic: String, partition: Int32, offset: Int64, timestamp: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
    }

    public var hasOffset: Bool { offset >= 0 }
    public var hasTimestamp: Bool { timestamp >= 0 }
}
