import ConnectAPI
import Foundation
import Kafka
import KafkaProtocol
import Logging
import MirrorClient
import MirrorCommon
import Synchronization

/// Emits checkpoints for its consumer groups (Apache's `MirrorCheckpointTask`): every
/// `emit.checkpoints.interval.seconds` it reads each group's committed offsets on the source
/// cluster, translates them with the offset syncs, and returns checkpoint records for
/// `<source>.checkpoints.internal` on the target (partition 0). With
/// `sync.group.offsets.enabled` it also writes the translated offsets to the target cluster's
/// groups, when they have no active members and only forward.
///
/// Loading (previous checkpoints, then the offset syncs topic read to its end) happens in the
/// first `poll`, so `start` returns at once; source partitions are
/// `{"partition","topic","group"}` (target topic) and every source offset is `{"offset":0}`.
public final class MirrorCheckpointTask: SourceTask {
    public static let className = "org.apache.kafka.connect.mirror.MirrorCheckpointTask"

    private struct Resources: Sendable {
        let config: MirrorCheckpointTaskConfig
        let checkpointsTopic: String
        let offsetSyncsTopic: String
        let sourceAdmin: KafkaAdminClient
        let targetAdmin: KafkaAdminClient
        let offsetSyncsReader: PartitionLogReader
        let emitInterval: Duration
        let syncInterval: Duration?
        let adminTimeout: Duration
    }

    private struct State: Sendable {
        var emitter: CheckpointEmitter?
        var checkpointsLoaded = false
        var nextCheckpointRound = ContinuousClock.now
        var nextGroupSync: ContinuousClock.Instant?
        var reportedMissingSyncsTopic = false
    }

    private let logger: Logger
    private let resources = Mutex<Resources?>(nil)
    private let state = Mutex(State())

    public init() {
        logger = Logger(label: "MirrorCheckpointTask")
    }

    public var version: String { MirrorPlugin.version }

    public func start(_ props: [String: String], context: any SourceTaskContext) async throws {
        let config = try MirrorCheckpointTaskConfig(props)
        let connector = config.connector
        let policy = try connector.common.replicationPolicy()
        let emitter = CheckpointEmitter(
            sourceClusterAlias: connector.common.sourceClusterAlias,
            targetClusterAlias: connector.common.targetClusterAlias,
            replicationPolicy: policy,
            topicFilter: try connector.topicFilter())
        let offsetSyncsTopic = connector.offsetSyncsTopic(policy: policy)
        let sourceAdmin = try KafkaAdminClient(
            configuration: KafkaConfiguration(connector.common.sourceAdminConfig(role: "checkpoint-source-admin")), logger: logger)
        let targetAdmin: KafkaAdminClient
        let reader: PartitionLogReader
        do {
            targetAdmin = try KafkaAdminClient(
                configuration: KafkaConfiguration(connector.common.targetAdminConfig(role: "checkpoint-target-admin")), logger: logger)
            do {
                reader = try PartitionLogReader(
                    partition: TopicPartition(topic: offsetSyncsTopic, partition: 0),
                    consumerProperties: connector.offsetSyncsTopicConsumerConfig, logger: logger)
            } catch {
                await targetAdmin.close()
                throw error
            }
        } catch {
            await sourceAdmin.close()
            throw error
        }
        let emitInterval = max(connector.emitCheckpointsInterval ?? .seconds(MirrorCheckpointConfig.Defaults.emitCheckpointsIntervalSeconds), Self.minimumInterval)
        let syncInterval = connector.syncGroupOffsetsInterval.map { max($0, Self.minimumInterval) }
        resources.withLock {
            $0 = Resources(
                config: config, checkpointsTopic: connector.checkpointsTopic(policy: policy), offsetSyncsTopic: offsetSyncsTopic,
                sourceAdmin: sourceAdmin, targetAdmin: targetAdmin, offsetSyncsReader: reader,
                emitInterval: emitInterval, syncInterval: syncInterval, adminTimeout: connector.common.adminTimeout)
        }
        let now = ContinuousClock.now
        state.withLock {
            $0 = State(emitter: emitter, nextCheckpointRound: now + emitInterval, nextGroupSync: syncInterval.map { now + $0 })
        }
        logger.info("Checkpointing consumer groups", metadata: [
            "flow": "\(connector.common.sourceClusterAlias)->\(connector.common.targetClusterAlias)",
            "groups": "\(config.groups.joined(separator: ","))", "task.index": "\(config.taskIndex.map(String.init) ?? "?")",
        ])
    }

