import ConnectAPI
import Kafka
import Logging
import Synchronization

/// The ``ConfigBackingStore`` of distributed mode: the compacted, single-partition config
/// topic (`config.storage.topic`), read and written like Apache's `KafkaConfigBackingStore`.
///
/// Records are applied exactly as Apache applies them, so a topic written by Apache Kafka
/// Connect reads the same here:
/// - `connector-<name>` takes effect at once (a new connector starts as `STARTED` unless a
///   target state was read first); its tombstone removes the connector's config and tasks.
/// - `task-<name>-<n>` records wait until a `commit-<name>` record; the commit applies them
///   only if they include tasks `0..<tasks`, otherwise the connector is marked inconsistent.
/// - `target-state-<name>` prefers `state.v2` over `state`; its tombstone removes the state.
/// - Unknown keys and values of the wrong shape are logged and skipped.
///
/// Writes wait for the acknowledgement and then read the topic to its end (all within
/// `readWriteTimeout`, 30 s by default), except ``putTargetState(_:_:)`` and
/// ``putLoggerLevel(namespace:level:)``, which only wait for the acknowledgement (as in Apache).
public final class KafkaConfigBackingStore: ConfigBackingStore {
    public let topic: InternalTopic
    private let log: KafkaBasedLog
    private let topicAdmin: TopicAdmin
    private let applier: ConfigRecordApplier
    private let readWriteTimeout: Duration
    private let logger: Logger

    /// - Parameters:
    ///   - topic: the config topic; it is created with one partition if missing, and refused
    ///     if it exists with more partitions or a cleanup policy other than `compact`.
    ///   - clientConfiguration: Kafka client properties (bootstrap servers, security, …) for
    ///     the store's producer and consumer.
    ///   - clientId: `client.id` of both clients (Apache uses `<client id base>configs`).
    ///   - topicAdmin: creates and checks the topic; not closed by the store.
    public init(
        topic: InternalTopic,
        clientConfiguration: KafkaConfiguration,
        clientId: String? = nil,
        topicAdmin: TopicAdmin,
        readWriteTimeout: Duration = .seconds(30),
        logger: Logger
    ) {
        var topic = topic
        topic.requiresSinglePartition = true
        self.topic = topic
        self.topicAdmin = topicAdmin
        self.readWriteTimeout = readWriteTimeout
        let logger = logger.taggedWithTopic(topic.name)
        self.logger = logger
        let applier = ConfigRecordApplier(logger: logger)
        self.applier = applier
        log = KafkaBasedLog(
            storeTopic: topic.name, clientConfiguration: clientConfiguration, clientId: clientId,
            topicAdmin: topicAdmin, logger: logger, consume: { applier.apply($0) })
    }

    // MARK: Lifecycle

    /// Creates or checks the topic, then reads it to the end. The listener is called only for
    /// records read after this returns.
    ///
    /// - Throws: `ConfigException` if the topic has more than one partition or is not
    ///   compacted only; ``KafkaError`` for I/O failures.
    public func start() async throws {
        logger.info("Starting KafkaConfigBackingStore")
        try await topicAdmin.initialize(topic)
        let partitions = try await topicAdmin.partitions(of: topic.name)
        try TopicAdmin.verifySinglePartition(topic, partitionCount: partitions.count)
        try await log.start()
        applier.markStarted()
        logger.info("Started KafkaConfigBackingStore", metadata: ["connect.config.offset": "\(snapshot().offset)"])
    }

    public func stop() async {
        await log.stop()
    }

    // MARK: Reading

    public func snapshot() -> ClusterConfigState { applier.snapshot() }

    public func contains(connector: String) -> Bool { applier.snapshot().contains(connector) }

    public func setUpdateListener(_ listener: (any ConfigUpdateListener)?) { applier.setListener(listener) }

    public func refresh(timeout: Duration) async throws {
        try await log.readToEnd(timeout: timeout)
    }

    // MARK: Writing

    public func putConnectorConfig(_ connector: String, _ config: [String: String], targetState: TargetState?) async throws {
        var records: [(key: [UInt8]?, value: [UInt8]?)] = []
        if let targetState {
            records.append((Self.key(.targetState(connector)), targetState.encoded()))
        }
        records.append((Self.key(.connector(connector)), ConfigurationRecord(properties: config).encoded()))
        try await write("connector configuration", records: records, readBack: true)
    }

