import ConnectAPI
import Foundation
import Kafka
import KafkaProtocol
import Logging
import Synchronization

/// Runs the connectors and tasks the herder assigns to this worker (Apache's `Worker`).
///
/// Every connector and task is one child of the task group ``run()`` owns and runs on its own
/// serial queue executor (Java's thread per task), so a plugin that blocks or fails affects
/// nothing else. Stopping is graceful: the job is asked to stop, commits what it can and calls
/// the plugin's `stop`; if it has not finished within `task.shutdown.graceful.timeout.ms`
/// it is cancelled and abandoned.
public final class Worker: Sendable {
    let config: DistributedConfig
    let plugins: PluginRegistry
    private let offsetStore: any WorkerOffsetStore
    private let statusTracker: StatusTracker
    private let logger: Logger
    private let jobs: AsyncStream<Running>.Continuation
    private let jobStream: AsyncStream<Running>

    /// One job the worker runs, and the flag its runner sets when it has finished.
    struct Running: Sendable {
        let job: any WorkerJob
        let done = WatchedValue(false)
        let label: String
    }

    private struct State {
        var connectors: [String: (connector: WorkerConnector, running: Running)] = [:]
        var tasks: [ConnectorTaskId: Running] = [:]
        var stopped = false
    }

    private let state = Mutex(State())

    public init(config: DistributedConfig, plugins: PluginRegistry,
                offsetStore: any WorkerOffsetStore, listener: any WorkerStatusListener, logger: Logger) {
        self.config = config
        self.plugins = plugins
        self.offsetStore = offsetStore
        statusTracker = StatusTracker(listener: listener)
        self.logger = logger
        (jobStream, jobs) = AsyncStream.makeStream(of: Running.self)
    }

    /// Runs connectors and tasks until ``shutdown()`` (or cancellation).
    public func run() async {
        await withDiscardingTaskGroup { group in
            for await running in jobStream {
                group.addTask(executorPreference: SerialQueueTaskExecutor(label: running.label)) {
                    await Self.runJob(running)
                }
            }
        }
    }

