/// An immutable snapshot of the config topic as a ``ConfigBackingStore`` has applied it, like
/// Apache's `ClusterConfigState`.
///
/// Configs are raw: config provider references (`${file:...}`) are not resolved here.
public struct ClusterConfigState: Hashable, Sendable {
    /// The offset after the last config-topic record read, or -1 before any was read. This is
    /// what workers exchange as `config-offset` in the group protocol.
    public var offset: Int64
    /// The latest session key for signing internal requests, if one was read.
    public var sessionKey: SessionKey?
    /// The task count of each connector's latest task commit.
    public var connectorTaskCounts: [String: Int32]
    /// Connector configs by connector name.
    public var connectorConfigs: [String: [String: String]]
    /// Target states by connector name.
    public var connectorTargetStates: [String: TargetState]
    /// Committed task configs by task.
    public var taskConfigs: [ConnectorTaskId: [String: String]]
    /// The latest `tasks-fencing-<name>` count of each connector (exactly-once source).
    public var connectorTaskCountRecords: [String: Int32]
    /// How many complete task-config sets were committed for each connector, from 0.
    public var connectorTaskConfigGenerations: [String: Int32]
    /// The connector config that was current when its latest task configs were committed.
    public var appliedConnectorConfigs: [String: [String: String]]
    /// Connectors whose latest task configs came after their latest task count record, so
    /// they need zombie fencing before their tasks start (exactly-once source).
    public var connectorsPendingFencing: Set<String>
    /// Connectors whose latest task commit did not cover a complete set of task configs
    /// (usually after compaction); they have no usable tasks until reconfigured.
    public var inconsistentConnectors: Set<String>

    public init(
        offset: Int64 = -1,
        sessionKey: SessionKey? = nil,
        connectorTaskCounts: [String: Int32] = [:],
        connectorConfigs: [String: [String: String]] = [:],
        connectorTargetStates: [String: TargetState] = [:],
        taskConfigs: [ConnectorTaskId: [String: String]] = [:],
        connectorTaskCountRecords: [String: Int32] = [:],
        connectorTaskConfigGenerations: [String: Int32] = [:],
        appliedConnectorConfigs: [String: [String: String]] = [:],
        connectorsPendingFencing: Set<String> = [],
        inconsistentConnectors: Set<String> = []
    ) {
        self.offset = offset
        self.sessionKey = sessionKey
        self.connectorTaskCounts = connectorTaskCounts
        self.connectorConfigs = connectorConfigs
        self.connectorTargetStates = connectorTargetStates
        self.taskConfigs = taskConfigs
        self.connectorTaskCountRecords = connectorTaskCountRecords
        self.connectorTaskConfigGenerations = connectorTaskConfigGenerations
        self.appliedConnectorConfigs = appliedConnectorConfigs
        self.connectorsPendingFencing = connectorsPendingFencing
        self.inconsistentConnectors = inconsistentConnectors
    }

    /// The state before anything was read.
    public static let empty = ClusterConfigState()

    public func contains(_ connector: String) -> Bool { connectorConfigs[connector] != nil }

    /// Every connector with a config, sorted by name.
    public var connectors: [String] { connectorConfigs.keys.sorted() }

    public func connectorConfig(_ connector: String) -> [String: String]? { connectorConfigs[connector] }

    public func targetState(_ connector: String) -> TargetState? { connectorTargetStates[connector] }

    public func taskConfig(_ task: ConnectorTaskId) -> [String: String]? { taskConfigs[task] }

    /// The connector's task count from its latest commit (0 if none).
    public func taskCount(_ connector: String) -> Int32 { connectorTaskCounts[connector] ?? 0 }

    /// The connector's tasks `0..<taskCount`; none while the connector is inconsistent.
    public func tasks(_ connector: String) -> [ConnectorTaskId] {
        guard !inconsistentConnectors.contains(connector), let count = connectorTaskCounts[connector], count > 0 else { return [] }
        return (0..<count).map { ConnectorTaskId(validatedConnector: connector, task: $0) }
    }

    public func taskCountRecord(_ connector: String) -> Int32? { connectorTaskCountRecords[connector] }

    public func taskConfigGeneration(_ connector: String) -> Int32? { connectorTaskConfigGenerations[connector] }

    public func appliedConnectorConfig(_ connector: String) -> [String: String]? { appliedConnectorConfigs[connector] }

    public func pendingFencing(_ connector: String) -> Bool { connectorsPendingFencing.contains(connector) }
}

extension ClusterConfigState: CustomStringConvertible {
    /// Leaves out the session key and configs (they may hold secrets).
    public var description: String {
        "ClusterConfigState(offset: \(offset), sessionKey: \(sessionKey == nil ? "none" : "[hidden]"), connectorTaskCounts: \(connectorTaskCounts.sorted { $0.key < $1.key }), inconsistentConnectors: \(inconsistentConnectors.sorted()))"
    }
}
