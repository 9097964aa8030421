import ConnectAPI
import MirrorCommon

/// The configuration of `MirrorHeartbeatConnector` (Kafka's `MirrorHeartbeatConfig`): whether and
/// how often heartbeats are written to the target cluster.
///
/// Deviation from Apache Kafka: `emit.heartbeats.interval.seconds` must not be negative (disable
/// with `emit.heartbeats.enabled=false`).
public struct MirrorHeartbeatConfig: Sendable {
    public enum Key {
        public static let emitHeartbeats = "emit.heartbeats"
        public static let heartbeatsTopicReplicationFactor = "heartbeats.topic.replication.factor"
    }

    public enum Defaults {
        public static let emitHeartbeatsIntervalSeconds: Int64 = 1
        public static let heartbeatsTopicReplicationFactor: Int16 = 3
    }

    public let common: MirrorConnectorConfig
    /// `nil` when `emit.heartbeats.enabled` is false.
    public let emitHeartbeatsInterval: Duration?
    public let heartbeatsTopicReplicationFactor: Int16

    /// Parses `properties`; throws the first error. (Apache Kafka translates no aliases here.)
    public init(_ properties: [String: String]) throws(ConfigException) {
        common = try MirrorConnectorConfig(configDef: Self.configDef, properties: properties)
        emitHeartbeatsInterval = try common.interval(of: Key.emitHeartbeats)
        heartbeatsTopicReplicationFactor = try common.parsed.short(Key.heartbeatsTopicReplicationFactor)
    }

    /// Validates every property without stopping at the first error.
    public static func validate(_ properties: [String: String]) -> [ConfigValue] {
        configDef.validate(properties)
    }

    /// The common MirrorMaker 2 keys followed by the heartbeat connector's keys.
    public static let configDef = MirrorConnectorConfig.configDef
        .define(MirrorConnectorConfig.scheduledFeatureKeys(
            Key.emitHeartbeats, enabled: true, intervalSeconds: Defaults.emitHeartbeatsIntervalSeconds,
            enabledDoc: "Whether heartbeats are written to the target cluster.",
            intervalDoc: "Seconds between two heartbeats."))
        .define(Key.heartbeatsTopicReplicationFactor, .short, defaultValue: .short(Defaults.heartbeatsTopicReplicationFactor),
                importance: .low, documentation: "Replication factor of the heartbeats topic.")
}
