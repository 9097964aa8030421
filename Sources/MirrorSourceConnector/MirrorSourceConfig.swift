import ConnectAPI
import MirrorCommon

/// The configuration of `MirrorSourceConnector` (Kafka's `MirrorSourceConfig`): which topics and
/// topic configs to replicate, how often to refresh and sync them, and how offset syncs are kept.
///
/// The deprecated keys `topics.blacklist` and `config.properties.blacklist` are translated to
/// `topics.exclude` and `config.properties.exclude` before parsing (the current key wins when both
/// are set). Deviations from Apache Kafka, both stricter: `*.interval.seconds` must not be
/// negative (disable with `*.enabled=false`), and `topics`/`topics.exclude` must be valid
/// regular expressions.
public struct MirrorSourceConfig: Sendable {
    public enum Key {
        public static let topics = MirrorConnectorConfig.Key.topics
        public static let topicsExclude = MirrorConnectorConfig.Key.topicsExclude
        public static let topicsBlacklist = MirrorConnectorConfig.Key.topicsBlacklist
        public static let configPropertiesExclude = "config.properties.exclude"
        /// Deprecated alias of ``configPropertiesExclude``.
        public static let configPropertiesBlacklist = "config.properties.blacklist"
        public static let configPropertyFilterClass = "config.property.filter.class"
        /// Read by the default config property filter; not part of the connector's definition.
        public static let useDefaultsFrom = "use.defaults.from"
        public static let refreshTopics = "refresh.topics"
        public static let syncTopicConfigs = "sync.topic.configs"
        public static let syncTopicAcls = "sync.topic.acls"
        public static let useIncrementalAlterConfigs = "use.incremental.alter.configs"
        public static let replicationFactor = "replication.factor"
        public static let offsetSyncsTopicReplicationFactor = "offset-syncs.topic.replication.factor"
        public static let offsetLagMax = "offset.lag.max"
        public static let addSourceAliasToMetrics = "add.source.alias.to.metrics"
        /// KIP-1089 (Apache Kafka 4.0); Kafka 3.x always replicates heartbeats topics.
        public static let heartbeatsReplicationEnabled = "heartbeats.replication.enabled"
        public static let taskTopicPartitions = "task.assigned.partitions"
        /// The worker-level connector property checked for exactly-once support.
        public static let exactlyOnceSupport = "exactly.once.support"
    }

    public enum Defaults {
        public static let configPropertiesExclude = [
            #"follower\.replication\.throttled\.replicas"#,
            #"leader\.replication\.throttled\.replicas"#,
            #"message\.timestamp\.difference\.max\.ms"#,
            #"message\.timestamp\.type"#,
            #"unclean\.leader\.election\.enable"#,
            #"min\.insync\.replicas"#,
        ]
        public static let configPropertyFilterClass = "org.apache.kafka.connect.mirror.DefaultConfigPropertyFilter"
        public static let useDefaultsFrom = "target"
        public static let intervalSeconds: Int64 = 600
        public static let replicationFactor: Int32 = 2
        public static let offsetSyncsTopicReplicationFactor: Int16 = 3
        public static let offsetLagMax: Int64 = 100
    }

    /// The API used to sync topic configs (`use.incremental.alter.configs`, KIP-894; deprecated).
    public enum IncrementalAlterConfigs: String, Sendable, CaseIterable {
        case requested, required, never
    }

    /// Deprecated keys and the keys they stand for.
    public static let deprecatedAliases: [(key: String, aliases: [String])] = [
        (Key.topicsExclude, [Key.topicsBlacklist]),
        (Key.configPropertiesExclude, [Key.configPropertiesBlacklist]),
    ]

    public let common: MirrorConnectorConfig
    public let topics: [String]
    public let topicsExclude: [String]
    public let configPropertiesExclude: [String]
    public let topicFilterClass: String
    public let configPropertyFilterClass: String
    /// Whose defaults (`source` or `target`) apply when syncing topic configs left at their default.
    public let useDefaultsFrom: String
    public let consumerPollTimeout: Duration
    /// `nil` when `refresh.topics.enabled` is false.
    public let refreshTopicsInterval: Duration?
    /// `nil` when `sync.topic.configs.enabled` is false.
    public let syncTopicConfigsInterval: Duration?
    /// `nil` when `sync.topic.acls.enabled` is false.
    public let syncTopicAclsInterval: Duration?
    public let useIncrementalAlterConfigs: IncrementalAlterConfigs
    /// Replication factor of remote topics this connector creates.
    public let replicationFactor: Int32
    public let offsetSyncsTopicReplicationFactor: Int16
    /// How far a replicated partition may drift from its last offset sync before a new one is written.
    public let offsetLagMax: Int64
    public let offsetSyncsTopicLocation: OffsetSyncsTopicLocation
    public let addSourceAliasToMetrics: Bool
    public let emitOffsetSyncsEnabled: Bool
    /// Whether heartbeats topics are replicated even when the topic filter rejects them.
    public let heartbeatsReplicationEnabled: Bool

