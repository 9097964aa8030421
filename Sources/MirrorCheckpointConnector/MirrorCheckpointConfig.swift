import ConnectAPI
import MirrorCommon

/// The configuration of `MirrorCheckpointConnector` (Kafka's `MirrorCheckpointConfig`): which
/// consumer groups to checkpoint, how often, and whether translated offsets are written to the
/// target cluster's groups.
///
/// The deprecated key `groups.blacklist` is translated to `groups.exclude` before parsing. The
/// topic filter reads `topics`/`topics.exclude` (alias `topics.blacklist`) from the same
/// properties, with the source connector's defaults. Deviations from Apache Kafka, both stricter:
/// `*.interval.seconds` must not be negative (disable with `*.enabled=false`), and group and topic
/// patterns must be valid regular expressions.
public struct MirrorCheckpointConfig: Sendable {
    public enum Key {
        public static let groups = "groups"
        public static let groupsExclude = "groups.exclude"
        /// Deprecated alias of ``groupsExclude``.
        public static let groupsBlacklist = "groups.blacklist"
        public static let groupFilterClass = "group.filter.class"
        public static let refreshGroups = "refresh.groups"
        public static let emitCheckpoints = "emit.checkpoints"
        public static let syncGroupOffsets = "sync.group.offsets"
        public static let checkpointsTopicReplicationFactor = "checkpoints.topic.replication.factor"
        public static let taskConsumerGroups = "task.assigned.groups"
    }

    public enum Defaults {
        public static let groups = [".*"]
        public static let groupsExclude = ["console-consumer-.*", "connect-.*", "__.*"]
        public static let groupFilterClass = "org.apache.kafka.connect.mirror.DefaultGroupFilter"
        public static let refreshGroupsIntervalSeconds: Int64 = 600
        public static let emitCheckpointsIntervalSeconds: Int64 = 60
        public static let syncGroupOffsetsIntervalSeconds: Int64 = 60
        public static let checkpointsTopicReplicationFactor: Int16 = 3
    }

    /// Client role of the consumer that reloads existing checkpoints from the target cluster.
    public static let checkpointsTargetConsumerRole = "checkpoints-target-consumer"

    /// Deprecated keys and the keys they stand for.
    public static let deprecatedAliases: [(key: String, aliases: [String])] = [
        (Key.groupsExclude, [Key.groupsBlacklist]),
    ]

    public let common: MirrorConnectorConfig
    public let groups: [String]
    public let groupsExclude: [String]
    public let groupFilterClass: String
    public let topicFilterClass: String
    /// Topic patterns of the default topic filter.
    public let topics: [String]
    public let topicsExclude: [String]
    public let consumerPollTimeout: Duration
    /// `nil` when `refresh.groups.enabled` is false.
    public let refreshGroupsInterval: Duration?
    /// `nil` when `emit.checkpoints.enabled` is false.
    public let emitCheckpointsInterval: Duration?
    /// `nil` when `sync.group.offsets.enabled` is false.
    public let syncGroupOffsetsInterval: Duration?
    public let checkpointsTopicReplicationFactor: Int16
    public let offsetSyncsTopicLocation: OffsetSyncsTopicLocation

    /// Translates deprecated aliases, then parses; throws the first error.
    public init(_ properties: [String: String]) throws(ConfigException) {
        let translated = ConfigUtils.translateDeprecatedConfigs(properties, aliasGroups: Self.deprecatedAliases)
        common = try MirrorConnectorConfig(configDef: Self.configDef, properties: translated)
        let parsed = common.parsed
        groups = try parsed.list(Key.groups)
        groupsExclude = try parsed.list(Key.groupsExclude)
        groupFilterClass = try parsed.className(Key.groupFilterClass)
        topicFilterClass = try parsed.className(MirrorConnectorConfig.Key.topicFilterClass)
        let topicFilter = try Self.topicFilterConfig(translated)
        topics = try topicFilter.list(MirrorConnectorConfig.Key.topics)
        topicsExclude = try topicFilter.list(MirrorConnectorConfig.Key.topicsExclude)
        consumerPollTimeout = .milliseconds(try parsed.long(MirrorConnectorConfig.Key.consumerPollTimeoutMs))
        refreshGroupsInterval = try common.interval(of: Key.refreshGroups)
        emitCheckpointsInterval = try common.interval(of: Key.emitCheckpoints)
        syncGroupOffsetsInterval = try common.interval(of: Key.syncGroupOffsets)
        checkpointsTopicReplicationFactor = try parsed.short(Key.checkpointsTopicReplicationFactor)
        offsetSyncsTopicLocation = try common.offsetSyncsTopicLocation()
    }

    /// Consumer properties for reading offset syncs, on the cluster chosen by `offset-syncs.topic.location`.
    public var offsetSyncsTopicConsumerConfig: [String: String] {
        common.offsetSyncsClientConfig(.consumer, location: offsetSyncsTopicLocation)
    }