    public func removeConnectorConfig(_ connector: String) async throws {
        try await write("removal of connector configuration", records: [
            (Self.key(.connector(connector)), nil),
            (Self.key(.targetState(connector)), nil),
        ], readBack: true)
    }

    public func putTaskConfigs(_ connector: String, _ configs: [[String: String]]) async throws {
        let deadline = ContinuousClock.now + readWriteTimeout
        try await reportingFailure("task configurations") {
            // Be at the end of the log first: nothing older may be applied after our commit.
            try await log.readToEnd(timeout: storeTimeRemaining(until: deadline))
            let tasks = configs.enumerated().map { index, config in
                (key: Self.key(.task(ConnectorTaskId(validatedConnector: connector, task: Int32(index)))),
                 value: Optional(ConfigurationRecord(properties: config).encoded()))
            }
            try await send(tasks, deadline: deadline)
            if !tasks.isEmpty { try await log.readToEnd(timeout: storeTimeRemaining(until: deadline)) }
            let commit = TasksCommitRecord(taskCount: Int32(configs.count)).encoded()
            try await send([(Self.key(.tasksCommit(connector)), commit)], deadline: deadline)
            try await log.readToEnd(timeout: storeTimeRemaining(until: deadline))
        }
    }

    /// Returns once the new state is in ``snapshot()``: the leader decides on later requests (e.g.
    /// task configs generated before a stop) by the state it wrote.
    public func putTargetState(_ connector: String, _ state: TargetState) async throws {
        try await write("target state", records: [(Self.key(.targetState(connector)), state.encoded())], readBack: true)
    }

    public func putSessionKey(_ sessionKey: SessionKey) async throws {
        try await write("session key", records: [(Self.key(.sessionKey), sessionKey.encoded())], readBack: true)
    }

    public func putRestartRequest(_ connector: String, _ request: RestartRequestRecord) async throws {
        try await write("restart request", records: [(Self.key(.restartRequest(connector)), request.encoded())], readBack: true)
    }

    public func putTaskCountRecord(_ connector: String, taskCount: Int32) async throws {
        try await write("task count record", records: [(Self.key(.taskCount(connector)), TaskCountRecord(taskCount: taskCount).encoded())], readBack: true)
    }

    public func putLoggerLevel(namespace: String, level: String) async throws {
        try await write("logger level", records: [(Self.key(.loggerLevel(namespace: namespace)), LoggerLevelRecord(level: level).encoded())], readBack: false)
    }

    private static func key(_ key: ConfigRecordKey) -> [UInt8] { Array(key.key.utf8) }

    private func write(_ what: String, records: [(key: [UInt8]?, value: [UInt8]?)], readBack: Bool) async throws {
        let deadline = ContinuousClock.now + readWriteTimeout
        try await reportingFailure(what) {
            try await send(records, deadline: deadline)
            if readBack { try await log.readToEnd(timeout: storeTimeRemaining(until: deadline)) }
        }
    }

    private func send(_ records: [(key: [UInt8]?, value: [UInt8]?)], deadline: ContinuousClock.Instant) async throws {
        guard !records.isEmpty else { return }
        let log = self.log
        let topicName = topic.name
        try await withStoreTimeout(storeTimeRemaining(until: deadline), "writing to config topic '\(topicName)'") {
            _ = try await log.send(records)
        }
    }

    /// Prefixes a failure with what was being written, as Apache's "Error writing … to Kafka".
    private func reportingFailure(_ what: String, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch var error as KafkaError {
            logger.error("Failed to write to the config topic", metadata: ["connect.write": "\(what)", "kafka.error": "\(error)"])
            error.message = "error writing \(what) to Kafka: \(error.message)"
            throw error
        }
    }
}

/// Applies config-topic records to the store's state, on the log's read loop, and tells the
/// listener about changes once the store has started.
final class ConfigRecordApplier: Sendable {
    private enum Event {
        case connectorUpdate(String)
        case connectorRemove(String)
        case taskUpdate([ConnectorTaskId])
        case targetStateChange(String)
        case sessionKey(SessionKey)
        case restart(String, RestartRequestRecord)
        case loggerLevel(namespace: String, level: String)
    }

    private struct State {
        var snapshot = ClusterConfigState.empty
        /// Task configs read but not yet committed. A connector's entry exists (maybe empty)
        /// once any task config was read for it, until the connector is removed.
        var deferredTaskUpdates: [String: [ConnectorTaskId: [String: String]]] = [:]
        var started = false
        var listener: (any ConfigUpdateListener)?
    }