    /// Waits for the next checkpoint or group-offset-sync round and runs it; returns the
    /// checkpoints of a checkpoint round (possibly none).
    public func poll() async throws -> [SourceRecord] {
        guard let resources = resources.withLock({ $0 }) else { throw ConnectError("MirrorCheckpointTask was not started") }
        if !state.withLock({ $0.checkpointsLoaded }) {
            await loadCheckpoints(resources)
        }
        let (nextCheckpoint, nextSync) = state.withLock { ($0.nextCheckpointRound, $0.nextGroupSync) }
        let wake = nextSync.map { min($0, nextCheckpoint) } ?? nextCheckpoint
        try await Task.sleep(until: wake, clock: .continuous)
        let now = ContinuousClock.now
        if let nextSync, now >= nextSync, let interval = resources.syncInterval {
            await syncGroupOffsets(resources)
            state.withLock { $0.nextGroupSync = ContinuousClock.now + interval }
        }
        guard now >= nextCheckpoint else { return [] }
        let records = await checkpointRound(resources)
        let next = ContinuousClock.now + resources.emitInterval
        state.withLock { $0.nextCheckpointRound = next }
        return records
    }

    public func stop() async {
        guard let resources = resources.withLock({ resources in defer { resources = nil }; return resources }) else { return }
        await resources.offsetSyncsReader.close()
        await resources.sourceAdmin.close()
        await resources.targetAdmin.close()
    }

    // MARK: Rounds

    /// One round: new offset syncs, then each group's committed offsets into checkpoints.
    private func checkpointRound(_ resources: Resources) async -> [SourceRecord] {
        await readOffsetSyncs(resources)
        let timestamp = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        var records: [SourceRecord] = []
        for group in resources.config.groups where !Task.isCancelled {
            let upstream: [TopicPartition: OffsetAndMetadata]
            do {
                upstream = try await resources.sourceAdmin.listConsumerGroupOffsets(group, timeout: resources.adminTimeout)
            } catch {
                logger.error("Cannot read the offsets of a consumer group on the source cluster",
                             metadata: ["group": "\(group)", "error": "\(error)"])
                continue
            }
            let checkpoints = state.withLock { state in
                state.emitter?.emitCheckpoints(group: group, upstreamOffsets: upstream) ?? [:]
            }
            for checkpoint in checkpoints.values.sorted(by: { $0.topicPartition < $1.topicPartition }) {
                do {
                    records.append(try Self.checkpointRecord(checkpoint, topic: resources.checkpointsTopic, timestamp: timestamp))
                } catch {
                    logger.error("Cannot encode a checkpoint", metadata: ["checkpoint": "\(checkpoint)", "error": "\(error)"])
                }
            }
        }
        return records
    }

    /// The record of a checkpoint: partition 0 of the checkpoints topic, source partition
    /// `{"partition","topic","group"}` (Java's HashMap order), source offset `{"offset":0}`.
    public static func checkpointRecord(_ checkpoint: Checkpoint, topic: String, timestamp: Int64) throws -> SourceRecord {
        SourceRecord(
            sourcePartition: [
                Checkpoint.partitionKey: .int64(Int64(checkpoint.topicPartition.partition)),
                Checkpoint.topicKey: .string(checkpoint.topicPartition.topic),
                Checkpoint.consumerGroupIdKey: .string(checkpoint.consumerGroupId),
            ],
            sourceOffset: ["offset": 0],
            topic: topic,
            kafkaPartition: 0,
            keySchema: .bytes, key: .bytes(try checkpoint.encodeKey()),
            valueSchema: .bytes, value: .bytes(try checkpoint.encodeValue()),
            timestamp: timestamp)
    }

    /// Reads the checkpoints already in the checkpoints topic (KAFKA-15905). When they cannot be
    /// read, offset syncs loaded at start are limited to the latest per partition instead.
    private func loadCheckpoints(_ resources: Resources) async {
        let topic = resources.checkpointsTopic
        var loaded = CheckpointStore()
        var success = true
        do {
            let reader = try PartitionLogReader(
                partition: TopicPartition(topic: topic, partition: 0),
                consumerProperties: resources.config.connector.common.targetConsumerConfig(
                    role: MirrorCheckpointConfig.checkpointsTargetConsumerRole),
                logger: logger)
            do {
                let batch = try await reader.readToEnd(timeout: resources.adminTimeout)
                await reader.close()
                if batch.reachedEnd {
                    loaded = CheckpointStore(records: batch.records, groups: Set(resources.config.groups), logger: logger)
                } else {
                    success = false
                    logger.info("Could not read the checkpoints topic to its end in time; only checkpoints for offsets mirrored from now on will be emitted",
                                metadata: ["topic": "\(topic)"])
                }
            } catch let error as KafkaError where error.code == .unknownTopicOrPartition {
                await reader.close()
                logger.debug("No checkpoints topic yet", metadata: ["topic": "\(topic)"])
            } catch {
                await reader.close()
                throw error
            }
        } catch {
            success = false
            logger.info("Could not load the checkpoints topic; only checkpoints for offsets mirrored from now on will be emitted",
                        metadata: ["topic": "\(topic)", "error": "\(error)"])
        }
        let ok = success
        let store = loaded
        state.withLock { state in
            state.emitter?.checkpointStore = store
            state.emitter?.offsetSyncStore.beginInitialRead(mustReadToEnd: !ok)
            state.checkpointsLoaded = true
        }
        logger.debug("Loaded checkpoints", metadata: ["success": "\(ok)", "groups": "\(store.checkpointsPerConsumerGroup.count)"])
    }

