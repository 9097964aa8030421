import ConnectAPI

/// The configuration every MirrorMaker 2 connector shares (Kafka's `MirrorConnectorConfig`):
/// the common connector keys, cluster aliases, replication policy, admin timeout and client
/// security settings, parsed into typed properties.
///
/// MirrorMaker 2 fills these in from `mm2.properties`; connectors created through the REST API
/// set them directly. Like Apache Kafka, `name`, `connector.class` and `source.cluster.alias`
/// are required (the latter has no default in the definition).
///
/// Deviations from Apache Kafka: every `*.interval.seconds` key rejects negative values instead of
/// treating them as "disabled"; a feature is disabled only through its `*.enabled` key. There are
/// no plugin classes to load, so `forwarding.admin.class` accepts only the default
/// `ForwardingAdmin` (the connectors manage topics, configs and ACLs with their own admin clients).
public struct MirrorConnectorConfig: Sendable {
    /// Property names shared by the MirrorMaker 2 connectors.
    public enum Key {
        public static let enabled = "enabled"
        public static let sourceClusterAlias = "source.cluster.alias"
        public static let targetClusterAlias = "target.cluster.alias"
        public static let replicationPolicyClass = "replication.policy.class"
        public static let replicationPolicySeparator = "replication.policy.separator"
        public static let internalTopicSeparatorEnabled = "replication.policy.internal.topic.separator.enabled"
        public static let adminTimeoutMs = "admin.timeout.ms"
        public static let forwardingAdminClass = "forwarding.admin.class"
        public static let metricReporters = "metric.reporters"
        public static let securityProtocol = "security.protocol"
        public static let autoIncludeJmxReporter = "auto.include.jmx.reporter"
        public static let topicFilterClass = "topic.filter.class"
        public static let offsetSyncsTopicLocation = "offset-syncs.topic.location"
        public static let emitOffsetSyncsEnabled = "emit.offset-syncs.enabled"
        public static let consumerPollTimeoutMs = "consumer.poll.timeout.ms"
        public static let topics = "topics"
        public static let topicsExclude = "topics.exclude"
        /// Deprecated alias of ``topicsExclude``.
        public static let topicsBlacklist = "topics.blacklist"
        /// Keys starting with this configure the offset-syncs topic.
        public static let offsetSyncsTopicPrefix = "offset-syncs.topic."
        /// Client roles starting with this belong to the offset-syncs clients.
        public static let offsetSyncsClientRolePrefix = "offset-syncs-"
        public static let taskIndex = "task.index"
    }

    /// Defaults that Apache Kafka exposes as constants.
    public enum Defaults {
        public static let targetClusterAlias = "target"
        public static let replicationPolicyClass = "org.apache.kafka.connect.mirror.DefaultReplicationPolicy"
        public static let replicationPolicySeparator = "."
        public static let internalTopicSeparatorEnabled = true
        public static let adminTimeoutMs: Int64 = 60_000
        public static let forwardingAdminClass = "org.apache.kafka.clients.admin.ForwardingAdmin"
        public static let securityProtocol = "PLAINTEXT"
        public static let topicFilterClass = "org.apache.kafka.connect.mirror.DefaultTopicFilter"
        public static let consumerPollTimeoutMs: Int64 = 1000
        public static let topics = [".*"]
        public static let topicsExclude = [#".*[\-\.]internal"#, #".*\.replica"#, "__.*"]
    }

    /// The parsed properties; `originals` holds them as given (after alias translation).
    public let parsed: ParsedConfig
    public let connectorName: String
    public let connectorClass: String
    public let tasksMax: Int32
    /// Whether replication source->target is on.
    public let enabled: Bool
    public let sourceClusterAlias: String
    public let targetClusterAlias: String
    public let replicationPolicyClass: String
    public let replicationPolicySeparator: String
    public let internalTopicSeparatorEnabled: Bool
    public let adminTimeout: Duration
    public let forwardingAdminClass: String
    /// Metric reporter classes; empty when unset.
    public let metricReporters: [String]
    public let securityProtocol: String

