/// A record produced by a ``SourceTask``, like Kafka's `SourceRecord`: where it came from
/// (source partition and offset, which the runtime commits to the offsets topic) and what to
/// write (topic, optional partition, key, value, timestamp, headers).
public struct SourceRecord: Hashable, Sendable {
    /// The record's fields, in one shared box: the runtime copies a record several times on its
    /// way to Kafka (in-flight bookkeeping, acknowledgement, `commitRecords`), and copying a box
    /// costs one reference count where copying the fields would cost seven.
    private struct Fields: Hashable, Sendable {
        var sourcePartition: SourcePartition?
        var sourceOffset: SourceOffset?
        var topic: String
        var kafkaPartition: Int32?
        var keySchema: Schema?
        var key: ConnectValue
        var valueSchema: Schema?
        var value: ConnectValue
        var timestamp: Int64?
        var headers: ConnectHeaders
    }

    private var box: CopyOnWriteBox<Fields>

    /// The source partition, or `nil` when the record carries no offset to commit.
    public var sourcePartition: SourcePartition? {
        _read { yield box.value.sourcePartition }
        set { box.value.sourcePartition = newValue }
    }
    /// The position after which the task resumes once this record is committed.
    public var sourceOffset: SourceOffset? {
        _read { yield box.value.sourceOffset }
        set { box.value.sourceOffset = newValue }
    }
    public var topic: String {
        _read { yield box.value.topic }
        set { box.value.topic = newValue }
    }
    /// The Kafka partition to write to; `nil` lets the producer's partitioner choose.
    public var kafkaPartition: Int32? {
        get { box.value.kafkaPartition }
        set { box.value.kafkaPartition = newValue }
    }
    public var keySchema: Schema? {
        get { box.value.keySchema }
        set { box.value.keySchema = newValue }
    }
    public var key: ConnectValue {
        get { box.value.key }
        set { box.value.key = newValue }
    }
    public var valueSchema: Schema? {
        get { box.value.valueSchema }
        set { box.value.valueSchema = newValue }
    }
    public var value: ConnectValue {
        get { box.value.value }
        set { box.value.value = newValue }
    }
    /// Milliseconds since the epoch; `nil` lets the producer set it.
    public var timestamp: Int64? {
        get { box.value.timestamp }
        set { box.value.timestamp = newValue }
    }
    public var headers: ConnectHeaders {
        get { box.value.headers }
        set { box.value.headers = newValue }
    }

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
        box = CopyOnWriteBox(Fields(
            sourcePartition: sourcePartition, sourceOffset: sourceOffset, topic: topic, kafkaPartition: kafkaPartition,
            keySchema: keySchema, key: key, valueSchema: valueSchema, value: value, timestamp: timestamp, headers: headers))
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