    private let state = Mutex(State())
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func snapshot() -> ClusterConfigState { state.withLock { $0.snapshot } }

    func setListener(_ listener: (any ConfigUpdateListener)?) { state.withLock { $0.listener = listener } }

    func markStarted() { state.withLock { $0.started = true } }

    func apply(_ record: ConsumerRecord) {
        guard let keyBytes = record.key else {
            logger.error("Discarding config topic record without a key", metadata: ["kafka.offset": "\(record.offset)"])
            return
        }
        let key = String(decoding: keyBytes, as: UTF8.self)
        // A value the JSON converter cannot read is dropped before anything else, without
        // moving the offset (as in Apache); a JSON null reads like a tombstone.
        var value = record.value
        if let bytes = value {
            do {
                if case .null = try ConnectJSON.parseRecord(bytes, what: "config topic value") { value = nil }
            } catch {
                logger.error("Failed to convert config data", metadata: ["connect.config.key": "\(key)", "connect.error": "\(error)"])
                return
            }
        }
        let (events, listener) = state.withLock { state -> ([Event], (any ConfigUpdateListener)?) in
            state.snapshot.offset = record.offset + 1
            let events = apply(key: key, value: value, to: &state)
            return (state.started ? events : [], state.listener)
        }
        guard let listener else { return }
        for event in events {
            switch event {
            case .connectorUpdate(let connector): listener.onConnectorConfigUpdate(connector)
            case .connectorRemove(let connector): listener.onConnectorConfigRemove(connector)
            case .taskUpdate(let tasks): listener.onTaskConfigUpdate(tasks)
            case .targetStateChange(let connector): listener.onConnectorTargetStateChange(connector)
            case .sessionKey(let sessionKey): listener.onSessionKeyUpdate(sessionKey)
            case .restart(let connector, let request): listener.onRestartRequest(connector, request)
            case .loggerLevel(let namespace, let level): listener.onLoggerLevelUpdate(namespace: namespace, level: level)
            }
        }
    }

    private func apply(key: String, value: [UInt8]?, to state: inout State) -> [Event] {
        let parsedKey: ConfigRecordKey
        do {
            parsedKey = try ConfigRecordKey(parsing: key)
        } catch {
            logger.error("Discarding config update record with invalid key", metadata: ["connect.config.key": "\(key)"])
            return []
        }
        do {
            switch parsedKey {
            case .targetState(let connector): return try applyTargetState(connector, value, &state)
            case .connector(let connector): return try applyConnectorConfig(connector, value, &state)
            case .task(let task): try applyTaskConfig(task, value, &state); return []
            case .tasksCommit(let connector): return try applyTasksCommit(connector, value, &state)
            case .restartRequest(let connector):
                guard let value else {
                    logger.error("Ignoring restart request without a value", metadata: ["connect.connector": "\(connector)"])
                    return []
                }
                return [.restart(connector, try RestartRequestRecord(decoding: value))]
            case .taskCount(let connector): try applyTaskCount(connector, value, &state); return []
            case .sessionKey:
                guard let value else {
                    logger.error("Ignoring session key because it is unexpectedly null")
                    return []
                }
                let sessionKey = try SessionKey(decoding: value)
                state.snapshot.sessionKey = sessionKey
                return [.sessionKey(sessionKey)]
            case .loggerLevel(let namespace):
                guard let value else {
                    logger.error("Ignoring logging level because it is unexpectedly null", metadata: ["connect.logger": "\(namespace)"])
                    return []
                }
                return [.loggerLevel(namespace: namespace, level: try LoggerLevelRecord(decoding: value).level)]
            }
        } catch {
            logger.error("Ignoring config topic record in the wrong format", metadata: ["connect.config.key": "\(key)", "connect.error": "\(error)"])
            return []
        }
    }

    private func applyTargetState(_ connector: String, _ value: [UInt8]?, _ state: inout State) throws(ConnectRuntimeError) -> [Event] {
        guard let value else {
            // Written together with the connector's tombstone. A connector that still has a
            // config keeps a valid state: STARTED. No event; the connector removal reports it.
            state.snapshot.connectorTargetStates[connector] = state.snapshot.connectorConfigs[connector] != nil ? .started : nil
            return []
        }
        let targetState = try TargetState(decoding: value)
        let previous = state.snapshot.connectorTargetStates.updateValue(targetState, forKey: connector)
        // No event for a connector that does not exist (yet): an initial state precedes its config.
        guard previous != targetState, state.snapshot.connectorConfigs[connector] != nil else { return [] }
        return [.targetStateChange(connector)]
    }