    /// Parses `properties` against `configDef` (a definition built on ``configDef``), throwing the
    /// first error the way Kafka's `AbstractConfig` does.
    public init(configDef: ConfigDef = Self.configDef, properties: [String: String]) throws(ConfigException) {
        let parsed = try configDef.parse(properties)
        self.parsed = parsed
        connectorName = try parsed.string(ConnectorConfig.name)
        connectorClass = try parsed.string(ConnectorConfig.connectorClass)
        tasksMax = try parsed.int(ConnectorConfig.tasksMax)
        enabled = try parsed.bool(Key.enabled)
        sourceClusterAlias = try parsed.string(Key.sourceClusterAlias)
        targetClusterAlias = try parsed.string(Key.targetClusterAlias)
        replicationPolicyClass = try parsed.className(Key.replicationPolicyClass)
        replicationPolicySeparator = try parsed.string(Key.replicationPolicySeparator)
        internalTopicSeparatorEnabled = try parsed.bool(Key.internalTopicSeparatorEnabled)
        adminTimeout = .milliseconds(try parsed.long(Key.adminTimeoutMs))
        forwardingAdminClass = try parsed.className(Key.forwardingAdminClass)
        if let problem = Self.forwardingAdminProblem(forwardingAdminClass) {
            throw ConfigException(name: Key.forwardingAdminClass, value: forwardingAdminClass, reason: problem)
        }
        metricReporters = try parsed.listOrEmpty(Key.metricReporters)
        securityProtocol = try parsed.string(Key.securityProtocol)
    }

    /// The properties as given (after alias translation).
    public var originals: [String: String] { parsed.originals }

    /// `<source>-><target>|<connector name>`, the prefix of every client id the connector sets.
    public var entityLabel: String {
        "\(sourceClusterAlias)->\(targetClusterAlias)|\(connectorName)"
    }

    /// The interval of a periodic feature: `nil` when `<feature>.enabled` is false, otherwise
    /// `<feature>.interval.seconds`.
    public func interval(of feature: String) throws(ConfigException) -> Duration? {
        guard try parsed.bool(feature + ".enabled") else { return nil }
        return .seconds(try parsed.long(feature + ".interval.seconds"))
    }

    /// Why `forwarding.admin.class` = `className` cannot be honoured, or `nil` for the default
    /// `ForwardingAdmin` (full or simple name).
    public static func forwardingAdminProblem(_ className: String) -> String? {
        let builtin = Defaults.forwardingAdminClass
        if className == builtin || className == builtin.split(separator: ".").last.map(String.init) { return nil }
        return "only \(builtin) is available in this runtime, which has no plugin classes to load; "
            + "topics, configs and ACLs are managed with the connector's admin clients"
    }

    /// The value of `offset-syncs.topic.location`, for definitions that declare it.
    public func offsetSyncsTopicLocation() throws(ConfigException) -> OffsetSyncsTopicLocation {
        let raw = try parsed.string(Key.offsetSyncsTopicLocation)
        guard let location = OffsetSyncsTopicLocation(rawValue: raw) else {
            throw ConfigException(name: Key.offsetSyncsTopicLocation, value: raw, reason: "String must be one of: source, target")
        }
        return location
    }
}

// MARK: - Definitions

extension MirrorConnectorConfig {
    /// The common connector keys followed by the keys shared by all MirrorMaker 2 connectors
    /// (Kafka's `BASE_CONNECTOR_CONFIG_DEF`).
    public static let configDef = ConnectorConfig.configDef
        .define(Key.enabled, .boolean, defaultValue: .boolean(true), importance: .low,
                documentation: "Whether this source->target flow replicates.")
        .define(Key.sourceClusterAlias, .string, importance: .high,
                documentation: "Alias of the cluster replicated from.")
        .define(Key.targetClusterAlias, .string, defaultValue: .string(Defaults.targetClusterAlias), importance: .high,
                documentation: "Alias of the cluster replicated to; also tags metrics.")
        .define(Key.adminTimeoutMs, .long, defaultValue: .long(Defaults.adminTimeoutMs), importance: .low,
                documentation: "Timeout, in milliseconds, of administrative operations such as listing new topics.")
        .define(Key.replicationPolicyClass, .class, defaultValue: .class(Defaults.replicationPolicyClass), importance: .low,
                documentation: "Replication policy deciding how remote topics are named.")
        .define(Key.replicationPolicySeparator, .string, defaultValue: .string(Defaults.replicationPolicySeparator),
                importance: .low,
                documentation: "Separator the replication policy puts between a cluster alias and a topic name.")
        .define(Key.internalTopicSeparatorEnabled, .boolean, defaultValue: .boolean(Defaults.internalTopicSeparatorEnabled),
                importance: .low,
                documentation: "Whether replication.policy.separator is also used in the names of the checkpoints and offset-syncs topics. Set to false to keep the '.'-separated names that MirrorMaker 2 used before custom separators applied to them.")
        .define(Key.forwardingAdminClass, .class, defaultValue: .class(Defaults.forwardingAdminClass), importance: .low,
                documentation: "ForwardingAdmin subclass that manages cluster resources (topics, configs, ACLs); it is built from the admin client properties and may reach external systems.")
        .define(Key.metricReporters, .list, defaultValue: .null, importance: .low,
                documentation: "Classes notified of new metrics, in addition to JMX.")
        .define(Key.securityProtocol, .string, defaultValue: .string(Defaults.securityProtocol),
                validator: .caseInsensitiveIn("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"), importance: .medium,
                documentation: "Protocol used to talk to brokers: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.")
        .define(Key.autoIncludeJmxReporter, .boolean, defaultValue: .boolean(true), importance: .low,
                documentation: "Deprecated. Whether the JMX reporter is added even when metric.reporters does not list it.")
        .withClientSslSupport()
        .withClientSaslSupport()

