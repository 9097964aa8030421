import ConnectAPI
import MirrorClient
import MirrorCommon

/// A checkpoint task's configuration (Apache's `MirrorCheckpointTaskConfig`): the connector's
/// properties plus `task.assigned.groups` and `task.index`.
public struct MirrorCheckpointTaskConfig: Sendable {
    public let connector: MirrorCheckpointConfig
    /// The consumer groups this task checkpoints, sorted.
    public let groups: [String]
    public let taskIndex: Int32?

    /// The task-only keys.
    public static let taskConfigDef = ConfigDef()
        .define(MirrorCheckpointConfig.Key.taskConsumerGroups, .list, defaultValue: .null, importance: .low,
                documentation: "Consumer groups assigned to this task to replicate.")
        .define(MirrorConnectorConfig.Key.taskIndex, .int, defaultValue: .null, importance: .low,
                documentation: "The index of the task.")

    /// - Throws: ``ConfigException`` for an invalid property.
    public init(_ properties: [String: String]) throws(ConfigException) {
        connector = try MirrorCheckpointConfig(properties)
        let parsed = try Self.taskConfigDef.parse(properties)
        groups = Array(Set(try parsed.listOrEmpty(MirrorCheckpointConfig.Key.taskConsumerGroups))).sorted()
        if case .int(let index)? = parsed.value(MirrorConnectorConfig.Key.taskIndex) {
            taskIndex = index
        } else {
            taskIndex = nil
        }
    }

    /// The task configuration for `groups` as task number `index`: the connector's properties
    /// plus the two task keys.
    public static func taskProperties(connector: [String: String], groups: [String], index: Int) -> [String: String] {
        var properties = connector
        properties[MirrorCheckpointConfig.Key.taskConsumerGroups] = groups.joined(separator: ",")
        properties[MirrorConnectorConfig.Key.taskIndex] = String(index)
        return properties
    }
}

extension MirrorCheckpointConfig {
    /// `<source>.checkpoints.internal` (per the replication policy), on the target cluster.
    public func checkpointsTopic(policy: any ReplicationPolicy) -> String {
        policy.checkpointsTopic(clusterAlias: common.sourceClusterAlias)
    }

    /// The offset-syncs topic: named after the target cluster when it lives on the source
    /// cluster (the default), after the source cluster when it lives on the target.
    public func offsetSyncsTopic(policy: any ReplicationPolicy) -> String {
        policy.offsetSyncsTopic(clusterAlias: offsetSyncsTopicLocation == .source
            ? common.targetClusterAlias : common.sourceClusterAlias)
    }

    /// The topic filter (`topics`, `topics.exclude`), for the default `topic.filter.class`.
    /// - Throws: ``ConnectError`` for another filter class or a pattern that does not compile.
    public func topicFilter() throws(ConnectError) -> TopicFilter {
        guard Self.isDefaultFilterClass(topicFilterClass, MirrorConnectorConfig.Defaults.topicFilterClass) else {
            throw ConnectError("\(MirrorConnectorConfig.Key.topicFilterClass)=\(topicFilterClass) is not supported; only \(MirrorConnectorConfig.Defaults.topicFilterClass) is")
        }
        do {
            return TopicFilter(include: try PatternList(topics, property: MirrorConnectorConfig.Key.topics),
                               exclude: try PatternList(topicsExclude, property: MirrorConnectorConfig.Key.topicsExclude))
        } catch {
            throw ConnectError("Invalid topic filter: \(error)", underlying: error)
        }
    }

    /// The group filter (`groups`, `groups.exclude`), for the default `group.filter.class`.
    /// - Throws: ``ConnectError`` for another filter class or a pattern that does not compile.
    public func groupFilter() throws(ConnectError) -> GroupFilter {
        guard Self.isDefaultFilterClass(groupFilterClass, Defaults.groupFilterClass) else {
            throw ConnectError("\(Key.groupFilterClass)=\(groupFilterClass) is not supported; only \(Defaults.groupFilterClass) is")
        }
        do {
            return GroupFilter(include: try PatternList(groups, property: Key.groups),
                               exclude: try PatternList(groupsExclude, property: Key.groupsExclude))
        } catch {
            throw ConnectError("Invalid group filter: \(error)", underlying: error)
        }
    }

    /// Whether `name` is `defaultClass` or its simple name.
    static func isDefaultFilterClass(_ name: String, _ defaultClass: String) -> Bool {
        name == defaultClass || name == defaultClass.split(separator: ".").last.map(String.init)
    }
}
