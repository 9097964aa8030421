import Kafka
import KafkaProtocol
import MirrorClient

/// The pure decisions of MirrorSourceConnector (no I/O, so each is tested on its own): which
/// topics and ACLs are replicated, remote names, which topic configs are copied, and how
/// partitions are laid out over tasks.
public struct MirrorSourceTopicRules: Sendable {
    public let sourceClusterAlias: String
    public let targetClusterAlias: String
    public let policy: any ReplicationPolicy
    public let topicFilter: TopicFilter
    public let configPropertyFilter: ConfigPropertyFilter
    /// Whether heartbeat topics are replicated even when the topic filter excludes them
    /// (`heartbeats.replication.enabled`).
    public let heartbeatsReplicationEnabled: Bool

    public init(
        sourceClusterAlias: String, targetClusterAlias: String, policy: any ReplicationPolicy,
        topicFilter: TopicFilter, configPropertyFilter: ConfigPropertyFilter, heartbeatsReplicationEnabled: Bool = true
    ) {
        self.sourceClusterAlias = sourceClusterAlias
        self.targetClusterAlias = targetClusterAlias
        self.policy = policy
        self.topicFilter = topicFilter
        self.configPropertyFilter = configPropertyFilter
        self.heartbeatsReplicationEnabled = heartbeatsReplicationEnabled
    }

    // MARK: Topics

    /// Whether `topic` (on the source cluster) is replicated: accepted by the topic filter (or a
    /// heartbeats topic, unless `heartbeatsReplicationEnabled` is false), not internal, and not itself a replica of the target cluster's data.
    public func shouldReplicateTopic(_ topic: String) -> Bool {
        (topicFilter.shouldReplicateTopic(topic) || (heartbeatsReplicationEnabled && policy.isHeartbeatsTopic(topic)))
            && !policy.isInternalTopic(topic) && !isCycle(topic)
    }

    /// Whether `topic` came from the target cluster over any number of hops, so replicating it
    /// would send records back where they started. Policies that keep names unchanged
    /// (IdentityReplicationPolicy) cannot tell, and report no cycle.
    public func isCycle(_ topic: String) -> Bool {
        var current = topic
        var visited: Set<String> = [topic]
        while let source = policy.topicSource(current) {
            if source == targetClusterAlias { return true }
            guard let upstream = policy.upstreamTopic(current), visited.insert(upstream).inserted else { return false }
            current = upstream
        }
        return false
    }

    public func formatRemoteTopic(_ topic: String) -> String {
        policy.formatRemoteTopic(sourceClusterAlias: sourceClusterAlias, topic: topic)
    }

    /// Whether a target topic is one this flow writes (a remote topic of the source cluster,
    /// other than the checkpoints topic).
    public func isRemoteTopicOfThisFlow(_ topic: String, checkpointsTopic: String) -> Bool {
        policy.topicSource(topic) == sourceClusterAlias && topic != checkpointsTopic
    }

    // MARK: ACLs

    /// ACL bindings are copied except ALLOW WRITE: only MirrorMaker writes remote topics.
    public func shouldReplicateAcl(_ binding: AclBinding) -> Bool {
        !(binding.permissionType == .allow && binding.operation == .write)
    }

    /// Bindings on the source's literal topic patterns of replicated topics, renamed for the
    /// target, with ALLOW ALL downgraded to ALLOW READ.
    public func targetAclBindings(_ bindings: [AclBinding]) -> [AclBinding] {
        bindings
            .filter { $0.resourceType == .topic && $0.patternType == .literal }
            .filter(shouldReplicateAcl)
            .filter { shouldReplicateTopic($0.resourceName) }
            .map(targetAclBinding)
    }

    /// The broker property naming the ACL authorizer; empty when there is none.
    public static let authorizerClassName = "authorizer.class.name"

    /// Whether a broker's described configuration (name → value) says it has no ACL
    /// authorizer; `nil` when it does not report ``authorizerClassName`` (some Kafka-compatible
    /// brokers do not), so an empty ACL list cannot be told from a cluster without ACLs.
    public static func authorizerAbsent(brokerConfig: [String: String?]) -> Bool? {
        guard let value = brokerConfig[authorizerClassName] else { return nil }
        return (value ?? "").isEmpty
    }

    public func targetAclBinding(_ binding: AclBinding) -> AclBinding {
        var result = binding
        result.resourceName = formatRemoteTopic(binding.resourceName)
        result.resourceType = .topic
        result.patternType = .literal
        if binding.permissionType == .allow && binding.operation == .all {
            result.operation = .read
        }
        return result
    }

    // MARK: Configs

