import Kafka
import KafkaProtocol
import MirrorClient

/// The decisions of the checkpoint task, free of I/O: which checkpoints to emit for a group's
/// committed offsets, and which translated offsets to write to a target group.
public struct CheckpointEmitter: Sendable {
    public let sourceClusterAlias: String
    public let targetClusterAlias: String
    public let replicationPolicy: any ReplicationPolicy
    public let topicFilter: TopicFilter
    public var offsetSyncStore: OffsetSyncStore
    public var checkpointStore: CheckpointStore

    public init(
        sourceClusterAlias: String,
        targetClusterAlias: String,
        replicationPolicy: any ReplicationPolicy,
        topicFilter: TopicFilter,
        offsetSyncStore: OffsetSyncStore = OffsetSyncStore(),
        checkpointStore: CheckpointStore = CheckpointStore()
    ) {
        self.sourceClusterAlias = sourceClusterAlias
        self.targetClusterAlias = targetClusterAlias
        self.replicationPolicy = replicationPolicy
        self.topicFilter = topicFilter
        self.offsetSyncStore = offsetSyncStore
        self.checkpointStore = checkpointStore
    }

    /// The checkpoints to emit for `group`, given its committed offsets on the source cluster,
    /// and records them in ``checkpointStore``. Partitions whose topic the topic filter rejects,
    /// that cannot be translated, or whose checkpoint would not advance are left out.
    public mutating func emitCheckpoints(group: String, upstreamOffsets: [TopicPartition: OffsetAndMetadata]) -> [TopicPartition: Checkpoint] {
        let checkpoints = checkpointsForGroup(group: group, upstreamOffsets: upstreamOffsets)
        checkpointStore.update(group: group, checkpoints)
        return checkpoints
    }

    /// ``emitCheckpoints(group:upstreamOffsets:)`` without recording anything.
    public func checkpointsForGroup(group: String, upstreamOffsets: [TopicPartition: OffsetAndMetadata]) -> [TopicPartition: Checkpoint] {
        var result: [TopicPartition: Checkpoint] = [:]
        for (topicPartition, offset) in upstreamOffsets where topicFilter.shouldReplicateTopic(topicPartition.topic) {
            guard let checkpoint = checkpoint(group: group, topicPartition: topicPartition, offset: offset),
                  checkpoint.downstreamOffset >= 0,
                  isMoreRecent(checkpoint)
            else { continue }
            result[checkpoint.topicPartition] = checkpoint
        }
        return result
    }

    /// The checkpoint of one committed source offset, or `nil` when there is no offset sync to
    /// translate with. The downstream offset is -1 when the offset is too old to translate.
    public func checkpoint(group: String, topicPartition: TopicPartition, offset: OffsetAndMetadata) -> Checkpoint? {
        guard let downstream = offsetSyncStore.translateDownstream(
            group: group, topicPartition: topicPartition, upstreamOffset: offset.offset)
        else { return nil }
        return Checkpoint(
            consumerGroupId: group,
            topicPartition: renameTopicPartition(topicPartition),
            upstreamOffset: offset.offset,
            downstreamOffset: downstream,
            metadata: offset.metadata)
    }

    /// The target cluster's name of a source partition: `topic1` becomes `source.topic1`, while a
    /// topic that came from the target cluster (`target.topic1`) goes back to its original name.
    public func renameTopicPartition(_ upstream: TopicPartition) -> TopicPartition {
        let topic = replicationPolicy.topicSource(upstream.topic) == targetClusterAlias
            ? replicationPolicy.originalTopic(upstream.topic)
            : replicationPolicy.formatRemoteTopic(sourceClusterAlias: sourceClusterAlias, topic: upstream.topic)
        return TopicPartition(topic: topic, partition: upstream.partition)
    }

    /// Checkpoints only move forward downstream, except after the source group rewound.
    private func isMoreRecent(_ checkpoint: Checkpoint) -> Bool {
        guard let last = checkpointStore.get(checkpoint.consumerGroupId)?[checkpoint.topicPartition] else { return true }
        return checkpoint.upstreamOffset < last.upstreamOffset || checkpoint.downstreamOffset > last.downstreamOffset
    }

    // MARK: Consumer group offset sync

    /// What the target cluster says about a consumer group.
    public enum TargetGroup: Sendable, Hashable {
        /// The group does not exist (or is dead): it may receive every translated offset.
        case absent
        /// The group exists without members, with these committed offsets.
        case empty([TopicPartition: OffsetAndMetadata])
        /// The group has members (or is rebalancing): its offsets are left alone.
        case active(ConsumerGroupState)
    }

    /// The translated offsets to write to a target group: all of them for an absent group; for an
    /// empty group only those of partitions it has no offset for or whose offset they move
    /// forward; none for an active group.
    public static func offsetsToSync(
        translated: [TopicPartition: OffsetAndMetadata], target: TargetGroup
    ) -> [TopicPartition: OffsetAndMetadata] {
        switch target {
        case .absent:
            return translated
        case .active:
            return [:]
        case let .empty(committed):
            return translated.filter { partition, offset in
                guard let current = committed[partition] else { return true }
                return offset.offset > current.offset
            }
        }
    }
}
