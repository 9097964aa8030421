import ConnectAPI
import Foundation

/// A connector generated (or has committed) more task configs than its `tasks.max` while
/// `tasks.max.enforce` is true (KIP-1004, Apache's `TooManyTasksException`): the connector, or
/// the task, fails with this error instead of being retried.
public struct TooManyTasksError: Error, Sendable, Hashable, CustomStringConvertible {
    public let connector: String
    public let taskCount: Int
    public let maxTasks: Int

    public init(connector: String, taskCount: Int, maxTasks: Int) {
        self.connector = connector
        self.taskCount = taskCount
        self.maxTasks = maxTasks
    }

    public var description: String {
        "The connector \(connector) has generated \(taskCount) tasks, which is greater than \(maxTasks), the maximum number of tasks it is configured to create. This behaviour should be considered a bug and is disallowed. If necessary, it can be permitted by reconfiguring the connector with '\(ConnectorConfig.tasksMaxEnforce)' set to false; however, this option will be removed in a future release of Kafka Connect."
    }

    /// The connector's `tasks.max` (its default when unset or unparsable; validation refuses those).
    static func maxTasks(_ connectorConfig: [String: String]) -> Int {
        Int(connectorConfig[ConnectorConfig.tasksMax].flatMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
            ?? ConnectorConfig.tasksMaxDefault)
    }

    /// The connector's `tasks.max.enforce` (default true).
    static func enforced(_ connectorConfig: [String: String]) -> Bool {
        connectorConfig[ConnectorConfig.tasksMaxEnforce]?.trimmingCharacters(in: .whitespaces).lowercased() != "false"
    }

    /// Throws when `taskCount` exceeds the connector's `tasks.max` and it is enforced.
    /// - Returns: whether the count exceeds `tasks.max` (tolerated because not enforced).
    @discardableResult
    static func check(_ connector: String, taskCount: Int, connectorConfig: [String: String]) throws(TooManyTasksError) -> Bool {
        let maxTasks = maxTasks(connectorConfig)
        guard taskCount > maxTasks else { return false }
        if enforced(connectorConfig) { throw TooManyTasksError(connector: connector, taskCount: taskCount, maxTasks: maxTasks) }
        return true
    }
}