    /// The source topic config entries to copy (Apache's `targetConfig`): never read-only,
    /// sensitive, static broker or excluded properties; defaults only when `incremental` (they
    /// become deletions, or sets with `use.defaults.from=source`) or with `use.defaults.from=source`.
    public func targetConfig(_ entries: [TopicConfigEntry], incremental: Bool) -> [TopicConfigEntry] {
        entries.filter { entry in
            (incremental || !entry.isDefault || configPropertyFilter.shouldReplicateSourceDefault(entry.name))
                && !entry.isReadOnly && !entry.isSensitive
                && !entry.isStaticBrokerConfig
                && configPropertyFilter.shouldReplicateConfigProperty(entry.name)
        }
    }

    /// The configs a new remote topic is created with.
    public func newTopicConfigs(_ sourceEntries: [TopicConfigEntry]) -> [String: String] {
        var configs: [String: String] = [:]
        for entry in targetConfig(sourceEntries, incremental: false) {
            if let value = entry.value { configs[entry.name] = value }
        }
        return configs
    }

    /// The full dynamic config a remote topic gets from a config sync, with the effect of
    /// Apache's IncrementalAlterConfigs (SET what is copied, DELETE source defaults unless
    /// `use.defaults.from=source`) while only the non-incremental AlterConfigs API is
    /// available: properties the sync does not touch (excluded ones, such as
    /// `min.insync.replicas`) keep the target's current dynamic value.
    ///
    /// - Parameters:
    ///   - sourceEntries: the source topic's described config.
    ///   - targetDynamic: the remote topic's current dynamic (topic-level) values.
    ///   - incremental: `false` for `use.incremental.alter.configs=never`: then the result is
    ///     exactly what Apache's legacy AlterConfigs path sends, and untouched target values reset.
    public func syncedTargetConfig(
        sourceEntries: [TopicConfigEntry], targetDynamic: [String: String], incremental: Bool
    ) -> [String: String] {
        guard incremental else { return newTopicConfigs(sourceEntries) }
        var result = targetDynamic
        for entry in targetConfig(sourceEntries, incremental: true) {
            if entry.isDefault && !configPropertyFilter.shouldReplicateSourceDefault(entry.name) {
                result[entry.name] = nil
            } else if let value = entry.value {
                result[entry.name] = value
            }
        }
        return result
    }

    // MARK: Task layout

    /// Partitions dealt round-robin over `min(maxTasks, partitions.count)` tasks, in order.
    public static func taskPartitions(_ partitions: [TopicPartition], maxTasks: Int) -> [[TopicPartition]] {
        let taskCount = min(maxTasks, partitions.count)
        guard taskCount > 0 else { return [] }
        var tasks = Array(repeating: [TopicPartition](), count: taskCount)
        for (index, partition) in partitions.enumerated() {
            tasks[index % taskCount].append(partition)
        }
        return tasks
    }

    // MARK: Remote topic plan

    /// What to create on the target so every known source partition has a remote partition.
    public struct TopicPlan: Equatable, Sendable {
        /// Source topics whose remote topic is missing, with their partition counts.
        public var newTopics: [String: Int]
        /// Remote topics to grow, with the total partition count they need.
        public var partitionIncreases: [String: Int]
    }

    /// Compares partition counts of source topics and their remote topics on the target
    /// (Apache's `computeAndCreateTopicPartitions`).
    public func topicPlan(source: [TopicPartition], target: [TopicPartition]) -> TopicPlan {
        let sourceCounts = Dictionary(source.map { ($0.topic, 1) }, uniquingKeysWith: +)
        let targetCounts = Dictionary(target.map { ($0.topic, 1) }, uniquingKeysWith: +)
        var plan = TopicPlan(newTopics: [:], partitionIncreases: [:])
        for (topic, count) in sourceCounts {
            let remote = formatRemoteTopic(topic)
            if let existing = targetCounts[remote] {
                if count > existing { plan.partitionIncreases[remote] = count }
            } else {
                plan.newTopics[topic] = count
            }
        }
        return plan
    }
}

/// One described topic config value, as the rules need it (Kafka's `ConfigEntry`).
public struct TopicConfigEntry: Hashable, Sendable {
    public var name: String
    /// `nil` for sensitive values and values the broker does not report.
    public var value: String?
    public var isDefault: Bool
    public var isReadOnly: Bool
    public var isSensitive: Bool
    /// Set in the broker's static configuration (`server.properties`).
    public var isStaticBrokerConfig: Bool

    public init(
        name: String, value: String?, isDefault: Bool = false, isReadOnly: Bool = false, isSensitive: Bool = false,
        isStaticBrokerConfig: Bool = false
    ) {
        self.name = name
        self.value = value
        self.isDefault = isDefault
        self.isReadOnly = isReadOnly
        self.isSensitive = isSensitive
        self.isStaticBrokerConfig = isStaticBrokerConfig
    }

    public init(_ entry: ConfigEntry) {
        self.init(name: entry.name, value: entry.value, isDefault: entry.isDefault, isReadOnly: entry.isReadOnly,
                  isSensitive: entry.isSensitive, isStaticBrokerConfig: entry.source == .staticBrokerConfig)
    }
}
