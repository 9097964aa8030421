import KafkaProtocol

/// A record MirrorHeartbeatConnector writes to the `heartbeats` topic of the target cluster
/// about once a second; replicated onwards, heartbeats reveal which clusters flow into which.
///
/// Wire format (Kafka protocol types, as Apache's `Heartbeat` writes it):
/// - key: `sourceClusterAlias: STRING`, `targetClusterAlias: STRING`
/// - value: `version: INT16 = 0`, then `timestamp: INT64` (milliseconds since the epoch)
public struct Heartbeat: Hashable, Sendable, CustomStringConvertible {
    /// The topic heartbeats are written to on the target cluster.
    public static let defaultTopic = "heartbeats"
    public static let sourceClusterAliasKey = "sourceClusterAlias"
    public static let targetClusterAliasKey = "targetClusterAlias"
    public static let timestampKey = "timestamp"
    public static let versionKey = "version"
    public static let version: Int16 = 0

    public var sourceClusterAlias: String
    public var targetClusterAlias: String
    /// Milliseconds since the Unix epoch.
    public var timestamp: Int64

    public init(sourceClusterAlias: String, targetClusterAlias: String, timestamp: Int64) {
        self.sourceClusterAlias = sourceClusterAlias
        self.targetClusterAlias = targetClusterAlias
        self.timestamp = timestamp
    }

    /// - Throws: ``KafkaProtocolEncodingError`` unless each alias fits in a Kafka STRING (at most 32767 UTF-8 bytes).
    public func encodeKey() throws(KafkaProtocolEncodingError) -> [UInt8] {
        try RecordCodec.encode { writer throws(KafkaProtocolEncodingError) in
            try writer.writeString(sourceClusterAlias)
            try writer.writeString(targetClusterAlias)
        }
    }

    public func encodeValue() -> [UInt8] {
        RecordCodec.encode(versionHeader: Self.version) { $0.writeInt64(timestamp) }
    }

    /// - Throws: ``MirrorClientError/Code/malformedRecord`` or ``MirrorClientError/Code/unsupportedVersion``.
    public static func decode(key: [UInt8], value: [UInt8]) throws(MirrorClientError) -> Heartbeat {
        let aliases = try RecordCodec.decode("Heartbeat key", from: key) { reader throws(KafkaProtocolDecodingError) in
            (try reader.readString(), try reader.readString())
        }
        let timestamp = try RecordCodec.decode("Heartbeat value", from: value, versionHeader: version) {
            reader throws(KafkaProtocolDecodingError) in try reader.readInt64()
        }
        return Heartbeat(sourceClusterAlias: aliases.0, targetClusterAlias: aliases.1, timestamp: timestamp)
    }

    public var description: String {
        "Heartbeat{sourceClusterAlias=\(sourceClusterAlias), targetClusterAlias=\(targetClusterAlias), timestamp=\(timestamp)}"
    }
}
