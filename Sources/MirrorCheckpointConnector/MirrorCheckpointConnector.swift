import ConnectAPI
import Foundation
import Kafka
import KafkaProtocol
import Logging
import MirrorClient
import MirrorCommon
import Synchronization

/// Replicates consumer group progress from the source to the target cluster as checkpoints
/// (Apache's `MirrorCheckpointConnector`).
///
/// Its ``start(_:context:)`` creates `<source>.checkpoints.internal` on the target (one
/// partition, compacted, `checkpoints.topic.replication.factor`), lists the source cluster's
/// consumer groups and keeps those the group filter accepts that have committed offsets on
/// topics the topic filter accepts; ``run()`` re-lists them every
/// `refresh.groups.interval.seconds`, asking for new task configs when the set changes. Groups
/// are split over `min(tasks.max, #groups)` tasks (`task.assigned.groups`).
///
/// Deviation from Apache Kafka, which stays RUNNING with no tasks and only logs: when the
/// checkpoints topic cannot be created or the source cluster's groups cannot be listed within
/// `admin.timeout.ms`, `start` fails, so the connector goes FAILED with the reason. Later
/// refreshes that fail are logged and retried at the next interval.
public final class MirrorCheckpointConnector: SourceConnector {
    public static let className = "org.apache.kafka.connect.mirror.MirrorCheckpointConnector"

    private struct Running: Sendable {
        let config: MirrorCheckpointConfig
        let topicFilter: TopicFilter
        let groupFilter: GroupFilter
        let sourceAdmin: KafkaAdminClient
        let targetAdmin: KafkaAdminClient
        let context: any ConnectorContext
    }

    private struct State: Sendable {
        var config: MirrorCheckpointConfig?
        var running: Running?
        /// Set by a successful `start` of an enabled connector.
        var knownConsumerGroups: [String]?
    }

    private let logger: Logger
    private let state = Mutex(State())

    public init() {
        logger = Logger(label: "MirrorCheckpointConnector")
    }

    public var version: String { MirrorPlugin.version }
    public var configDef: ConfigDef { MirrorCheckpointConfig.configDef }
    public var taskType: any SourceTask.Type { MirrorCheckpointTask.self }