    private static func runJob(_ running: Running) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await running.job.execute() }
            group.addTask { _ = try? await running.job.control.wait { $0.abandoned } }
            _ = await group.next()
            group.cancelAll()
        }
        running.done.set(true)
    }

    /// Stops every connector and task gracefully and ends ``run()``.
    public func shutdown() async {
        let (connectors, tasks) = state.withLock { state in
            state.stopped = true
            return (Array(state.connectors.keys), Array(state.tasks.keys))
        }
        await stopTasks(tasks)
        await stopConnectors(connectors)
        jobs.finish()
    }

    // MARK: Connectors

    /// Names of the connectors running on this worker.
    public var connectorNames: Set<String> { state.withLock { Set($0.connectors.keys) } }

    /// Ids of the tasks running on this worker.
    public var taskIds: Set<ConnectorTaskId> { state.withLock { Set($0.tasks.keys) } }

    /// Starts a connector instance in `targetState`.
    /// - Throws: ``ConnectError`` for an unknown class; the herder reports it as FAILED.
    public func startConnector(_ name: String, config connectorConfig: [String: String], targetState: TargetState) throws {
        let className = connectorConfig[ConnectorConfig.connectorClass] ?? ""
        let connector = try plugins.newConnector(className)
        let workerConnector = WorkerConnector(
            name: name, config: connectorConfig, connector: connector, targetState: targetState,
            listener: statusTracker, logger: logger)
        let running = Running(job: workerConnector, label: "swift-connect.connector.\(name)")
        let added = state.withLock { state -> Bool in
            guard !state.stopped, state.connectors[name] == nil else { return false }
            state.connectors[name] = (workerConnector, running)
            return true
        }
        guard added else { throw ConnectError("Connector \(name) is already running on this worker") }
        logger.info("Starting connector", metadata: ["connector": "\(name)", "class": "\(className)"])
        jobs.yield(running)
    }

    /// Stops connectors and waits for them, at most the graceful shutdown timeout.
    public func stopConnectors(_ names: some Collection<String>) async {
        let stopping = state.withLock { state in
            names.compactMap { name in state.connectors.removeValue(forKey: name).map { (name, $0.running) } }
        }
        await stop(stopping.map { entry in (entry.1, { await self.statusTracker.stopped(connector: entry.0) }) })
    }

    /// Task configs from a running connector.
    public func connectorTaskConfigs(_ name: String, maxTasks: Int) async throws -> [[String: String]] {
        guard let connector = state.withLock({ $0.connectors[name]?.connector }) else {
            throw ConnectError("Connector \(name) is not running on this worker")
        }
        return try await connector.taskConfigs(maxTasks: maxTasks)
    }

    /// Whether the connector runs here and is started (not paused, stopped or failed), as
    /// Apache's `Worker.isRunning`.
    public func isConnectorStarted(_ name: String) -> Bool {
        state.withLock { $0.connectors[name]?.connector }?.isStarted ?? false
    }

    /// Fails a running connector with `error` (status FAILED with its trace); it stays failed
    /// until restarted. Does nothing if the connector does not run here.
    public func failConnector(_ name: String, _ error: any Error) {
        state.withLock { $0.connectors[name]?.connector }?.fail(error)
    }

    /// Whether the class named by a connector config is a sink connector (`nil`: unknown class).
    public func isSinkConnector(_ connectorConfig: [String: String]) -> Bool? {
        plugins.connectorType(connectorConfig[ConnectorConfig.connectorClass] ?? "").map { $0 == .sink }
    }

    // MARK: Tasks

    /// Starts a task of a connector.
    /// - Throws: when the connector class, converters or client configuration are invalid; the
    ///   herder reports the task FAILED with that trace.
    public func startTask(_ id: ConnectorTaskId, connectorConfig: [String: String], taskConfig: [String: String],
                          targetState: TargetState) throws {
        let className = connectorConfig[ConnectorConfig.connectorClass] ?? ""
        let connector = try plugins.newConnector(className)
        let converters = try TaskConverters(connectorConfig: connectorConfig, worker: config, plugins: plugins)
        let job: any WorkerJob
        if let source = connector as? any SourceConnector {
            let producerConfig = try Self.sourceTaskProducerConfig(id, worker: config, connectorConfig: connectorConfig)
            // The task's loop serves its producer's delivery reports between batches; the
            // producer's thread serves those left waiting while the task's poll blocks.
            let producer = try KafkaProducer(
                configuration: KafkaConfiguration(producerConfig), deliveryReports: .owner(idle: .milliseconds(10)),
                logger: logger)
            job = WorkerSourceTask(
                id: id, task: source.createTask(), taskConfig: taskConfig, targetState: targetState,
                producer: producer, converters: converters, offsetStore: offsetStore,
                listener: statusTracker, worker: config, logger: logger)
        } else if let sink = connector as? any SinkConnector {
            let topics = try Self.sinkSubscription(connectorConfig)
            let consumerConfig = try Self.sinkTaskConsumerConfig(id, worker: config, connectorConfig: connectorConfig)
            let consumer = try KafkaConsumer(configuration: KafkaConfiguration(consumerConfig), logger: logger)
            job = WorkerSinkTask(
                id: id, task: sink.createTask(), taskConfig: taskConfig, targetState: targetState,
                consumer: consumer, topics: topics, converters: converters,
                listener: statusTracker, worker: config, logger: logger)
        } else {
            throw ConnectError("\(className) is neither a source nor a sink connector")
        }
        let running = Running(job: job, label: "swift-connect.task.\(id)")
        let added = state.withLock { state -> Bool in
            guard !state.stopped, state.tasks[id] == nil else { return false }
            state.tasks[id] = running
            return true
        }
        guard added else { throw ConnectError("Task \(id) is already running on this worker") }
        logger.info("Starting task", metadata: ["task": "\(id)"])
        jobs.yield(running)
    }

    /// A source task's producer configuration, composed as Apache's `Worker.baseProducerConfigs`:
    /// the runtime's defaults, then the worker's `producer.*` (so `worker.properties` can change
    /// them), then the connector's `producer.override.*` that the override policy allows.
    ///
    /// Apache keeps order with `enable.idempotence=false` and one request in flight; here the
    /// producer's Java default (idempotence on unless the settings conflict, see
    /// `KafkaProducer.withJavaDefaults`) keeps it with up to five. When the settings leave
    /// idempotence off (set so, or `acks` other than all), one request in flight is the default
    /// again, as in Apache: otherwise a retried batch could land after a later one.
    static func sourceTaskProducerConfig(_ id: ConnectorTaskId, worker: DistributedConfig, connectorConfig: [String: String]) throws -> [String: String] {
        var config = [
            "acks": "all",
            "delivery.timeout.ms": String(Int32.max),
            "client.id": "connector-producer-\(id)",
        ]
        .merging(worker.clientProperties(prefix: "producer.")) { _, user in user }
        .merging(try worker.connectorClientConfigOverridePolicy.overrides(connectorConfig, client: .producer)) { _, override in override }
        let idempotent = KafkaProducer.withJavaDefaults(KafkaConfiguration(config))["enable.idempotence"]?
            .trimmingCharacters(in: .whitespaces).lowercased() == "true"
        if !idempotent, config["max.in.flight.requests.per.connection"] == nil, config["max.in.flight"] == nil {
            config["max.in.flight.requests.per.connection"] = "1"
        }
        return config
    }

    /// A sink task's consumer configuration, composed as Apache's `Worker.baseConsumerConfigs`:
    /// the runtime's defaults (group `connect-<name>`, no auto commit, earliest), then the
    /// worker's `consumer.*`, then the connector's allowed `consumer.override.*`.
    static func sinkTaskConsumerConfig(_ id: ConnectorTaskId, worker: DistributedConfig, connectorConfig: [String: String]) throws -> [String: String] {
        [
            "group.id": WorkerSinkTask.consumerGroup(connector: id.connector),
            "enable.auto.commit": "false",
            "auto.offset.reset": "earliest",
            "client.id": "connector-consumer-\(id)",
        ]
        .merging(worker.clientProperties(prefix: "consumer.")) { _, user in user }
        .merging(try worker.connectorClientConfigOverridePolicy.overrides(connectorConfig, client: .consumer)) { _, override in override }
    }

    /// The consumer group of a sink connector's tasks, composed as their consumers' settings
    /// are (`connect-<name>`, unless the worker's `consumer.group.id` or an allowed
    /// `consumer.override.group.id` names another): where Apache's offsets API reads and writes.
    func sinkConsumerGroup(connector: String, connectorConfig: [String: String]) throws -> String {
        let id = ConnectorTaskId(validatedConnector: connector, task: 0)
        return try Self.sinkTaskConsumerConfig(id, worker: config, connectorConfig: connectorConfig)["group.id"]
            ?? WorkerSinkTask.consumerGroup(connector: connector)
    }

    /// Stops tasks and waits for them, at most the graceful shutdown timeout.
    public func stopTasks(_ ids: some Collection<ConnectorTaskId>) async {
        let stopping = state.withLock { state in
            ids.compactMap { id in state.tasks.removeValue(forKey: id).map { (id, $0) } }
        }
        await stop(stopping.map { entry in (entry.1, { await self.statusTracker.stopped(task: entry.0) }) })
    }

    /// Applies a connector's new target state to it and its tasks on this worker.
    public func setTargetState(_ connector: String, _ target: TargetState) {
        let jobs = state.withLock { state in
            [state.connectors[connector]?.running.job].compactMap { $0 }
                + state.tasks.filter { $0.key.connector == connector }.map(\.value.job)
        }
        for job in jobs {
            var control = job.control.value
            // Tasks only pause or run; a stopped connector has no tasks.
            control.target = target
            job.control.set(control)
        }
    }

    /// The last state a running connector or task reported on this worker.
    public func localState(connector: String) -> StatusRecord.State? { statusTracker.state(of: .connector(connector)) }
    public func localState(task: ConnectorTaskId) -> StatusRecord.State? { statusTracker.state(of: .task(task)) }

    private func stop(_ jobs: [(Running, @Sendable () async -> Void)]) async {
        for (running, _) in jobs {
            var control = running.job.control.value
            control.stopping = true
            running.job.control.set(control)
        }
        let timeout = Duration.milliseconds(config.taskShutdownGracefulTimeoutMs)
        await withTaskGroup(of: Void.self) { group in
            for (running, onStopped) in jobs {
                group.addTask { [logger] in
                    do {
                        _ = try await withTimeout(timeout) { try await running.done.wait { $0 } }
                    } catch {
                        logger.error("Graceful stop timed out; abandoning", metadata: ["job": "\(running.label)"])
                        var control = running.job.control.value
                        control.abandoned = true
                        running.job.control.set(control)
                    }
                    await onStopped()
                }
            }
        }
    }

    /// The topics (or `^regex` subscription) a sink connector reads.
    static func sinkSubscription(_ connectorConfig: [String: String]) throws -> [String] {
        let topics = (connectorConfig["topics"] ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let regex = (connectorConfig["topics.regex"] ?? "").trimmingCharacters(in: .whitespaces)
        switch (topics.isEmpty, regex.isEmpty) {
        case (false, true): return topics
        case (true, false): return [regex.hasPrefix("^") ? regex : "^" + regex]
        case (false, false):
            throw ConnectError("Must configure one of topics or topics.regex, not both")
        case (true, true):
            throw ConnectError("Must configure one of topics or topics.regex")
        }
    }
}

