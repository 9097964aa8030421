/// Keeps topic names unchanged on the target cluster, like Apache's `IdentityReplicationPolicy`
/// (KAFKA-9726), for one-way replication or migrations from the legacy MirrorMaker.
///
/// Heartbeats are the exception: any topic whose name ends in ``heartbeatsTopic`` is named
/// as ``DefaultReplicationPolicy`` would name it, so heartbeats still trace replication
/// flows. Every other topic counts as remote, from `source.cluster.alias` when it is set.
///
/// - Important: names carry no trace of their source, so MirrorMaker 2 cannot detect
///   replication cycles under this policy (KAFKA-9914); keep the topology acyclic.
public struct IdentityReplicationPolicy: ReplicationPolicy, Hashable {
    public static let sourceClusterAliasConfig = "source.cluster.alias"

    /// The alias reported as the source of every non-heartbeat topic, if known.
    public let sourceClusterAlias: String?
    /// Naming used for heartbeats topics and for the offset-syncs and checkpoints topics.
    public let base: DefaultReplicationPolicy

    public init(sourceClusterAlias: String? = nil, base: DefaultReplicationPolicy = DefaultReplicationPolicy()) {
        self.sourceClusterAlias = sourceClusterAlias
        self.base = base
    }

    /// Reads ``sourceClusterAliasConfig`` plus everything ``DefaultReplicationPolicy/init(config:)`` reads.
    public init(config: [String: String]) throws(MirrorClientError) {
        self.init(
            sourceClusterAlias: config[Self.sourceClusterAliasConfig],
            base: try DefaultReplicationPolicy(config: config)
        )
    }

    public func formatRemoteTopic(sourceClusterAlias: String, topic: String) -> String {
        looksLikeHeartbeat(topic) ? base.formatRemoteTopic(sourceClusterAlias: sourceClusterAlias, topic: topic) : topic
    }

    public func topicSource(_ topic: String) -> String? {
        looksLikeHeartbeat(topic) ? base.topicSource(topic) : sourceClusterAlias
    }

    public func upstreamTopic(_ topic: String) -> String? {
        looksLikeHeartbeat(topic) ? base.upstreamTopic(topic) : topic
    }

    public func offsetSyncsTopic(clusterAlias: String) -> String {
        base.offsetSyncsTopic(clusterAlias: clusterAlias)
    }

    public func checkpointsTopic(clusterAlias: String) -> String {
        base.checkpointsTopic(clusterAlias: clusterAlias)
    }

    public func isCheckpointsTopic(_ topic: String) -> Bool {
        base.isCheckpointsTopic(topic)
    }

    public func isMM2InternalTopic(_ topic: String) -> Bool {
        base.isMM2InternalTopic(topic)
    }

    /// Apache tests only the suffix, so `myheartbeats` also takes the heartbeat path.
    private func looksLikeHeartbeat(_ topic: String) -> Bool {
        topic.hasSuffix(heartbeatsTopic)
    }
}
