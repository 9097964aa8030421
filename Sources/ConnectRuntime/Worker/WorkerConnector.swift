import ConnectAPI
import Logging
import Synchronization

/// Runs one ``Connector`` instance through its target states (Apache's `WorkerConnector`):
/// started, the connector's `start` then its background `run` until the target state changes;
/// paused or stopped, the connector is stopped and its status says so. Failures become status
/// FAILED with a trace and leave the instance stopped until the herder restarts it.
final class WorkerConnector: WorkerJob {
    let name: String
    let config: [String: String]
    let connector: any Connector
    let control: WatchedValue<TaskControl>
    private let listener: any WorkerStatusListener
    private let logger: Logger
    /// Whether the instance is between a successful `start` and its `stop`.
    private let started = Mutex(false)
    /// Set by ``fail(_:)`` (from the connector's context or the worker): ends the started
    /// connector with that error.
    private let failure = WatchedValue<(any Error)?>(nil)

    init(name: String, config: [String: String], connector: any Connector, targetState: TargetState,
         listener: any WorkerStatusListener, logger: Logger) {
        self.name = name
        self.config = config
        self.connector = connector
        control = WatchedValue(TaskControl(target: targetState))
        self.listener = listener
        var logger = logger
        logger[metadataKey: "connector"] = "\(name)"
        self.logger = logger
    }

    var isSink: Bool { connector is any SinkConnector }

    /// Whether the connector is started (between a successful `start` and its `stop` or failure).
    var isStarted: Bool { started.withLock { $0 } }

    /// Runs until the worker stops the connector or it fails.
    func execute() async {
        do {
            while !control.value.stopping {
                let state = control.value.target
                switch state {
                case .started:
                    try await runStarted()
                case .paused, .stopped:
                    await listener.connectorStateChanged(name, to: state == .paused ? .paused : .stopped, trace: nil)
                    try await control.wait { $0.target != state || $0.stopping }
                }
            }
        } catch is CancellationError {
            // Abandoned by the worker after the graceful timeout.
        } catch {
            logger.error("Connector failed", metadata: ["error": "\(error)"])
            await listener.connectorStateChanged(name, to: .failed, trace: statusTrace(error))
        }
    }

    /// Starts the connector and runs its background work until the target state changes, the
    /// worker stops it or it raises an error; then stops it.
    private func runStarted() async throws {
        let context = Context(owner: self)
        guard try await untilStopped({ [connector, config] in try await connector.start(config, context: context) }) != nil else {
            await connector.stop()
            return
        }
        started.withLock { $0 = true }
        await listener.connectorStateChanged(name, to: .running, trace: nil)
        let outcome: Result<Void, any Error> = await withTaskGroup(of: Result<Void, any Error>.self) { group in
            group.addTask { [connector] in
                do {
                    try await connector.run()
                    // run() returned on its own: keep the connector started until the state changes.
                    try await waitUntilCancelled()
                    return .success(())
                } catch is CancellationError {
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            group.addTask { [control] in
                _ = try? await control.wait { $0.target != .started || $0.stopping }
                return .success(())
            }
            group.addTask { [failure] in
                guard let raised = try? await failure.wait(until: { $0 != nil }) else { return .success(()) }
                return .failure(raised)
            }
            let first = await group.next() ?? .success(())
            group.cancelAll()
            return first
        }
        started.withLock { $0 = false }
        await connector.stop()
        if case .failure(let error) = outcome { throw error }
    }

    /// Stops the connector and reports it FAILED with `error` (Apache's `WorkerConnector.fail`).
    /// The first failure wins.
    func fail(_ error: any Error) {
        guard failure.value == nil else { return }
        failure.set(error)
    }

    /// Task configs for up to `maxTasks` tasks.
    /// - Throws: ``ConnectError`` when the connector is not started.
    func taskConfigs(maxTasks: Int) async throws -> [[String: String]] {
        guard started.withLock({ $0 }) else {
            throw ConnectError("Connector \(name) is not running on this worker")
        }
        return try await connector.taskConfigs(maxTasks: maxTasks)
    }

    private final class Context: ConnectorContext {
        let owner: WorkerConnector

        init(owner: WorkerConnector) { self.owner = owner }

        func requestTaskReconfiguration() {
            owner.listener.connectorRequestedTaskReconfiguration(owner.name)
        }

        func raiseError(_ error: any Error) {
            owner.fail(ConnectError("Connector \(owner.name) raised an error: \(error)", underlying: error))
        }
    }
}
