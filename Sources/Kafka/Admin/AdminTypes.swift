/// A topic to create.
public struct NewTopic: Hashable, Sendable {
    public var name: String
    /// -1 for the broker's default.
    public var numPartitions: Int32
    /// -1 for the broker's default.
    public var replicationFactor: Int16
    public var configs: [String: String]

    public init(name: String, numPartitions: Int32 = -1, replicationFactor: Int16 = -1, configs: [String: String] = [:]) {
        self.name = name
        self.numPartitions = numPartitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}

/// A broker of the cluster.
public struct BrokerNode: Hashable, Sendable {
    public var id: Int32
    public var host: String
    public var port: Int32
}

/// The cluster's identity and brokers.
public struct ClusterDescription: Hashable, Sendable {
    public var clusterID: String?
    /// -1 if unknown.
    public var controllerID: Int32
    public var brokers: [BrokerNode]
}

/// A topic's partitions as the cluster metadata describes them.
public struct TopicDescription: Hashable, Sendable {
    public struct Partition: Hashable, Sendable {
        public var id: Int32
        public var leader: Int32
        public var replicas: [Int32]
        public var inSyncReplicas: [Int32]
    }

    public var name: String
    public var partitions: [Partition]

    public var partitionCount: Int { partitions.count }
    /// The replica count of the first partition (Kafka keeps it uniform per topic).
    public var replicationFactor: Int { partitions.first?.replicas.count ?? 0 }
}

/// What a configuration entry applies to.
public struct ConfigResource: Hashable, Sendable {
    public enum ResourceType: Hashable, Sendable {
        case topic, broker
    }

    public var type: ResourceType
    public var name: String

    public init(type: ResourceType, name: String) {
        self.type = type
        self.name = name
    }

    public static func topic(_ name: String) -> ConfigResource { ConfigResource(type: .topic, name: name) }
    public static func broker(_ id: Int32) -> ConfigResource { ConfigResource(type: .broker, name: String(id)) }
}

/// One configuration value of a topic or broker, with where its value comes from.
public struct ConfigEntry: Hashable, Sendable {
    /// Kafka's `ConfigEntry.ConfigSource`.
    public enum Source: Hashable, Sendable {
        case unknown, dynamicTopicConfig, dynamicBrokerConfig, dynamicDefaultBrokerConfig, staticBrokerConfig, defaultConfig
    }

    public var name: String
    /// `nil` for sensitive values and values the broker does not report.
    public var value: String?
    public var source: Source
    public var isDefault: Bool
    public var isReadOnly: Bool
    public var isSensitive: Bool
}

/// The state of a consumer group as the coordinator reports it.
public enum ConsumerGroupState: String, Hashable, Sendable {
    case unknown = "Unknown"
    case preparingRebalance = "PreparingRebalance"
    case completingRebalance = "CompletingRebalance"
    case stable = "Stable"
    case dead = "Dead"
    case empty = "Empty"
}

/// A group from the group listing.
public struct ConsumerGroupListing: Hashable, Sendable {
    public var groupID: String
    /// A group that only commits offsets and has no members (protocol type empty).
    public var isSimpleConsumerGroup: Bool
    public var state: ConsumerGroupState
}

/// A group's members and state.
public struct ConsumerGroupDescription: Hashable, Sendable {
    public struct Member: Hashable, Sendable {
        public var memberID: String
        public var groupInstanceID: String?
        public var clientID: String
        public var host: String
        /// Decoded only for groups of protocol type `consumer`.
        public var assignment: [TopicPartition]
    }

    public var groupID: String
    public var isSimpleConsumerGroup: Bool
    public var partitionAssignor: String
    public var state: ConsumerGroupState
    public var coordinator: BrokerNode?
    public var members: [Member]
}