    /// Admin properties for the offset-syncs topic, on the cluster chosen by `offset-syncs.topic.location`.
    public var offsetSyncsTopicAdminConfig: [String: String] {
        common.offsetSyncsClientConfig(.admin, location: offsetSyncsTopicLocation)
    }

    /// Validates every property without stopping at the first error, then adds the connector's
    /// own checks: it cannot run without checkpoints or offset syncs (unless disabled altogether),
    /// and the topic filter's patterns must compile.
    public static func validate(_ properties: [String: String]) -> [ConfigValue] {
        var values = configDef.validate(properties)
        for value in MirrorConnectorConfig.topicFilterDef.validate(properties) where !value.errors.isEmpty {
            for error in value.errors {
                values.addErrorMessage(error, to: value.name)
            }
        }
        guard (properties[MirrorConnectorConfig.Key.enabled] ?? "true") != "false" else { return values }
        let emitCheckpoints = Key.emitCheckpoints + ".enabled"
        if properties[emitCheckpoints] == "false" {
            values.addErrorMessage("MirrorCheckpointConnector can't run with \(emitCheckpoints) set to false", to: emitCheckpoints)
        }
        let emitOffsetSyncs = MirrorConnectorConfig.Key.emitOffsetSyncsEnabled
        if properties[emitOffsetSyncs] == "false" {
            values.addErrorMessage("MirrorCheckpointConnector can't run without offset syncs", to: emitOffsetSyncs)
        }
        return values
    }

    /// The default topic filter's view of `properties` (alias translated).
    private static func topicFilterConfig(_ properties: [String: String]) throws(ConfigException) -> ParsedConfig {
        let topicKeys = Set(MirrorConnectorConfig.topicFilterDef.names)
        let translated = ConfigUtils.translateDeprecatedConfigs(
            properties.filter { topicKeys.contains($0.key) },
            aliasGroups: [(MirrorConnectorConfig.Key.topicsExclude, [MirrorConnectorConfig.Key.topicsBlacklist])])
        return try MirrorConnectorConfig.topicFilterDef.parse(translated)
    }
}

// MARK: - Definition

extension MirrorCheckpointConfig {
    /// The common MirrorMaker 2 keys followed by the checkpoint connector's keys, in Apache Kafka's order.
    public static let configDef = MirrorConnectorConfig.configDef
        .define(MirrorConnectorConfig.consumerPollTimeoutKey)
        .define(Key.groups, .list, defaultValue: .list(Defaults.groups), validator: .regexList, importance: .high,
                documentation: "Consumer groups to checkpoint, as comma-separated group ids or regular expressions.")
        .define(Key.groupsExclude, .list, defaultValue: .list(Defaults.groupsExclude), validator: .regexList,
                importance: .high,
                documentation: "Consumer groups never to checkpoint, as comma-separated group ids or regular expressions; exclusion wins over inclusion.")
        .define(Key.groupsBlacklist, .list, defaultValue: .null, validator: .regexList, importance: .high,
                documentation: "Deprecated. Use \(Key.groupsExclude) instead.")
        .define(Key.groupFilterClass, .class, defaultValue: .class(Defaults.groupFilterClass), importance: .low,
                documentation: "GroupFilter plugin that decides which consumer groups are checkpointed.")
        .define(MirrorConnectorConfig.scheduledFeatureKeys(
            Key.refreshGroups, enabled: true, intervalSeconds: Defaults.refreshGroupsIntervalSeconds,
            enabledDoc: "Whether new consumer groups are looked for periodically.",
            intervalDoc: "Seconds between two looks for new consumer groups."))
        .define(MirrorConnectorConfig.scheduledFeatureKeys(
            Key.emitCheckpoints, enabled: true, intervalSeconds: Defaults.emitCheckpointsIntervalSeconds,
            enabledDoc: "Whether consumer group offsets are translated and written as checkpoints to the target cluster.",
            intervalDoc: "Seconds between two rounds of checkpoints."))
        .define(MirrorConnectorConfig.scheduledFeatureKeys(
            Key.syncGroupOffsets, enabled: false, intervalSeconds: Defaults.syncGroupOffsetsIntervalSeconds,
            enabledDoc: "Whether translated offsets are also committed to the target cluster's consumer groups, for groups with no active members there.",
            intervalDoc: "Seconds between two consumer group offset syncs."))
        .define(Key.checkpointsTopicReplicationFactor, .short, defaultValue: .short(Defaults.checkpointsTopicReplicationFactor),
                importance: .low, documentation: "Replication factor of the checkpoints topic.")
        .define(MirrorConnectorConfig.offsetSyncsTopicLocationKey)
        .define(MirrorConnectorConfig.topicFilterClassKey)
}