    /// `topic.filter.class`, used by the source and checkpoint connectors.
    public static let topicFilterClassKey = ConfigKey(
        name: Key.topicFilterClass, type: .class, defaultValue: .class(Defaults.topicFilterClass), importance: .low,
        documentation: "TopicFilter plugin that decides which topics are replicated.")

    /// `offset-syncs.topic.location`, used by the source and checkpoint connectors.
    public static let offsetSyncsTopicLocationKey = ConfigKey(
        name: Key.offsetSyncsTopicLocation, type: .string, defaultValue: .string(OffsetSyncsTopicLocation.source.rawValue),
        validator: .in("source", "target"), importance: .low,
        documentation: "Cluster (source or target) on which the offset-syncs topic lives.")

    /// `consumer.poll.timeout.ms`, used by the source and checkpoint connectors.
    public static let consumerPollTimeoutKey = ConfigKey(
        name: Key.consumerPollTimeoutMs, type: .long, defaultValue: .long(Defaults.consumerPollTimeoutMs), importance: .low,
        documentation: "How long, in milliseconds, one poll of the source cluster may block.")

    /// `emit.offset-syncs.enabled` (KIP-1031), defined by the source connector.
    public static let emitOffsetSyncsEnabledKey = ConfigKey(
        name: Key.emitOffsetSyncsEnabled, type: .boolean, defaultValue: .boolean(true), importance: .low,
        documentation: "Whether the source connector records upstream/downstream offset pairs in the offset-syncs topic. Without them MirrorCheckpointConnector can neither emit checkpoints nor sync group offsets.")

    /// The keys of the default topic filter (`topics`, `topics.exclude` and its deprecated alias
    /// `topics.blacklist`); every value must be a valid regular expression.
    public static let topicFilterDef = ConfigDef()
        .define(Key.topics, .list, defaultValue: .list(Defaults.topics), validator: .regexList, importance: .high,
                documentation: "Topics to replicate, as comma-separated names or regular expressions.")
        .define(Key.topicsExclude, .list, defaultValue: .list(Defaults.topicsExclude), validator: .regexList,
                importance: .high,
                documentation: "Topics never to replicate, as comma-separated names or regular expressions; exclusion wins over inclusion.")
        .define(Key.topicsBlacklist, .list, defaultValue: .null, validator: .regexList, importance: .high,
                documentation: "Deprecated. Use \(Key.topicsExclude) instead.")

    /// Defines `<feature>.enabled` and `<feature>.interval.seconds`. The interval rejects negative
    /// values (a deviation from Apache Kafka, where some negatives mean "disabled"): the error
    /// points at the `.enabled` key instead.
    public static func scheduledFeatureKeys(
        _ feature: String, enabled: Bool, intervalSeconds: Int64, enabledDoc: String, intervalDoc: String
    ) -> [ConfigKey] {
        let enabledKey = feature + ".enabled"
        let intervalKey = feature + ".interval.seconds"
        let nonNegative = ConfigValidator(description: "[0,...]") { name, value throws(ConfigException) in
            if case .long(let seconds)? = value, seconds < 0 {
                throw ConfigException(
                    name: name, value: String(seconds),
                    reason: "Value must be at least 0; set \(enabledKey)=false to disable instead")
            }
        }
        return [
            ConfigKey(name: enabledKey, type: .boolean, defaultValue: .boolean(enabled), importance: .low,
                      documentation: enabledDoc),
            ConfigKey(name: intervalKey, type: .long, defaultValue: .long(intervalSeconds), validator: nonNegative,
                      importance: .low, documentation: intervalDoc),
        ]
    }
}