    /// Translates deprecated aliases, then parses; throws the first error.
    public init(_ properties: [String: String]) throws(ConfigException) {
        let translated = ConfigUtils.translateDeprecatedConfigs(properties, aliasGroups: Self.deprecatedAliases)
        common = try MirrorConnectorConfig(configDef: Self.configDef, properties: translated)
        let parsed = common.parsed
        topics = try parsed.list(Key.topics)
        topicsExclude = try parsed.list(Key.topicsExclude)
        configPropertiesExclude = try parsed.list(Key.configPropertiesExclude)
        topicFilterClass = try parsed.className(MirrorConnectorConfig.Key.topicFilterClass)
        configPropertyFilterClass = try parsed.className(Key.configPropertyFilterClass)
        useDefaultsFrom = parsed.originals[Key.useDefaultsFrom] ?? Defaults.useDefaultsFrom
        consumerPollTimeout = .milliseconds(try parsed.long(MirrorConnectorConfig.Key.consumerPollTimeoutMs))
        refreshTopicsInterval = try common.interval(of: Key.refreshTopics)
        syncTopicConfigsInterval = try common.interval(of: Key.syncTopicConfigs)
        syncTopicAclsInterval = try common.interval(of: Key.syncTopicAcls)
        let incremental = try parsed.string(Key.useIncrementalAlterConfigs)
        useIncrementalAlterConfigs = IncrementalAlterConfigs(rawValue: incremental) ?? .requested
        replicationFactor = try parsed.int(Key.replicationFactor)
        offsetSyncsTopicReplicationFactor = try parsed.short(Key.offsetSyncsTopicReplicationFactor)
        offsetLagMax = try parsed.long(Key.offsetLagMax)
        offsetSyncsTopicLocation = try common.offsetSyncsTopicLocation()
        addSourceAliasToMetrics = try parsed.bool(Key.addSourceAliasToMetrics)
        emitOffsetSyncsEnabled = try parsed.bool(MirrorConnectorConfig.Key.emitOffsetSyncsEnabled)
        heartbeatsReplicationEnabled = try parsed.bool(Key.heartbeatsReplicationEnabled)
    }

    /// Producer properties for writing offset syncs, on the cluster chosen by `offset-syncs.topic.location`.
    public var offsetSyncsTopicProducerConfig: [String: String] {
        common.offsetSyncsClientConfig(.producer, location: offsetSyncsTopicLocation)
    }

    /// Admin properties for creating the offset-syncs topic, on the cluster chosen by `offset-syncs.topic.location`.
    public var offsetSyncsTopicAdminConfig: [String: String] {
        common.offsetSyncsClientConfig(.admin, location: offsetSyncsTopicLocation)
    }

    /// Exactly-once delivery is possible only when the source consumer reads committed records
    /// (KAFKA-14021).
    public static func consumerUsesReadCommitted(_ properties: [String: String]) -> Bool {
        MirrorConnectorConfig.clientConfig(.source, .consumer, from: properties)["isolation.level"] == "read_committed"
    }

    /// Validates every property without stopping at the first error, then adds the connector's
    /// multi-property checks (offset syncs disabled while configured; exactly-once required
    /// without `read_committed`). Aliases are validated as given, like Apache Kafka does.
    public static func validate(_ properties: [String: String]) -> [ConfigValue] {
        var values = configDef.validate(properties)
        let offsetSyncsConfigured = properties.keys.contains {
            $0.hasPrefix(MirrorConnectorConfig.Key.offsetSyncsClientRolePrefix)
                || $0.hasPrefix(MirrorConnectorConfig.Key.offsetSyncsTopicPrefix)
        }
        let emitOffsetSyncs = MirrorConnectorConfig.Key.emitOffsetSyncsEnabled
        if properties[emitOffsetSyncs] == "false" && offsetSyncsConfigured {
            values.addErrorMessage(
                "MirrorSourceConnector can't setup offset-syncs feature while \(emitOffsetSyncs) set to false",
                to: emitOffsetSyncs)
        }
        if properties[Key.exactlyOnceSupport] == "required" && !consumerUsesReadCommitted(properties) {
            values.addErrorMessage(
                "MirrorSourceConnector can only provide exactly-once guarantees when its source consumer is configured with isolation.level set to 'read_committed'; otherwise, records from aborted and uncommitted transactions will be replicated from the source cluster to the target cluster.",
                to: Key.exactlyOnceSupport)
        }
        return values
    }
}

