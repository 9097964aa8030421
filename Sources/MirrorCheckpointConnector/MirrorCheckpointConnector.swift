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
/// Its ``run()`` creates `<source>.checkpoints.internal` on the target (one partition, compacted,
/// `checkpoints.topic.replication.factor`), lists the source cluster's consumer groups and keeps
/// those the group filter accepts that have committed offsets on topics the topic filter accepts,
/// then re-lists them every `refresh.groups.interval.seconds`, asking for new task configs when
/// the set changes. Groups are split over `min(tasks.max, #groups)` tasks
/// (`task.assigned.groups`); there are no tasks before the first listing succeeded.
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
        /// `nil` until the first listing succeeded.
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

    public func start(_ props: [String: String], context: any ConnectorContext) async throws {
        let config = try MirrorCheckpointConfig(props)
        state.withLock { $0 = State(config: config) }
        guard config.common.enabled else {
            logger.info("Replication is disabled for this flow; no checkpoints", metadata: ["connector": "\(config.common.connectorName)"])
            return
        }
        _ = try config.common.replicationPolicy()
        let topicFilter = try config.topicFilter()
        let groupFilter = try config.groupFilter()
        let (sourceAdmin, targetAdmin) = try await config.common.adminClients(rolePrefix: "checkpoint", logger: logger)
        state.withLock {
            $0.running = Running(config: config, topicFilter: topicFilter, groupFilter: groupFilter,
                                 sourceAdmin: sourceAdmin, targetAdmin: targetAdmin, context: context)
        }
    }

    /// Creates the checkpoints topic, then keeps the consumer group list current.
    public func run() async throws {
        guard let running = state.withLock({ $0.running }) else {
            try await waitUntilCancelled()
            return
        }
        await createInternalTopics(running)
        var retryDelay = Duration.seconds(1)
        while true {
            let refreshed: Bool
            do {
                let groups = try await findConsumerGroups(running)
                refreshed = true
                retryDelay = .seconds(1)
                let change = state.withLock { state -> (previous: [String]?, changed: Bool) in
                    let previous = state.knownConsumerGroups
                    state.knownConsumerGroups = groups
                    return (previous, previous != groups)
                }
                if change.changed {
                    let previous = Set(change.previous ?? [])
                    logger.info("Found consumer groups to checkpoint", metadata: [
                        "connector": "\(running.config.common.connectorName)",
                        "groups": "\(groups.count)",
                        "new": "\(Set(groups).subtracting(previous).count)",
                        "removed": "\(previous.subtracting(groups).count)",
                    ])
                    running.context.requestTaskReconfiguration()
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                refreshed = false
                logger.error("Cannot list consumer groups on the source cluster", metadata: [
                    "cluster": "\(running.config.common.sourceClusterAlias)", "error": "\(error)",
                ])
            }
            if refreshed {
                guard let interval = running.config.refreshGroupsInterval else {
                    try await waitUntilCancelled()
                    return
                }
                try await Task.sleep(for: interval)
            } else {
                // Until the first listing succeeds there are no tasks, so retry sooner.
                let loaded = state.withLock { $0.knownConsumerGroups != nil }
                let interval = running.config.refreshGroupsInterval ?? retryDelay
                try await Task.sleep(for: loaded ? interval : min(retryDelay, interval))
                retryDelay = min(retryDelay * 2, .seconds(30))
            }
        }
    }

    public func taskConfigs(maxTasks: Int) async throws -> [[String: String]] {
        let (config, groups) = state.withLock { ($0.config, $0.knownConsumerGroups) }
        guard let config else { throw ConnectError("MirrorCheckpointConnector was not started") }
        guard config.common.enabled, config.emitCheckpointsInterval != nil else { return [] }
        guard let groups else {
            throw RetriableError("The consumer groups of the source cluster have not been listed yet")
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

    private func createInternalTopics(_ running: Running) async {
        let config = running.config
        do {
            let topic = config.checkpointsTopic(policy: try config.common.replicationPolicy())
            try await MirrorTopicAdmin.createSinglePartitionCompactedTopic(
                topic, replicationFactor: config.checkpointsTopicReplicationFactor, admin: running.targetAdmin,
                timeout: config.common.adminTimeout, logger: logger)
        } catch {
            logger.error("Cannot create the checkpoints topic on the target cluster", metadata: ["error": "\(error)"])
        }
    }

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
