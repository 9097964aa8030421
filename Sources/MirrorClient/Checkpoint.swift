import KafkaProtocol

/// A consumer group's committed offset translated for the target cluster, written by
/// MirrorCheckpointConnector to `<source alias>.checkpoints.internal` on the target.
///
/// Wire format (Kafka protocol types, as Apache's `Checkpoint` writes it):
/// - key: `group: STRING`, `topic: STRING` (already renamed for the target), `partition: INT32`
/// - value: `version: INT16 = 0`, then `upstreamOffset: INT64`, `offset: INT64`, `metadata: STRING`
public struct Checkpoint: Hashable, Sendable, CustomStringConvertible {
    public static let topicKey = "topic"
    public static let partitionKey = "partition"
    public static let consumerGroupIdKey = "group"
    public static let upstreamOffsetKey = "upstreamOffset"
    public static let downstreamOffsetKey = "offset"
    public static let metadataKey = "metadata"
    public static let versionKey = "version"
    public static let version: Int16 = 0

    public var consumerGroupId: String
    /// The partition on the target cluster.
    public var topicPartition: TopicPartition
    /// The group's committed offset on the source cluster.
    public var upstreamOffset: Int64
    /// The equivalent offset on the target cluster.
    public var downstreamOffset: Int64
    /// The commit metadata of the source group's offset.
    public var metadata: String

    public init(
        consumerGroupId: String,
        topicPartition: TopicPartition,
        upstreamOffset: Int64,
        downstreamOffset: Int64,
        metadata: String = ""
    ) {
        self.consumerGroupId = consumerGroupId
        self.topicPartition = topicPartition
        self.upstreamOffset = upstreamOffset
        self.downstreamOffset = downstreamOffset
        self.metadata = metadata
    }

    /// - Throws: ``KafkaProtocolEncodingError`` unless the group id and topic fit in a Kafka STRING (at most 32767 UTF-8 bytes).
    public func encodeKey() throws(KafkaProtocolEncodingError) -> [UInt8] {
        try RecordCodec.encode { writer throws(KafkaProtocolEncodingError) in
            try writer.writeString(consumerGroupId)
            try writer.writeString(topicPartition.topic)
            writer.writeInt32(topicPartition.partition)
        }
    }

    /// - Throws: ``KafkaProtocolEncodingError`` unless ``metadata`` fits in a Kafka STRING (at most 32767 UTF-8 bytes).
    public func encodeValue() throws(KafkaProtocolEncodingError) -> [UInt8] {
        try RecordCodec.encode(versionHeader: Self.version) { writer throws(KafkaProtocolEncodingError) in
            writer.writeInt64(upstreamOffset)
            writer.writeInt64(downstreamOffset)
            try writer.writeString(metadata)
        }
    }

    /// - Throws: ``MirrorClientError/Code/malformedRecord`` or ``MirrorClientError/Code/unsupportedVersion``.
    public static func decode(key: [UInt8], value: [UInt8]) throws(MirrorClientError) -> Checkpoint {
        let (group, topicPartition) = try RecordCodec.decode("Checkpoint key", from: key) {
            reader throws(KafkaProtocolDecodingError) in
            (try reader.readString(), TopicPartition(topic: try reader.readString(), partition: try reader.readInt32()))
        }
        let (upstream, downstream, metadata) = try RecordCodec.decode(
            "Checkpoint value", from: value, versionHeader: version
        ) { reader throws(KafkaProtocolDecodingError) in
            (try reader.readInt64(), try reader.readInt64(), try reader.readString())
        }
        return Checkpoint(
            consumerGroupId: group,
            topicPartition: topicPartition,
            upstreamOffset: upstream,
            downstreamOffset: downstream,
            metadata: metadata
        )
    }

    public var description: String {
        "Checkpoint{consumerGroupId=\(consumerGroupId), topicPartition=\(topicPartition), "
            + "upstreamOffset=\(upstreamOffset), downstreamOffset=\(downstreamOffset), metadata=\(metadata)}"
    }
}
