import KafkaProtocol

/// A pairing of a source offset with the target offset it was replicated to, written by
/// MirrorSourceConnector to `mm2-offset-syncs.<target alias>.internal` and read by the
/// checkpoint task to translate consumer group offsets.
///
/// Wire format (Kafka protocol types, as Apache's `OffsetSync` writes it; no version header):
/// - key: `topic: STRING` (the source topic), `partition: INT32`
/// - value: `upstreamOffset: INT64`, `offset: INT64`
public struct OffsetSync: Hashable, Sendable, CustomStringConvertible {
    public static let topicKey = "topic"
    public static let partitionKey = "partition"
    public static let upstreamOffsetKey = "upstreamOffset"
    public static let downstreamOffsetKey = "offset"

    /// The partition on the source cluster.
    public var topicPartition: TopicPartition
    public var upstreamOffset: Int64
    public var downstreamOffset: Int64

    public init(topicPartition: TopicPartition, upstreamOffset: Int64, downstreamOffset: Int64) {
        self.topicPartition = topicPartition
        self.upstreamOffset = upstreamOffset
        self.downstreamOffset = downstreamOffset
    }

    /// - Throws: ``KafkaProtocolEncodingError`` unless the topic fits in a Kafka STRING (at most 32767 UTF-8 bytes).
    public func encodeKey() throws(KafkaProtocolEncodingError) -> [UInt8] {
        try RecordCodec.encode { writer throws(KafkaProtocolEncodingError) in
            try writer.writeString(topicPartition.topic)
            writer.writeInt32(topicPartition.partition)
        }
    }

    public func encodeValue() -> [UInt8] {
        RecordCodec.encode {
            $0.writeInt64(upstreamOffset)
            $0.writeInt64(downstreamOffset)
        }
    }

    /// - Throws: ``MirrorClientError/Code/malformedRecord``.
    public static func decode(key: [UInt8], value: [UInt8]) throws(MirrorClientError) -> OffsetSync {
        let topicPartition = try RecordCodec.decode("OffsetSync key", from: key) { reader throws(KafkaProtocolDecodingError) in
            TopicPartition(topic: try reader.readString(), partition: try reader.readInt32())
        }
        let (upstream, downstream) = try RecordCodec.decode("OffsetSync value", from: value) {
            reader throws(KafkaProtocolDecodingError) in (try reader.readInt64(), try reader.readInt64())
        }
        return OffsetSync(topicPartition: topicPartition, upstreamOffset: upstream, downstreamOffset: downstream)
    }

    public var description: String {
        "OffsetSync{topicPartition=\(topicPartition), upstreamOffset=\(upstreamOffset), downstreamOffset=\(downstreamOffset)}"
    }
}
