/// Decides how MirrorMaker 2 names topics on the target cluster and recognises remote and
/// internal topics, like Apache Kafka's `org.apache.kafka.connect.mirror.ReplicationPolicy`.
///
/// Every method is a requirement, so a conforming type may replace any default below and the
/// other defaults will call its replacement.
public protocol ReplicationPolicy: Sendable {
    /// The name `topic` from `sourceClusterAlias` gets on the target cluster.
    func formatRemoteTopic(sourceClusterAlias: String, topic: String) -> String
    /// The alias of the cluster `topic` was replicated from, or `nil` if it is not a remote topic.
    func topicSource(_ topic: String) -> String?
    /// The name `topic` has on its source cluster (itself possibly a remote topic), or `nil`
    /// if `topic` is not a remote topic.
    func upstreamTopic(_ topic: String) -> String?
    /// The topic's name on the cluster where it originated, following every replication hop;
    /// `topic` itself if it is not a remote topic.
    func originalTopic(_ topic: String) -> String
    /// The heartbeats topic, `heartbeats` by default.
    var heartbeatsTopic: String { get }
    /// The offset-syncs topic for `clusterAlias`, `mm2-offset-syncs.<alias>.internal` by default.
    func offsetSyncsTopic(clusterAlias: String) -> String
    /// The checkpoints topic for `clusterAlias`, `<alias>.checkpoints.internal` by default.
    func checkpointsTopic(clusterAlias: String) -> String
    /// Whether `topic` is a heartbeats topic, local or replicated over any number of hops.
    func isHeartbeatsTopic(_ topic: String) -> Bool
    /// Whether `topic` is a checkpoints topic.
    func isCheckpointsTopic(_ topic: String) -> Bool
    /// Whether `topic` is one of MirrorMaker 2's own internal topics.
    func isMM2InternalTopic(_ topic: String) -> Bool
    /// Whether `topic` is internal (Kafka's, Connect's or MirrorMaker 2's) and so never replicated.
    func isInternalTopic(_ topic: String) -> Bool
}

extension ReplicationPolicy {
    public func originalTopic(_ topic: String) -> String {
        // Apache recurses; a loop gives the same answer without growing the stack, and the
        // visited set stops a policy whose upstream names form a cycle.
        var current = topic
        var visited: Set<String> = [topic]
        while let upstream = upstreamTopic(current), visited.insert(upstream).inserted {
            current = upstream
        }
        return current
    }

    public var heartbeatsTopic: String { Heartbeat.defaultTopic }

    public func offsetSyncsTopic(clusterAlias: String) -> String {
        "mm2-offset-syncs.\(clusterAlias).internal"
    }

    public func checkpointsTopic(clusterAlias: String) -> String {
        "\(clusterAlias).checkpoints.internal"
    }

    public func isHeartbeatsTopic(_ topic: String) -> Bool {
        originalTopic(topic) == heartbeatsTopic
    }

    public func isCheckpointsTopic(_ topic: String) -> Bool {
        topic.hasSuffix(".checkpoints.internal")
    }

    public func isMM2InternalTopic(_ topic: String) -> Bool {
        topic.hasSuffix(".internal")
    }

    public func isInternalTopic(_ topic: String) -> Bool {
        let isKafkaInternal = topic.hasPrefix("__") || topic.hasPrefix(".")
        let isConnectInternal = topic.hasSuffix("-internal") || topic.hasSuffix(".internal")
        return isMM2InternalTopic(topic) || isKafkaInternal || isConnectInternal
    }
}