    public func validate(_ props: [String: String]) -> [ConfigValue] {
        var values = MirrorCheckpointConfig.validate(props)
        for (key, defaultClass) in [
            (MirrorCheckpointConfig.Key.groupFilterClass, MirrorCheckpointConfig.Defaults.groupFilterClass),
            (MirrorConnectorConfig.Key.topicFilterClass, MirrorConnectorConfig.Defaults.topicFilterClass),
        ] {
            guard let value = props[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { continue }
            if !MirrorCheckpointConfig.isDefaultFilterClass(value, defaultClass) {
                values.addErrorMessage("Class \(value) is not supported; only \(defaultClass) is", to: key)
            }
        }
        MirrorConnectorConfig.addValidationProblems(props, clusters: [.source, .target], to: &values)
        return values
    }

    /// Parses the configuration, creates the checkpoints topic and lists the groups to checkpoint.
    /// - Throws: ``ConfigException`` or ``ConnectError`` for a bad configuration; ``ConnectError``
    ///   when the checkpoints topic cannot be created on the target or the source cluster's groups
    ///   cannot be listed.
    public func start(_ props: [String: String], context: any ConnectorContext) async throws {
        let config = try MirrorCheckpointConfig(props)
        state.withLock { $0 = State(config: config) }
        guard config.common.enabled else {
            logger.info("Replication is disabled for this flow; no checkpoints", metadata: ["connector": "\(config.common.connectorName)"])
            return
        }
        guard config.emitCheckpointsInterval != nil else {
            logger.info("emit.checkpoints.enabled is false; no checkpoints", metadata: ["connector": "\(config.common.connectorName)"])
            return
        }
        let policy = try config.common.replicationPolicy()
        let topicFilter = try config.topicFilter()
        let groupFilter = try config.groupFilter()
        let (sourceAdmin, targetAdmin) = try await config.common.adminClients(rolePrefix: "checkpoint", logger: logger)
        let running = Running(config: config, topicFilter: topicFilter, groupFilter: groupFilter,
                              sourceAdmin: sourceAdmin, targetAdmin: targetAdmin, context: context)
        let groups: [String]
        do {
            try await MirrorTopicAdmin.createSinglePartitionCompactedTopic(
                config.checkpointsTopic(policy: policy), replicationFactor: config.checkpointsTopicReplicationFactor,
                admin: targetAdmin, timeout: config.common.adminTimeout, logger: logger)
        } catch {
            await close(running)
            throw ConnectError(
                "MirrorCheckpointConnector could not create its checkpoints topic on target cluster '\(config.common.targetClusterAlias)'",
                underlying: error)
        }
        do {
            groups = try await findConsumerGroups(running)
        } catch {
            await close(running)
            throw ConnectError(
                "MirrorCheckpointConnector could not list the consumer groups of source cluster '\(config.common.sourceClusterAlias)' "
                    + "within \(config.common.adminTimeout) (\(MirrorConnectorConfig.Key.adminTimeoutMs))", underlying: error)
        }
        state.withLock {
            $0.running = running
            $0.knownConsumerGroups = groups
        }
        logger.info("Started MirrorCheckpointConnector", metadata: [
            "connector": "\(config.common.connectorName)", "groups": "\(groups.count)",
        ])
    }

    /// Re-lists the consumer groups every `refresh.groups.interval.seconds` until cancelled.
    public func run() async throws {
        guard let running = state.withLock({ $0.running }), let configured = running.config.refreshGroupsInterval else {
            try await waitUntilCancelled()
            return
        }
        let interval = max(configured, .seconds(1))
        while true {
            try await Task.sleep(for: interval)
            do {
                try await refreshConsumerGroups(running)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                logger.error("Cannot list consumer groups on the source cluster", metadata: [
                    "cluster": "\(running.config.common.sourceClusterAlias)", "error": "\(error)",
                ])
            }
        }
    }

    private func refreshConsumerGroups(_ running: Running) async throws {
        let groups = try await findConsumerGroups(running)
        let previous = state.withLock { state -> [String]? in
            defer { state.knownConsumerGroups = groups }
            return state.knownConsumerGroups
        }
        guard previous != groups else { return }
        let before = Set(previous ?? [])
        logger.info("Consumer groups to checkpoint changed", metadata: [
            "connector": "\(running.config.common.connectorName)",
            "groups": "\(groups.count)",
            "new": "\(Set(groups).subtracting(before).count)",
            "removed": "\(before.subtracting(groups).count)",
        ])
        running.context.requestTaskReconfiguration()
    }

    public func taskConfigs(maxTasks: Int) async throws -> [[String: String]] {
        let (config, groups) = state.withLock { ($0.config, $0.knownConsumerGroups) }
        guard let config else { throw ConnectError("MirrorCheckpointConnector was not started") }
        guard config.common.enabled, config.emitCheckpointsInterval != nil else { return [] }
        guard let groups else {
            throw ConnectError("MirrorCheckpointConnector has not listed the source cluster's consumer groups")
        }
        return Self.taskConfigs(connector: config.common.originals, groups: groups, maxTasks: maxTasks)
    }

    /// Splits `groups` into `min(maxTasks, #groups)` contiguous runs, the first ones one group
    /// longer when they do not divide evenly (Apache's `ConnectorUtils.groupPartitions`).
    public static func taskConfigs(connector: [String: String], groups: [String], maxTasks: Int) -> [[String: String]] {
        let count = min(maxTasks, groups.count)
        guard count > 0 else { return [] }
        let perTask = groups.count / count
        let remainder = groups.count % count
        var start = 0
        return (0..<count).map { index in
            let size = perTask + (index < remainder ? 1 : 0)
            defer { start += size }
            return MirrorCheckpointTaskConfig.taskProperties(
                connector: connector, groups: Array(groups[start..<(start + size)]), index: index)
        }
    }

    public func stop() async {
        guard let running = state.withLock({ state in defer { state.running = nil }; return state.running }) else { return }
        await close(running)
    }

    private func close(_ running: Running) async {
        await running.sourceAdmin.close()
        await running.targetAdmin.close()
    }

    /// Accepts only `{"offset":0}` (or a reset) for partitions `{"group","topic","partition"}`:
    /// the task never reads these offsets (KAFKA-15177).
    public func alterOffsets(connectorConfig: [String: String], offsets: [SourcePartition: SourceOffset?]) async throws -> Bool {
        for (partition, offset) in offsets {
            guard let offset else { continue }
            try MirrorOffsetsValidation.requireString(partition, Checkpoint.consumerGroupIdKey)
            try MirrorOffsetsValidation.requireString(partition, Checkpoint.topicKey)
            try MirrorOffsetsValidation.requirePartition(partition)
            try MirrorOffsetsValidation.requireOffsetZero(partition: partition, offset: offset)
        }
        return true
    }

    // MARK: Work

    /// The source groups to checkpoint, sorted: accepted by the group filter and with committed
    /// offsets on at least one topic the topic filter accepts.
    private func findConsumerGroups(_ running: Running) async throws -> [String] {
        let timeout = running.config.common.adminTimeout
        let listed = try await running.sourceAdmin.listConsumerGroups(timeout: timeout)
        var groups: [String] = []
        var irrelevant: [String] = []
        for listing in listed where running.groupFilter.shouldReplicateGroup(listing.groupID) {
            try Task.checkCancellation()
            let offsets = try await running.sourceAdmin.listConsumerGroupOffsets(listing.groupID, timeout: timeout)
            if offsets.keys.contains(where: { running.topicFilter.shouldReplicateTopic($0.topic) }) {
                groups.append(listing.groupID)
            } else {
                irrelevant.append(listing.groupID)
            }
        }
        if !irrelevant.isEmpty {
            logger.debug("Ignoring groups without offsets on replicated topics", metadata: ["groups": "\(irrelevant.joined(separator: ","))"])
        }
        return groups.sorted()
    }
}