    private func applyConnectorConfig(_ connector: String, _ value: [UInt8]?, _ state: inout State) throws(ConnectRuntimeError) -> [Event] {
        guard let value else {
            removeConnector(connector, &state)
            logger.info("Processed removal of connector", metadata: ["connect.connector": "\(connector)"])
            return [.connectorRemove(connector)]
        }
        state.snapshot.connectorConfigs[connector] = try ConfigurationRecord(decoding: value).properties
        if state.snapshot.connectorTargetStates[connector] == nil {
            state.snapshot.connectorTargetStates[connector] = .started
        }
        return [.connectorUpdate(connector)]
    }

    private func applyTaskConfig(_ task: ConnectorTaskId, _ value: [UInt8]?, _ state: inout State) throws(ConnectRuntimeError) {
        guard let value else {
            logger.error("Ignoring task configuration because it is unexpectedly null", metadata: ["connect.task": "\(task)"])
            return
        }
        let properties = try ConfigurationRecord(decoding: value).properties
        state.deferredTaskUpdates[task.connector, default: [:]][task] = properties
    }

    private func applyTasksCommit(_ connector: String, _ value: [UInt8]?, _ state: inout State) throws(ConnectRuntimeError) -> [Event] {
        guard let connectorConfig = state.snapshot.connectorConfigs[connector] else {
            // The connector was deleted and compaction removed its config and tombstone.
            removeConnector(connector, &state)
            logger.debug("Ignoring task configs of a connector that no longer exists", metadata: ["connect.connector": "\(connector)"])
            return []
        }
        guard let value else {
            logger.error("Ignoring tasks commit without a value", metadata: ["connect.connector": "\(connector)"])
            return []
        }
        let taskCount = try TasksCommitRecord(decoding: value).taskCount
        let deferred = state.deferredTaskUpdates[connector]
        var updatedTasks: [ConnectorTaskId] = []
        let taskNumbers = Set(deferred?.keys.map(\.task) ?? [])
        if taskNumbers.count < Int(taskCount) || !(0..<max(0, taskCount)).allSatisfy(taskNumbers.contains) {
            // Only compacted history gets here: nothing was applied for these configs, so
            // marking the connector is all there is to do.
            logger.debug("Incomplete set of task configs, probably due to compaction; the connector is inconsistent until reconfigured", metadata: [
                "connect.connector": "\(connector)", "connect.tasks": "\(taskCount)",
            ])
            state.snapshot.inconsistentConnectors.insert(connector)
        } else {
            if let deferred {
                state.snapshot.taskConfigs.merge(deferred) { _, new in new }
                updatedTasks = deferred.keys.sorted()
                state.snapshot.connectorTaskConfigGenerations[connector] = state.snapshot.connectorTaskConfigGenerations[connector].map { $0 + 1 } ?? 0
            }
            state.snapshot.inconsistentConnectors.remove(connector)
            state.snapshot.appliedConnectorConfigs[connector] = connectorConfig
        }
        // Whether applied or not, these configs are used up: only a fresh set may follow.
        if deferred != nil { state.deferredTaskUpdates[connector] = [:] }
        state.snapshot.connectorTaskCounts[connector] = taskCount
        state.snapshot.connectorsPendingFencing.insert(connector)
        return [.taskUpdate(updatedTasks)]
    }

    private func applyTaskCount(_ connector: String, _ value: [UInt8]?, _ state: inout State) throws(ConnectRuntimeError) {
        guard let value else {
            logger.error("Ignoring task count record without a value", metadata: ["connect.connector": "\(connector)"])
            return
        }
        state.snapshot.connectorTaskCountRecords[connector] = try TaskCountRecord(decoding: value).taskCount
        // A task count record after the latest task configs means no fencing is needed.
        state.snapshot.connectorsPendingFencing.remove(connector)
    }

    private func removeConnector(_ connector: String, _ state: inout State) {
        state.snapshot.connectorConfigs[connector] = nil
        state.snapshot.connectorTaskCounts[connector] = nil
        state.snapshot.taskConfigs = state.snapshot.taskConfigs.filter { $0.key.connector != connector }
        state.snapshot.appliedConnectorConfigs[connector] = nil
        state.deferredTaskUpdates[connector] = nil
    }
}
