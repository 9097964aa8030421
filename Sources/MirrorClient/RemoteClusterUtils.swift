import KafkaProtocol

/// The computations behind Apache's `RemoteClusterUtils` and `MirrorClient`, applied to a
/// cluster's topic names or to the decoded contents of a checkpoints topic; callers do the
/// Kafka I/O (listing topics, reading `<alias>.checkpoints.internal` from the start).
public enum RemoteClusterUtils {
    /// The fewest replication hops from `upstreamClusterAlias` to the cluster holding `topics`,
    /// measured along its heartbeats topics (for A→B→C, C holds `B.A.heartbeats`: 2 hops
    /// from A); -1 if no heartbeats topic traces back to that cluster.
    public static func replicationHops(
        topics: some Sequence<String>,
        upstreamClusterAlias: String,
        policy: some ReplicationPolicy
    ) -> Int {
        heartbeatTopics(topics: topics, policy: policy)
            .map { hops(from: upstreamClusterAlias, to: $0, policy: policy) }
            .filter { $0 != -1 }
            .min() ?? -1
    }

    /// The heartbeats topics among `topics`: the local one and those replicated from other clusters.
    public static func heartbeatTopics(topics: some Sequence<String>, policy: some ReplicationPolicy) -> Set<String> {
        Set(topics.filter { policy.isHeartbeatsTopic($0) })
    }

    /// The checkpoints topics among `topics`.
    public static func checkpointTopics(topics: some Sequence<String>, policy: some ReplicationPolicy) -> Set<String> {
        Set(topics.filter { policy.isCheckpointsTopic($0) })
    }

    /// Every cluster, at any number of hops, whose heartbeats reached the cluster holding `topics`.
    public static func upstreamClusters(topics: some Sequence<String>, policy: some ReplicationPolicy) -> Set<String> {
        Set(heartbeatTopics(topics: topics, policy: policy).flatMap { allSources(of: $0, policy: policy) })
    }

    /// The remote (replicated) topics among `topics`, leaving out internal topics.
    public static func remoteTopics(topics: some Sequence<String>, policy: some ReplicationPolicy) -> Set<String> {
        Set(topics.filter { isRemoteTopic($0, policy: policy) })
    }

    /// The remote topics among `topics` replicated directly (one hop) from `source`.
    public static func remoteTopics(
        topics: some Sequence<String>,
        source: String,
        policy: some ReplicationPolicy
    ) -> Set<String> {
        Set(topics.filter { isRemoteTopic($0, policy: policy) && policy.topicSource($0) == source })
    }

    /// The offsets `consumerGroupId` should use on the cluster holding a checkpoints topic,
    /// given that topic's records in log order: for each partition, the downstream offset of
    /// the group's last checkpoint. Checkpoints of other groups are ignored.
    public static func translateOffsets(
        checkpoints: some Sequence<Checkpoint>,
        consumerGroupId: String
    ) -> [TopicPartition: Int64] {
        var offsets: [TopicPartition: Int64] = [:]
        for checkpoint in checkpoints where checkpoint.consumerGroupId == consumerGroupId {
            offsets[checkpoint.topicPartition] = checkpoint.downstreamOffset
        }
        return offsets
    }

    /// Hops from `sourceClusterAlias` to the cluster holding `topic`, or -1. The visited set
    /// stops policies such as ``IdentityReplicationPolicy`` that cannot rule out cycles.
    static func hops(from sourceClusterAlias: String, to topic: String, policy: some ReplicationPolicy) -> Int {
        var current: String? = topic
        var visited: Set<String> = []
        var hops = 0
        while let topic = current {
            hops += 1
            guard let source = policy.topicSource(topic) else { return -1 }
            if source == sourceClusterAlias { return hops }
            guard visited.insert(source).inserted else { return -1 }
            current = policy.upstreamTopic(topic)
        }
        return -1
    }

    /// Every source alias along `topic`'s replication path, stopping at a repeated alias.
    static func allSources(of topic: String, policy: some ReplicationPolicy) -> Set<String> {
        var sources: Set<String> = []
        var current: String? = topic
        while let topic = current, let source = policy.topicSource(topic), sources.insert(source).inserted {
            current = policy.upstreamTopic(topic)
        }
        return sources
    }

    static func isRemoteTopic(_ topic: String, policy: some ReplicationPolicy) -> Bool {
        !policy.isInternalTopic(topic) && policy.topicSource(topic) != nil
    }
}