    /// Reads offset syncs written since the last round; the first complete read enables translation.
    private func readOffsetSyncs(_ resources: Resources) async {
        let batch: PartitionLogReader.Batch
        do {
            batch = try await resources.offsetSyncsReader.readToEnd(timeout: resources.adminTimeout)
        } catch let error as KafkaError where error.code == .unknownTopicOrPartition {
            let first = state.withLock { state in defer { state.reportedMissingSyncsTopic = true }; return !state.reportedMissingSyncsTopic }
            logger.log(level: first ? .warning : .debug, "The offset-syncs topic does not exist yet; no checkpoints until it does",
                       metadata: ["topic": "\(resources.offsetSyncsTopic)"])
            return
        } catch is CancellationError {
            return
        } catch {
            logger.warning("Cannot read the offset-syncs topic", metadata: ["topic": "\(resources.offsetSyncsTopic)", "error": "\(error)"])
            return
        }
        var syncs: [OffsetSync] = []
        for record in batch.records {
            guard let key = record.key, let value = record.value else { continue }
            do {
                syncs.append(try OffsetSync.decode(key: key, value: value))
            } catch {
                logger.warning("Ignored an invalid offset sync", metadata: ["offset": "\(record.offset)", "error": "\(error)"])
            }
        }
        let becameReady = state.withLock { state -> Bool in
            guard state.emitter != nil else { return false }
            for sync in syncs { state.emitter!.offsetSyncStore.handle(sync) }
            guard batch.reachedEnd, !state.emitter!.offsetSyncStore.isReadToEnd else { return false }
            state.emitter!.offsetSyncStore.markReadToEnd()
            return true
        }
        if becameReady {
            logger.info("Read the offset-syncs topic to its end; translating offsets", metadata: ["topic": "\(resources.offsetSyncsTopic)"])
        }
    }

    /// Writes the latest translated offsets to the target cluster's groups that have no active
    /// members, never moving an offset backwards.
    private func syncGroupOffsets(_ resources: Resources) async {
        let translated = state.withLock { $0.emitter?.checkpointStore.convertedUpstreamOffsets() ?? [:] }
        for (group, offsets) in translated.sorted(by: { $0.key < $1.key }) where !offsets.isEmpty && !Task.isCancelled {
            let target: CheckpointEmitter.TargetGroup
            do {
                target = try await targetGroup(group, resources)
            } catch {
                logger.error("Cannot describe a consumer group on the target cluster", metadata: ["group": "\(group)", "error": "\(error)"])
                continue
            }
            if case .active(let groupState) = target {
                logger.info("Not syncing offsets of a consumer group that is active on the target cluster",
                            metadata: ["group": "\(group)", "state": "\(groupState.rawValue)"])
                continue
            }
            let toSync = CheckpointEmitter.offsetsToSync(translated: offsets, target: target)
            guard !toSync.isEmpty else {
                logger.trace("Consumer group offsets already up to date on the target cluster", metadata: ["group": "\(group)"])
                continue
            }
            do {
                try await resources.targetAdmin.alterConsumerGroupOffsets(group, offsets: toSync, timeout: resources.adminTimeout)
                logger.debug("Synced consumer group offsets", metadata: ["group": "\(group)", "partitions": "\(toSync.count)"])
            } catch {
                logger.warning("Unable to sync offsets of a consumer group; consumers may be using it on the target cluster",
                               metadata: ["group": "\(group)", "error": "\(error)"])
            }
        }
    }

    private func targetGroup(_ group: String, _ resources: Resources) async throws -> CheckpointEmitter.TargetGroup {
        let description = try await resources.targetAdmin.describeConsumerGroups([group], timeout: resources.adminTimeout).first
        switch description?.state {
        case nil, .dead?:
            return .absent
        case .empty?:
            return .empty(try await resources.targetAdmin.listConsumerGroupOffsets(group, timeout: resources.adminTimeout))
        case let state?:
            return .active(state)
        }
    }

    /// Rounds never run back to back faster than this, even with a 0-second interval.
    static let minimumInterval = Duration.milliseconds(100)
}
