import ConnectAPI
import Kafka
import Logging
import MirrorClient
import MirrorCommon
import Synchronization

/// Emits heartbeats from the source to the target cluster (Apache's `MirrorHeartbeatConnector`).
///
/// Its ``start(_:context:)`` creates the `heartbeats` topic on the target cluster (one partition,
/// compacted, `heartbeats.topic.replication.factor`); it has exactly one task, or none when
/// `emit.heartbeats.enabled` is false. Replicated onwards, heartbeats let
/// ``MirrorClusterClient`` find upstream clusters and count replication hops.
///
/// Deviation from Apache Kafka, which only logs: when the topic can be neither found nor
/// created (target unreachable within `admin.timeout.ms`, a replication factor the cluster
/// cannot satisfy), `start` fails, so the connector goes FAILED with the reason.
public final class MirrorHeartbeatConnector: SourceConnector {
    public static let className = "org.apache.kafka.connect.mirror.MirrorHeartbeatConnector"

    private let logger: Logger
    private let config = Mutex<MirrorHeartbeatConfig?>(nil)

    public init() {
        logger = Logger(label: "MirrorHeartbeatConnector")
    }

    public var version: String { MirrorPlugin.version }
    public var configDef: ConfigDef { MirrorHeartbeatConfig.configDef }
    public var taskType: any SourceTask.Type { MirrorHeartbeatTask.self }

    public func validate(_ props: [String: String]) -> [ConfigValue] {
        var values = MirrorHeartbeatConfig.validate(props)
        // Heartbeats go to the target only (the worker's producer writes them).
        MirrorConnectorConfig.addValidationProblems(props, clusters: [.target], to: &values)
        return values
    }

    /// Parses the configuration and, unless heartbeats are disabled, creates the heartbeats topic.
    /// - Throws: ``ConfigException`` or ``ConnectError`` for a bad configuration;
    ///   ``ConnectError`` when the heartbeats topic cannot be created on the target cluster.
    public func start(_ props: [String: String], context: any ConnectorContext) async throws {
        let config = try MirrorHeartbeatConfig(props)
        let policy = try config.common.replicationPolicy()
        self.config.withLock { $0 = config }
        // Nothing will be written without heartbeats, so there is no topic to create.
        guard config.emitHeartbeatsInterval != nil else { return }
        let admin = try KafkaAdminClient(
            configuration: KafkaConfiguration(config.common.targetAdminConfig(role: "heartbeats-target-admin")), logger: logger)
        do {
            try await MirrorTopicAdmin.createSinglePartitionCompactedTopic(
                policy.heartbeatsTopic, replicationFactor: config.heartbeatsTopicReplicationFactor, admin: admin,
                timeout: config.common.adminTimeout, logger: logger)
        } catch {
            await admin.close()
            throw ConnectError(
                "MirrorHeartbeatConnector could not create its heartbeats topic on target cluster '\(config.common.targetClusterAlias)'",
                underlying: error)
        }
        await admin.close()
    }

    public func taskConfigs(maxTasks: Int) async throws -> [[String: String]] {
        guard let config = config.withLock({ $0 }) else { throw ConnectError("MirrorHeartbeatConnector was not started") }
        return Self.taskConfigs(config, maxTasks: maxTasks)
    }

    /// Exactly one task with the connector's properties, or none when `emit.heartbeats.enabled`
    /// is false (or `maxTasks` is 0).
    public static func taskConfigs(_ config: MirrorHeartbeatConfig, maxTasks: Int) -> [[String: String]] {
        guard config.emitHeartbeatsInterval != nil, maxTasks > 0 else { return [] }
        return [config.common.originals]
    }

    public func stop() async {}

    /// Accepts only `{"offset":0}` (or a reset) for partitions
    /// `{"sourceClusterAlias","targetClusterAlias"}`: the task never reads them (KAFKA-15177).
    public func alterOffsets(connectorConfig: [String: String], offsets: [SourcePartition: SourceOffset?]) async throws -> Bool {
        for (partition, offset) in offsets {
            guard let offset else { continue }
            try MirrorOffsetsValidation.requireString(partition, Heartbeat.sourceClusterAliasKey)
            try MirrorOffsetsValidation.requireString(partition, Heartbeat.targetClusterAliasKey)
            try MirrorOffsetsValidation.requireOffsetZero(partition: partition, offset: offset)
        }
        return true
    }
}