// MARK: - Definition

extension MirrorSourceConfig {
    /// The common MirrorMaker 2 keys followed by the source connector's keys, in Apache Kafka's order.
    public static let configDef = MirrorConnectorConfig.configDef
        .merging(MirrorConnectorConfig.topicFilterDef)
        .define(Key.configPropertiesExclude, .list, defaultValue: .list(Defaults.configPropertiesExclude),
                validator: .regexList, importance: .high,
                documentation: "Topic config properties never to replicate, as comma-separated names or regular expressions.")
        .define(Key.configPropertiesBlacklist, .list, defaultValue: .null, validator: .regexList, importance: .high,
                documentation: "Deprecated. Use \(Key.configPropertiesExclude) instead.")
        .define(MirrorConnectorConfig.topicFilterClassKey)
        .define(Key.configPropertyFilterClass, .class, defaultValue: .class(Defaults.configPropertyFilterClass),
                importance: .low,
                documentation: "ConfigPropertyFilter plugin that decides which topic config properties are replicated.")
        .define(MirrorConnectorConfig.consumerPollTimeoutKey)
        .define(MirrorConnectorConfig.scheduledFeatureKeys(
            Key.refreshTopics, enabled: true, intervalSeconds: Defaults.intervalSeconds,
            enabledDoc: "Whether new topics and partitions are looked for periodically.",
            intervalDoc: "Seconds between two looks for new topics and partitions."))
        .define(MirrorConnectorConfig.scheduledFeatureKeys(
            Key.syncTopicConfigs, enabled: true, intervalSeconds: Defaults.intervalSeconds,
            enabledDoc: "Whether remote topics' configs are periodically made to match their upstream topics.",
            intervalDoc: "Seconds between two topic config syncs."))
        .define(Key.useIncrementalAlterConfigs, .string, defaultValue: .string(IncrementalAlterConfigs.requested.rawValue),
                validator: .in("requested", "required", "never"), importance: .low,
                documentation: "Deprecated. API used to sync topic configs: 'requested' uses IncrementalAlterConfigs and falls back to AlterConfigs on brokers that lack it, 'required' uses IncrementalAlterConfigs only and fails on such brokers, 'never' always uses AlterConfigs. Kafka 4.0 removes the choice and behaves as 'required' (brokers must be 2.3.0 or newer).")
        .define(MirrorConnectorConfig.scheduledFeatureKeys(
            Key.syncTopicAcls, enabled: true, intervalSeconds: Defaults.intervalSeconds,
            enabledDoc: "Whether remote topics' ACLs are periodically made to match their upstream topics.",
            intervalDoc: "Seconds between two topic ACL syncs."))
        .define(Key.replicationFactor, .int, defaultValue: .int(Defaults.replicationFactor), importance: .low,
                documentation: "Replication factor of the remote topics this connector creates.")
        .define(Key.offsetSyncsTopicReplicationFactor, .short, defaultValue: .short(Defaults.offsetSyncsTopicReplicationFactor),
                importance: .low, documentation: "Replication factor of the offset-syncs topic.")
        .define(Key.offsetLagMax, .long, defaultValue: .long(Defaults.offsetLagMax), importance: .low,
                documentation: "How many records a replicated partition may advance past its last offset sync before a new sync is written.")
        .define(MirrorConnectorConfig.offsetSyncsTopicLocationKey)
        .define(Key.addSourceAliasToMetrics, .boolean, defaultValue: .boolean(false), importance: .low,
                documentation: "Deprecated. Whether replication metrics also carry a source tag (besides target, topic and partition); Kafka 4.0 always adds it.")
        .define(MirrorConnectorConfig.emitOffsetSyncsEnabledKey)
        .define(Key.heartbeatsReplicationEnabled, .boolean, defaultValue: .boolean(true), importance: .low,
                documentation: "Whether to replicate the heartbeats topics even when the topic filter does not include them. If set to true, heartbeats topics identified by the replication policy will always be replicated, regardless of the topic filter configuration. If set to false, heartbeats topics will only be replicated if the topic filter allows.")
}