/// Passes status changes on to the herder and remembers each job's last state, so that a job
/// stopped by the worker is reported UNASSIGNED unless it had failed (Apache's `onShutdown`).
final class StatusTracker: WorkerStatusListener {
    enum Key: Hashable, Sendable {
        case connector(String)
        case task(ConnectorTaskId)
    }

    private let listener: any WorkerStatusListener
    private let states = Mutex<[Key: StatusRecord.State]>([:])

    init(listener: any WorkerStatusListener) { self.listener = listener }

    func state(of key: Key) -> StatusRecord.State? { states.withLock { $0[key] } }

    func connectorStateChanged(_ connector: String, to state: StatusRecord.State, trace: String?) async {
        states.withLock { $0[.connector(connector)] = state }
        await listener.connectorStateChanged(connector, to: state, trace: trace)
    }

    func taskStateChanged(_ task: ConnectorTaskId, to state: StatusRecord.State, trace: String?) async {
        states.withLock { $0[.task(task)] = state }
        await listener.taskStateChanged(task, to: state, trace: trace)
    }

    func connectorRequestedTaskReconfiguration(_ connector: String) {
        listener.connectorRequestedTaskReconfiguration(connector)
    }

    func taskUsedTopic(_ task: ConnectorTaskId, topic: String) {
        listener.taskUsedTopic(task, topic: topic)
    }

    func stopped(connector: String) async {
        if states.withLock({ $0.removeValue(forKey: .connector(connector)) }) != .failed {
            await listener.connectorStateChanged(connector, to: .unassigned, trace: nil)
        }
    }

    func stopped(task: ConnectorTaskId) async {
        if states.withLock({ $0.removeValue(forKey: .task(task)) }) != .failed {
            await listener.taskStateChanged(task, to: .unassigned, trace: nil)
        }
    }
}
