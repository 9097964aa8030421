import ConnectAPI
import KafkaProtocol
import MirrorClient
import MirrorCommon

extension MirrorSourceConfig {
    /// The configuration of one task: every connector property as given (after alias
    /// translation) plus `task.assigned.partitions` (Apache's `topic-partition` strings, joined
    /// with commas) and `task.index`.
    public func taskConfig(for partitions: [TopicPartition], taskIndex: Int) -> [String: String] {
        var props = common.originals
        props[Key.taskTopicPartitions] = partitions.map(Self.encodeTopicPartition).joined(separator: ",")
        props[MirrorConnectorConfig.Key.taskIndex] = String(taskIndex)
        return props
    }

    /// `topic-partition`, as Kafka's `TopicPartition.toString()`.
    public static func encodeTopicPartition(_ partition: TopicPartition) -> String {
        "\(partition.topic)-\(partition.partition)"
    }

    /// Parses `topic-partition` (the partition follows the last `-`).
    /// - Throws: ``ConnectError`` when there is no `-` or the partition is not a non-negative int32.
    public static func decodeTopicPartition(_ text: String) throws(ConnectError) -> TopicPartition {
        guard let separator = text.lastIndex(of: "-"),
              let partition = Int32(text[text.index(after: separator)...]), partition >= 0
        else {
            throw ConnectError("Invalid topic-partition '\(text)' in \(Key.taskTopicPartitions): expected <topic>-<partition>")
        }
        return TopicPartition(topic: String(text[..<separator]), partition: partition)
    }

    /// The partitions a task config assigns (`task.assigned.partitions`), without duplicates,
    /// in the order listed; none when the key is absent or blank.
    public static func taskTopicPartitions(_ props: [String: String]) throws(ConnectError) -> [TopicPartition] {
        guard let raw = props[Key.taskTopicPartitions] else { return [] }
        var seen: Set<TopicPartition> = []
        var result: [TopicPartition] = []
        for field in raw.split(separator: ",") {
            let trimmed = field.javaTrimmed()
            guard !trimmed.isEmpty else { continue }
            let partition = try decodeTopicPartition(trimmed)
            if seen.insert(partition).inserted { result.append(partition) }
        }
        return result
    }

    /// The offset-syncs topic: on the source cluster it is named after the target alias, on
    /// the target cluster after the source alias (Apache's `offsetSyncsTopic()`).
    public func offsetSyncsTopic(policy: any ReplicationPolicy) -> String {
        let otherAlias = offsetSyncsTopicLocation == .source ? common.targetClusterAlias : common.sourceClusterAlias
        return policy.offsetSyncsTopic(clusterAlias: otherAlias)
    }

    /// The checkpoints topic of this flow on the target cluster.
    public func checkpointsTopic(policy: any ReplicationPolicy) -> String {
        policy.checkpointsTopic(clusterAlias: common.sourceClusterAlias)
    }

    /// The topic filter `topic.filter.class` names; only `DefaultTopicFilter` exists here.
    /// - Throws: ``ConnectError`` for another class or an invalid pattern.
    public func topicFilter() throws(ConnectError) -> TopicFilter {
        try Self.requireBuiltin(topicFilterClass, MirrorConnectorConfig.Defaults.topicFilterClass,
                                key: MirrorConnectorConfig.Key.topicFilterClass)
        do {
            return TopicFilter(include: try PatternList(topics, property: Key.topics),
                               exclude: try PatternList(topicsExclude, property: Key.topicsExclude))
        } catch {
            throw ConnectError("Invalid topic filter: \(error)", underlying: error)
        }
    }

    /// The config property filter `config.property.filter.class` names; only
    /// `DefaultConfigPropertyFilter` exists here.
    /// - Throws: ``ConnectError`` for another class, an invalid pattern or `use.defaults.from`.
    public func configPropertyFilter() throws(ConnectError) -> ConfigPropertyFilter {
        try Self.requireBuiltin(configPropertyFilterClass, Defaults.configPropertyFilterClass,
                                key: Key.configPropertyFilterClass)
        return try ConfigPropertyFilter(exclude: configPropertiesExclude, useDefaultsFrom: useDefaultsFrom)
    }

    /// The topic, ACL and config decisions of this flow under `policy`: the topic and config
    /// property filters, and whether heartbeats topics bypass the topic filter
    /// (`heartbeats.replication.enabled`).
    /// - Throws: ``ConnectError`` for filter classes this runtime does not have or invalid patterns.
    public func topicRules(policy: any ReplicationPolicy) throws(ConnectError) -> MirrorSourceTopicRules {
        MirrorSourceTopicRules(
            sourceClusterAlias: common.sourceClusterAlias, targetClusterAlias: common.targetClusterAlias, policy: policy,
            topicFilter: try topicFilter(), configPropertyFilter: try configPropertyFilter(),
            heartbeatsReplicationEnabled: heartbeatsReplicationEnabled)
    }

    /// Problems with settings the definition cannot check: plugin classes this runtime does
    /// not have, `use.defaults.from` and the replication policy; by property name.
    static func pluginProblems(_ properties: [String: String]) -> [(name: String, message: String)] {
        var problems: [(String, String)] = []
        let checks = [
            (MirrorConnectorConfig.Key.topicFilterClass, MirrorConnectorConfig.Defaults.topicFilterClass),
            (Key.configPropertyFilterClass, Defaults.configPropertyFilterClass),
        ]
        for (key, builtin) in checks {
            if let value = properties[key]?.javaTrimmed(), !value.isEmpty,
               !isClass(value, named: builtin) {
                problems.append((key, "Invalid value \(value) for configuration \(key): only \(builtin) is available in this runtime"))
            }
        }
        if let value = properties[Key.useDefaultsFrom], !ConfigPropertyFilter.validUseDefaultsFrom.contains(value) {
            problems.append((Key.useDefaultsFrom,
                             "Invalid value \(value) for configuration \(Key.useDefaultsFrom): String must be one of: source, target"))
        }
        return problems + MirrorConnectorConfig.validationProblems(properties, clusters: [.source, .target])
    }

    private static func requireBuiltin(_ value: String, _ builtin: String, key: String) throws(ConnectError) {
        guard isClass(value, named: builtin) else {
            throw ConnectError("\(key)=\(value) is not available in this runtime; only \(builtin) is")
        }
    }

    /// Whether `value` is `className` or its simple name.
    static func isClass(_ value: String, named className: String) -> Bool {
        value == className || value == className.split(separator: ".").last.map(String.init)
    }
}

extension StringProtocol {
    /// Java's `String.trim()`: drops leading and trailing characters at or below U+0020.
    func javaTrimmed() -> String {
        var slice = Substring(self)
        while let first = slice.unicodeScalars.first, first.value <= 0x20 { slice.unicodeScalars.removeFirst() }
        while let last = slice.unicodeScalars.last, last.value <= 0x20 { slice.unicodeScalars.removeLast() }
        return String(slice)
    }
}
