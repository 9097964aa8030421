/// The part of the config topic the group leader needs to assign work: the offset it has read
/// up to and, for each connector, how many tasks it has (Apache's `ClusterConfigState` as the
/// assignors see it).
///
/// List only the tasks of connectors whose task configs are committed and consistent; a
/// connector listed with 0 tasks still gets its Connector instance assigned.
public struct ConnectClusterSnapshot: Hashable, Sendable {
    /// The config-topic offset this snapshot reflects.
    public let offset: Int64
    /// Task count per connector name.
    public let taskCounts: [String: Int]

    /// - Throws: ``ConnectRuntimeError`` with code `invalidArgument` for a negative task count,
    ///   one above `Int32.max`, or a connector name longer than a Kafka STRING.
    public init(offset: Int64, taskCounts: [String: Int]) throws(ConnectRuntimeError) {
        for (connector, count) in taskCounts {
            try ConnectorTaskId.validateProtocolString(connector, "connector name")
            guard count >= 0, count <= Int(Int32.max) else {
                throw ConnectRuntimeError(.invalidArgument, "task count of connector '\(connector)' must be in 0...\(Int32.max), got \(count)")
            }
        }
        self.offset = offset
        self.taskCounts = taskCounts
    }

    /// A snapshot with no connectors.
    public static func empty(offset: Int64) -> ConnectClusterSnapshot {
        ConnectClusterSnapshot(validatedOffset: offset, taskCounts: [:])
    }

    private init(validatedOffset offset: Int64, taskCounts: [String: Int]) {
        self.offset = offset
        self.taskCounts = taskCounts
    }

    /// The configured connectors in Java's `String` order.
    public var connectors: [String] { taskCounts.keys.sorted(by: javaStringOrder) }

    /// The tasks of `connector` in task-number order; empty for an unknown connector.
    public func tasks(of connector: String) -> [ConnectorTaskId] {
        let count = taskCounts[connector] ?? 0
        return (0..<count).map { ConnectorTaskId(validatedConnector: connector, task: Int32($0)) }
    }

    /// Every configured task, ordered by connector then task number.
    public var allTasks: [ConnectorTaskId] { connectors.flatMap { tasks(of: $0) } }
}

/// Java's `String.compareTo`: lexicographic over UTF-16 code units. Apache sorts member ids,
/// connector names and task ids this way (TreeSet, `Collections.sort`).
func javaStringOrder(_ lhs: String, _ rhs: String) -> Bool {
    lhs.utf16.lexicographicallyPrecedes(rhs.utf16)
}

/// Java's `ConnectorTaskId.compareTo`: connector name (UTF-16 order), then task number.
func javaTaskOrder(_ lhs: ConnectorTaskId, _ rhs: ConnectorTaskId) -> Bool {
    if lhs.connector != rhs.connector { return javaStringOrder(lhs.connector, rhs.connector) }
    return lhs.task < rhs.task
}
