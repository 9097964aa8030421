/// A connector: the plugin that describes a data flow, checks its configuration and splits the
/// work into task configurations, like Kafka's `Connector`. Implement ``SourceConnector`` or
/// ``SinkConnector``.
///
/// Instances are created with ``init()`` by the runtime, then driven as:
/// `start` → (`run` concurrently) → `taskConfigs` (possibly repeatedly) → `stop`.
/// Implementations are classes keeping mutable state behind a `Mutex`.
public protocol Connector: AnyObject, Sendable {
    init()

    /// The plugin's version, shown by `GET /connector-plugins`.
    var version: String { get }

    /// The connector-specific configuration keys (the runtime adds ``ConnectorConfig/configDef``).
    var configDef: ConfigDef { get }

    /// Starts the connector with its configuration. Throwing fails the connector.
    func start(_ props: [String: String], context: any ConnectorContext) async throws

    /// The configurations of at most `maxTasks` tasks (fewer is fine; none is allowed).
    func taskConfigs(maxTasks: Int) async throws -> [[String: String]]

    /// Stops the connector; called once, after ``run()`` was cancelled and has returned.
    func stop() async

    /// Validates a configuration without starting, for `PUT .../config/validate` and before
    /// accepting a new config. The default validates against ``configDef`` (Kafka's
    /// `ConfigDef.validateAll`); override to add multi-property checks (call the default first
    /// via ``validateAgainstConfigDef(_:)``).
    func validate(_ props: [String: String]) -> [ConfigValue]

    /// Optional long-running background work, e.g. periodically refreshing the source's topic
    /// list and calling ``ConnectorContext/requestTaskReconfiguration()``. The runtime runs it
    /// after `start` returns and cancels it before `stop`. It must return promptly when
    /// cancelled; throwing (other than `CancellationError`) fails the connector.
    /// The default waits until cancelled.
    func run() async throws
}

extension Connector {
    public func validate(_ props: [String: String]) -> [ConfigValue] {
        validateAgainstConfigDef(props)
    }

    /// Validation of `props` against ``Connector/configDef`` alone.
    public func validateAgainstConfigDef(_ props: [String: String]) -> [ConfigValue] {
        configDef.validate(props)
    }

    public func run() async throws {
        try await waitUntilCancelled()
    }
}

/// Suspends until the current task is cancelled, then throws `CancellationError`.
public func waitUntilCancelled() async throws {
    while true {
        try await Task.sleep(for: .seconds(3600))
    }
}

/// What the runtime offers a running connector, like Kafka's `ConnectorContext`.
public protocol ConnectorContext: Sendable {
    /// Asks the runtime to call ``Connector/taskConfigs(maxTasks:)`` again, e.g. because the
    /// set of source partitions changed.
    func requestTaskReconfiguration()

    /// Reports an unrecoverable error from background work: the connector is marked FAILED.
    func raiseError(_ error: any Error)
}

/// A connector that reads from an external system into Kafka (Kafka's `SourceConnector`).
public protocol SourceConnector: Connector {
    /// The task class this connector's tasks are instances of (Kafka's `taskClass()`).
    var taskType: any SourceTask.Type { get }

    /// Called for `PATCH`/`DELETE /connectors/{name}/offsets` on a stopped connector, with the
    /// requested offsets (a `nil` offset resets that partition). Return `true` if the connector
    /// handled them, `false` to let the runtime proceed without the connector's involvement;
    /// throw to reject the request. The default returns `false`.
    func alterOffsets(connectorConfig: [String: String], offsets: [SourcePartition: SourceOffset?]) async throws -> Bool
}

extension SourceConnector {
    /// A new, unstarted task instance.
    public func createTask() -> any SourceTask { taskType.init() }

    public func alterOffsets(connectorConfig: [String: String], offsets: [SourcePartition: SourceOffset?]) async throws -> Bool {
        false
    }
}

/// A connector that writes from Kafka to an external system (Kafka's `SinkConnector`).
/// The runtime handles `topics` / `topics.regex` and the consumer.
public protocol SinkConnector: Connector {
    /// The task class this connector's tasks are instances of (Kafka's `taskClass()`).
    var taskType: any SinkTask.Type { get }

    /// Like ``SourceConnector/alterOffsets(connectorConfig:offsets:)`` for consumer offsets
    /// (a `nil` offset resets that partition). The default returns `false`.
    func alterOffsets(connectorConfig: [String: String], offsets: [SinkTopicPartition: Int64?]) async throws -> Bool
}

extension SinkConnector {
    /// A new, unstarted task instance.
    public func createTask() -> any SinkTask { taskType.init() }

    public func alterOffsets(connectorConfig: [String: String], offsets: [SinkTopicPartition: Int64?]) async throws -> Bool {
        false
    }
}

extension SinkConnector {
    /// The property naming the topics a sink consumes (`topics`).
    public static var topicsConfig: String { "topics" }
    /// The property with a regular expression of topics a sink consumes (`topics.regex`).
    public static var topicsRegexConfig: String { "topics.regex" }
}
