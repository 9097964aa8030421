/// The key of a config-topic record (`config.storage.topic`).
///
/// Keys are plain strings, not JSON. Parsing checks prefixes in the order Apache's
/// `KafkaConfigBackingStore` does and takes everything after the prefix as the name, so
/// connector names may contain `-`: `connector-a-1` names connector `a-1`, while
/// `task-a-1` is task 1 of connector `a` (the task number follows the last `-`).
public enum ConfigRecordKey: Hashable, Sendable, CustomStringConvertible {
    /// `connector-<name>` → ``ConfigurationRecord``; tombstoned when the connector is deleted.
    case connector(String)
    /// `task-<name>-<n>` → ``ConfigurationRecord``.
    case task(ConnectorTaskId)
    /// `commit-<name>` → ``TasksCommitRecord``.
    case tasksCommit(String)
    /// `target-state-<name>` → ``TargetState``; tombstoned with the connector.
    case targetState(String)
    /// `restart-connector-<name>` → ``RestartRequestRecord``.
    case restartRequest(String)
    /// `tasks-fencing-<name>` → ``TaskCountRecord`` (KIP-618).
    case taskCount(String)
    /// `session-key` → ``SessionKey`` (KIP-507).
    case sessionKey
    /// `logger-cluster-<namespace>` → ``LoggerLevelRecord`` (KIP-976).
    case loggerLevel(namespace: String)

    private static let targetStatePrefix = "target-state-"
    private static let connectorPrefix = "connector-"
    private static let taskPrefix = "task-"
    private static let tasksCommitPrefix = "commit-"
    private static let restartPrefix = "restart-connector-"
    private static let taskCountPrefix = "tasks-fencing-"
    private static let sessionKeyKey = "session-key"
    private static let loggerLevelPrefix = "logger-cluster-"

    /// - Throws: ``ConnectRuntimeError`` with code `malformedRecord` for a key Apache would
    ///   discard: an unknown prefix or a `task-` key without a valid task number.
    public init(parsing key: String) throws(ConnectRuntimeError) {
        func name(after prefix: String) -> String? {
            key.hasPrefix(prefix) ? String(key.dropFirst(prefix.count)) : nil
        }
        if let connector = name(after: Self.targetStatePrefix) {
            self = .targetState(connector)
        } else if let connector = name(after: Self.connectorPrefix) {
            self = .connector(connector)
        } else if let suffix = name(after: Self.taskPrefix) {
            guard let task = ConnectorTaskId.parseKeySuffix(Substring(suffix)) else {
                throw ConnectRuntimeError(.malformedRecord, "config key '\(key)' is not of the form task-<connector>-<task number>")
            }
            self = .task(task)
        } else if let connector = name(after: Self.tasksCommitPrefix) {
            self = .tasksCommit(connector)
        } else if let connector = name(after: Self.restartPrefix) {
            self = .restartRequest(connector)
        } else if let connector = name(after: Self.taskCountPrefix) {
            self = .taskCount(connector)
        } else if key == Self.sessionKeyKey {
            self = .sessionKey
        } else if let namespace = name(after: Self.loggerLevelPrefix) {
            self = .loggerLevel(namespace: namespace)
        } else {
            throw ConnectRuntimeError(.malformedRecord, "unknown config topic key '\(key)'")
        }
    }

    /// The record key string.
    public var key: String {
        switch self {
        case .connector(let name): Self.connectorPrefix + name
        case .task(let id): Self.taskPrefix + id.description
        case .tasksCommit(let name): Self.tasksCommitPrefix + name
        case .targetState(let name): Self.targetStatePrefix + name
        case .restartRequest(let name): Self.restartPrefix + name
        case .taskCount(let name): Self.taskCountPrefix + name
        case .sessionKey: Self.sessionKeyKey
        case .loggerLevel(let namespace): Self.loggerLevelPrefix + namespace
        }
    }

    public var description: String { key }
}
