import ConnectAPI
import Foundation
import Kafka
import Logging
import MirrorClient
import MirrorCommon
import Synchronization

/// Emits heartbeats from the source to the target cluster (Apache's `MirrorHeartbeatConnector`).
///
/// Its ``run()`` creates the `heartbeats` topic on the target cluster (one partition, compacted,
/// `heartbeats.topic.replication.factor`); it has exactly one task, or none when
/// `emit.heartbeats.enabled` is false. Replicated onwards, heartbeats let
/// ``MirrorClusterClient`` find upstream clusters and count replication hops.
public final class MirrorHeartbeatConnector: SourceConnector {
    public static let className = "org.apache.kafka.connect.mirror.MirrorHeartbeatConnector"

    private struct State: Sendable {
        var config: MirrorHeartbeatConfig?
        var targetAdmin: KafkaAdminClient?
    }

    private let logger: Logger
    private let state = Mutex(State())

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

    public func start(_ props: [String: String], context: any ConnectorContext) async throws {
        let config = try MirrorHeartbeatConfig(props)
        _ = try config.common.replicationPolicy()
        let admin = try KafkaAdminClient(
            configuration: KafkaConfiguration(config.common.targetAdminConfig(role: "heartbeats-target-admin")), logger: logger)
        state.withLock { $0 = State(config: config, targetAdmin: admin) }
    }

    /// Creates the heartbeats topic, then waits until cancelled.
    public func run() async throws {
        let (config, admin) = state.withLock { ($0.config, $0.targetAdmin) }
        if let config, let admin {
            do {
                let topic = try config.common.replicationPolicy().heartbeatsTopic
                try await MirrorTopicAdmin.createSinglePartitionCompactedTopic(
                    topic, replicationFactor: config.heartbeatsTopicReplicationFactor, admin: admin,
                    timeout: config.common.adminTimeout, logger: logger)
            } catch {
                logger.error("Cannot create the heartbeats topic on the target cluster", metadata: ["error": "\(error)"])
            }
        }
        try await waitUntilCancelled()
    }

    public func taskConfigs(maxTasks: Int) async throws -> [[String: String]] {
        guard let config = state.withLock({ $0.config }) else { throw ConnectError("MirrorHeartbeatConnector was not started") }
        guard config.emitHeartbeatsInterval != nil, maxTasks > 0 else { return [] }
        return [config.common.originals]
    }

    public func stop() async {
        let admin = state.withLock { state in defer { state.targetAdmin = nil }; return state.targetAdmin }
        await admin?.close()
    }

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
