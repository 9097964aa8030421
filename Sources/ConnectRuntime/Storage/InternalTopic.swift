import Kafka

/// How one of the worker's internal topics (configs, offsets, status) is created and checked,
/// like the `NewTopic` definitions of Apache's Kafka*BackingStore classes.
///
/// Every internal topic is compacted: ``newTopic`` always sets `cleanup.policy=compact`, over
/// any value in ``configs``, and an existing topic must have exactly that policy.
public struct InternalTopic: Hashable, Sendable {
    /// The topic name.
    public var name: String
    /// Partitions to create the topic with; -1 means the broker default.
    public var partitions: Int32
    /// Replication factor to create the topic with; -1 means the broker default.
    public var replicationFactor: Int16
    /// Further topic configs for creation (the worker's `<prefix>.*` topic settings, e.g.
    /// `config.storage.min.insync.replicas`, with the prefix removed).
    public var configs: [String: String]
    /// The worker property that names the topic (`config.storage.topic`), quoted in errors.
    public var workerProperty: String
    /// What the topic holds (`connector configurations`), quoted in errors.
    public var purpose: String
    /// Whether the topic must have exactly one partition (the config topic).
    public var requiresSinglePartition: Bool

    public init(
        name: String,
        partitions: Int32,
        replicationFactor: Int16,
        configs: [String: String] = [:],
        workerProperty: String,
        purpose: String,
        requiresSinglePartition: Bool = false
    ) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
        self.workerProperty = workerProperty
        self.purpose = purpose
        self.requiresSinglePartition = requiresSinglePartition
    }

    /// `config.storage.topic`: one partition (always), compacted.
    public static func configTopic(_ name: String, replicationFactor: Int16 = 3, configs: [String: String] = [:]) -> InternalTopic {
        InternalTopic(
            name: name, partitions: 1, replicationFactor: replicationFactor, configs: configs,
            workerProperty: "config.storage.topic", purpose: "connector configurations", requiresSinglePartition: true
        )
    }

    /// `offset.storage.topic`: 25 partitions by default, compacted.
    public static func offsetTopic(_ name: String, partitions: Int32 = 25, replicationFactor: Int16 = 3, configs: [String: String] = [:]) -> InternalTopic {
        InternalTopic(
            name: name, partitions: partitions, replicationFactor: replicationFactor, configs: configs,
            workerProperty: "offset.storage.topic", purpose: "source connector offsets"
        )
    }

    /// `status.storage.topic`: 5 partitions by default, compacted.
    public static func statusTopic(_ name: String, partitions: Int32 = 5, replicationFactor: Int16 = 3, configs: [String: String] = [:]) -> InternalTopic {
        InternalTopic(
            name: name, partitions: partitions, replicationFactor: replicationFactor, configs: configs,
            workerProperty: "status.storage.topic", purpose: "connector and task statuses"
        )
    }

    /// The creation request: ``configs`` with `cleanup.policy=compact` forced.
    public var newTopic: NewTopic {
        var topicConfigs = configs
        topicConfigs["cleanup.policy"] = "compact"
        return NewTopic(
            name: name,
            numPartitions: requiresSinglePartition ? 1 : partitions,
            replicationFactor: replicationFactor,
            configs: topicConfigs
        )
    }
}
