import ConnectAPI
import Foundation
import Kafka
import KafkaGroupClient
import Logging
import RestClient
import Synchronization

/// The distributed herder (Apache's `DistributedHerder`): one loop that owns the worker's view
/// of the cluster and applies, in order, rebalance results, config-topic changes and REST
/// requests. Everything that changes cluster state runs on that loop; reads are served from
/// the stores' snapshots.
///
/// Lifecycle: ``run()`` starts the stores (creating the internal topics, reading them to the
/// end), the worker and the group membership, then works its mailbox until ``shutdown()``:
/// tasks stop gracefully, the worker leaves the group so the others rebalance at once, and
/// the stores close.
public final class DistributedHerder: Herder, WorkerStatusListener, ConfigUpdateListener {
    let config: DistributedConfig
    let plugins: PluginRegistry
    let configStore: KafkaConfigBackingStore
    let offsetStore: KafkaOffsetBackingStore
    let statusStore: KafkaStatusBackingStore
    let admin: KafkaAdminClient
    let restClient: RestClient
    let loggerLevels: LoggerLevels
    let logger: Logger
    let worker: Worker
    private let member: ClassicGroupMember
    private let coordinator: Mutex<WorkerCoordinator?> = Mutex(nil)

    typealias Job = @Sendable () async -> Void
    private let mailbox: AsyncStream<Job>.Continuation
    private let mailboxStream: AsyncStream<Job>
    /// Set once the loop stopped working its mailbox: jobs enqueued or pending then never run.
    private let loopStopped = WatchedValue(false)

    /// State only the loop changes (kept behind a lock so reads from elsewhere are safe).
    struct State: Sendable {
        /// This worker's advertised REST URL and its id (`host:port`), known once REST is bound.
        var url = ""
        var workerId = ""
        var ready = false
        var stopping = false
        var generation: Int32 = -1
        var memberId = ""
        var assignment: WorkerAssignment?
        /// True between a lost membership / requested rejoin and the next completed round.
        var rebalancing = true
        var sessionKey: SessionKey?
        var stage: HerderStage?
        var clusterId = ""
        var nextRejoin: ContinuousClock.Instant?
        /// Connectors whose task configs must be (re)generated; retried until they succeed.
        var pendingReconfiguration: Set<String> = []
        var nextReconfigurationAttempt: ContinuousClock.Instant?
        var knownConnectors: Set<String> = []
        var knownTasks: Set<ConnectorTaskId> = []
    }

    let state = Mutex(State())

    public init(config: DistributedConfig, plugins: PluginRegistry, loggerLevels: LoggerLevels, logger: Logger) throws {
        self.config = config
        self.plugins = plugins
        self.loggerLevels = loggerLevels
        self.logger = logger
        let clientId = config.clientId.isEmpty ? "connect-\(config.groupId)" : config.clientId
        let clients = KafkaConfiguration(config.clientProperties)
        let admin = try KafkaAdminClient(configuration: KafkaConfiguration(config.clientProperties(prefix: "admin.")), logger: logger)
        self.admin = admin
        let topicAdmin = TopicAdmin(admin: admin, logger: logger)
        configStore = KafkaConfigBackingStore(
            topic: .configTopic(config.configStorageTopic, replicationFactor: config.configStorageReplicationFactor),
            clientConfiguration: clients.merging(config.clientProperties(prefix: "producer.")), clientId: "\(clientId)-configs",
            topicAdmin: topicAdmin, logger: logger)
        offsetStore = KafkaOffsetBackingStore(
            topic: .offsetTopic(config.offsetStorageTopic, partitions: config.offsetStoragePartitions,
                                replicationFactor: config.offsetStorageReplicationFactor),
            clientConfiguration: clients, clientId: "\(clientId)-offsets", topicAdmin: topicAdmin, logger: logger)
        statusStore = KafkaStatusBackingStore(
            topic: .statusTopic(config.statusStorageTopic, partitions: config.statusStoragePartitions,
                                replicationFactor: config.statusStorageReplicationFactor),
            clientConfiguration: clients, clientId: "\(clientId)-statuses", topicAdmin: topicAdmin, logger: logger)
        restClient = RestClient(logger: logger)
        member = try ClassicGroupMember(
            configuration: ClassicGroupMember.Configuration(
                bootstrapServers: config.bootstrapServers.joined(separator: ","),
                groupId: config.groupId, clientId: clientId, protocolType: ConnectProtocolCompatibility.protocolType,
                sessionTimeout: .milliseconds(config.sessionTimeoutMs),
                rebalanceTimeout: .milliseconds(config.rebalanceTimeoutMs),
                heartbeatInterval: .milliseconds(config.heartbeatIntervalMs)),
            logger: logger)
        (mailboxStream, mailbox) = AsyncStream.makeStream(of: Job.self)
        let proxy = StatusListenerProxy()
        worker = Worker(config: config, plugins: plugins,
                        offsetStore: OffsetStoreAdapter(store: offsetStore), listener: proxy, logger: logger)
        proxy.herder.withLock { $0.value = self }
    }

    // MARK: Lifecycle

    /// This worker's id in statuses: the `host:port` of its advertised URL.
    public var workerId: String { state.withLock { $0.workerId } }

    /// Starts everything and runs until ``shutdown()``.
    /// - Parameter advertisedURL: the URL other workers reach this one's REST API at.
    public func run(advertisedURL url: String) async throws {
        let id = url.split(separator: "://", maxSplits: 1).last.map { String($0) }?
            .trimmingCharacters(in: CharacterSet(charactersIn: "/")) ?? url
        state.withLock {
            $0.url = url
            $0.workerId = id
        }
        setStage("starting the internal-topic stores")
        configStore.setUpdateListener(self)
        try await offsetStore.start()
        try await statusStore.start()
        try await configStore.start()
        let cluster = try await admin.describeCluster()
        state.withLock {
            $0.clusterId = cluster.clusterID ?? ""
            $0.sessionKey = configStore.snapshot().sessionKey
        }
        let coordinator = WorkerCoordinator(
            mode: config.connectProtocol, url: url, configStore: configStore,
            scheduledRebalanceMaxDelayMs: config.scheduledRebalanceMaxDelayMs,
            syncTimeout: .milliseconds(config.workerSyncTimeoutMs), logger: logger,
            onRound: { [weak self] round in
                guard let herder = self else { return }
                herder.enqueue { await herder.handleRound(round) }
            },
            onLost: { [weak self] reason in
                guard let herder = self else { return }
                herder.enqueue { await herder.handleMembershipLost(reason) }
            },
            onUnusableAssignment: { [weak self] reason in
                guard let herder = self else { return }
                herder.enqueue { herder.handleUnusableAssignment(reason) }
            },
            onRevokeAll: { [weak self] _ in
                await self?.revokeAllBeforeRejoin()
            })
        self.coordinator.withLock { $0 = coordinator }
        setStage("joining the group")
        // A fatal group error (no authorization, an unsupported broker, no broker reachable at
        // start) stops the worker, as it stops Apache's herder thread; run() then throws it.
        let groupFailure = WatchedValue<(any Error)?>(nil)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.worker.run() }
            group.addTask {
                do {
                    try await self.member.run(delegate: coordinator)
                } catch {
                    self.logger.error("Leaving: the worker group failed", metadata: ["error": "\(error)"])
                    groupFailure.set(error)
                    self.shutdown()
                }
            }
            group.addTask { await self.tickLoop() }
            for await job in mailboxStream {
                await job()
                if state.withLock({ $0.stopping }) { break }
            }
            loopStopped.set(true)
            setStage("stopping")
            await worker.shutdown()
            await member.leave()
            group.cancelAll()
            await group.waitForAll()
        }
        // Bounded: with the brokers gone, the worker must still exit.
        try? await statusStore.flush(timeout: .milliseconds(config.taskShutdownGracefulTimeoutMs))
        async let configStopped: Void = configStore.stop()
        async let offsetsStopped: Void = offsetStore.stop()
        async let statusStopped: Void = statusStore.stop()
        _ = await (configStopped, offsetsStopped, statusStopped)
        await admin.close()
        if let failure = groupFailure.value { throw failure }
    }

    /// Stops the herder: running tasks commit and stop, the worker leaves the group.
    public func shutdown() {
        enqueue { [self] in state.withLock { $0.stopping = true } }
    }

    /// Wakes the loop every 250 ms for time-based work: scheduled rejoins, retries of task
    /// reconfiguration, session key rotation.
    private func tickLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(250))
            enqueue { [weak self] in await self?.tick() }
        }
    }

    func enqueue(_ job: @escaping Job) {
        mailbox.yield(job)
    }

    /// Runs `body` on the loop and returns its result to the caller.
    func onLoop<T: Sendable>(_ stage: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            enqueue { [weak self] in
                self?.setStage(stage)
                do {
                    continuation.resume(returning: try await body())
                } catch {
                    continuation.resume(throwing: error)
                }
                self?.completeStage()
            }
        }
    }

    private func tick() async {
        let now = ContinuousClock.now
        let (rejoinDue, reconfigure) = state.withLock { state -> (Bool, Set<String>) in
            var rejoin = false
            if let due = state.nextRejoin, due <= now {
                state.nextRejoin = nil
                rejoin = true
            }
            var reconfigure: Set<String> = []
            if let attempt = state.nextReconfigurationAttempt, attempt <= now {
                state.nextReconfigurationAttempt = nil
                reconfigure = state.pendingReconfiguration
            }
            return (rejoin, reconfigure)
        }
        if rejoinDue { member.requestRejoin() }
        for connector in reconfigure.sorted() { await reconfigureConnectorTasks(connector) }
        await rotateSessionKeyIfNeeded()
    }

    // MARK: Rebalances

    private func handleRound(_ round: WorkerCoordinator.Round) async {
        let assignment = round.assignment
        logger.info("Joined group", metadata: [
            "generation": "\(round.generation)", "leader": "\(assignment.leader == round.memberId)",
            "connectors": "\(assignment.connectors)", "tasks": "\(assignment.tasks.map(\.description))",
            "revoked.connectors": "\(round.revokedConnectors)", "revoked.tasks": "\(round.revokedTasks.map(\.description))",
            "delay": "\(assignment.delay)",
        ])
        if assignment.failed {
            // The leader is ahead of us (or we of it): catch up, then rejoin.
            try? await configStore.refresh(timeout: .milliseconds(config.workerSyncTimeoutMs))
            state.withLock { $0.rebalancing = true }
            member.requestRejoin()
            return
        }
        do {
            if configStore.snapshot().offset < assignment.configOffset {
                try await configStore.refresh(timeout: .milliseconds(config.workerSyncTimeoutMs))
            }
        } catch {
            logger.warning("Could not catch up with the config topic; giving up the assignment and rejoining later",
                           metadata: ["error": "\(error)"])
            await worker.stopTasks(worker.taskIds)
            await worker.stopConnectors(worker.connectorNames)
            state.withLock {
                $0.assignment = nil
                $0.rebalancing = true
                $0.nextRejoin = ContinuousClock.now + .milliseconds(config.workerUnsyncBackoffMs)
            }
            return
        }
        // Stop what was revoked, or (eager) whatever is no longer assigned.
        let assignedConnectors = Set(assignment.connectors)
        let assignedTasks = Set(assignment.tasks)
        let stopTasks = worker.taskIds.filter { !assignedTasks.contains($0) }
        let stopConnectors = worker.connectorNames.filter { !assignedConnectors.contains($0) }
        await worker.stopTasks(stopTasks)
        await worker.stopConnectors(stopConnectors)
        let snapshot = configStore.snapshot()
        state.withLock { state in
            state.generation = round.generation
            state.memberId = round.memberId
            state.assignment = assignment
            state.rebalancing = false
            state.ready = true
            state.knownConnectors = Set(snapshot.connectors)
            state.knownTasks = Self.committedTasks(snapshot)
            if assignment.delay > 0 {
                state.nextRejoin = ContinuousClock.now + .milliseconds(Int64(assignment.delay))
            }
        }
        if !round.revokedConnectors.isEmpty || !round.revokedTasks.isEmpty {
            // Let the leader hand the revoked work to others right away (incremental protocols).
            member.requestRejoin()
        } else if snapshot.offset > assignment.configOffset {
            // The leader assigned from an older config than we now hold: connectors or tasks
            // committed meanwhile are in `knownTasks` already, so their own change callbacks will
            // not ask for a round. Ask now, as Apache's member does when its config offset moved on.
            logger.info("Config changed while the group was assigning; rejoining", metadata: [
                "assignment.offset": "\(assignment.configOffset)", "config.offset": "\(snapshot.offset)",
            ])
            member.requestRejoin()
        }
        for connector in assignment.connectors where !worker.connectorNames.contains(connector) {
            startConnector(connector, snapshot: snapshot)
        }
        for task in assignment.tasks where !worker.taskIds.contains(task) {
            await startTask(task, snapshot: snapshot)
        }
        if isLeader { await rotateSessionKeyIfNeeded() }
    }

    /// Eager protocol, before rejoining: stops every connector and task here and waits for them
    /// (Apache's `onRevoked` called from `WorkerCoordinator.onJoinPrepare`), so the group can
    /// only complete the rebalance, and hand the work to others, once it is stopped and its
    /// offsets and statuses are written. Runs on the loop, after the rounds handed to it before.
    func revokeAllBeforeRejoin() async {
        await onLoopUnlessStopped { [self] in
            setStage("stopping all connectors and tasks before rejoining the group (eager protocol)")
            let (connectors, tasks) = (worker.connectorNames, worker.taskIds)
            await worker.stopTasks(tasks)
            await worker.stopConnectors(connectors)
            logger.info("Finished stopping connectors and tasks in preparation for rebalance", metadata: [
                "connectors": "\(connectors.sorted())", "tasks": "\(tasks.map(\.description).sorted())",
            ])
            if config.topicTrackingEnable {
                // Only now, with their work stopped, do deleted connectors' topics stay reset.
                let snapshot = configStore.snapshot()
                for connector in Set(connectors).union(tasks.map(\.connector)) where !snapshot.contains(connector) {
                    resetActiveTopics(connector)
                }
            }
            // The UNASSIGNED statuses must land before the new owners write theirs.
            do {
                try await statusStore.flush(timeout: .milliseconds(config.taskShutdownGracefulTimeoutMs))
            } catch {
                logger.warning("Could not flush the status topic before rejoining", metadata: ["error": "\(error)"])
            }
            completeStage()
        }
    }

    /// Runs `body` on the loop and waits for it, unless the loop has stopped (then `body` never
    /// runs and this returns at once), so callers outside the loop (the group member) never hang
    /// on a herder that is shutting down.
    private func onLoopUnlessStopped(_ body: @escaping @Sendable () async -> Void) async {
        let done = WatchedValue(false)
        enqueue {
            await body()
            done.set(true)
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = try? await done.wait { $0 } }
            group.addTask { [loopStopped] in _ = try? await loopStopped.wait { $0 } }
            await group.next()
            group.cancelAll()
        }
    }

    private func handleMembershipLost(_ reason: String) async {
        logger.warning("Lost group membership; stopping all local work until the next assignment", metadata: ["reason": "\(reason)"])
        state.withLock {
            $0.assignment = nil
            $0.rebalancing = true
        }
        await worker.stopTasks(worker.taskIds)
        await worker.stopConnectors(worker.connectorNames)
    }

    /// An incremental round without a usable assignment: nothing was revoked, so the work
    /// keeps running while this worker rejoins.
    private func handleUnusableAssignment(_ reason: String) {
        logger.warning("Keeping the current assignment and rejoining", metadata: ["reason": "\(reason)"])
        state.withLock { $0.rebalancing = true }
        member.requestRejoin()
    }

    func startConnector(_ connector: String, snapshot: ClusterConfigState) {
        guard let connectorConfig = snapshot.connectorConfig(connector) else { return }
        let target = snapshot.targetState(connector) ?? .started
        do {
            try checkSupported(connectorConfig)
            try worker.startConnector(connector, config: connectorConfig, targetState: target)
        } catch {
            logger.error("Failed to start connector", metadata: ["connector": "\(connector)", "error": "\(error)"])
            statusStore.putSafe(ConnectorStatus(connector: connector, state: .failed, trace: statusTrace(error),
                                                workerId: workerId, generation: generation))
        }
    }

    func startTask(_ task: ConnectorTaskId, snapshot: ClusterConfigState) async {
        guard let connectorConfig = snapshot.connectorConfig(task.connector),
              let taskConfig = snapshot.taskConfig(task) else { return }
        let target: TargetState = snapshot.targetState(task.connector) == .paused ? .paused : .started
        do {
            // Apache fails every task of a connector whose committed tasks exceed an enforced tasks.max.
            try TooManyTasksError.check(task.connector, taskCount: snapshot.tasks(task.connector).count, connectorConfig: connectorConfig)
            try checkSupported(connectorConfig)
            try worker.startTask(task, connectorConfig: connectorConfig, taskConfig: taskConfig, targetState: target)
        } catch {
            logger.error("Failed to start task", metadata: ["task": "\(task)", "error": "\(error)"])
            statusStore.putSafe(TaskStatus(id: task, state: .failed, trace: statusTrace(error),
                                           workerId: workerId, generation: generation))
        }
    }

    /// Refuses a config asking for what this runtime cannot do (``UnsupportedConnectorSettings``)
    /// that did not come through our validation, e.g. written by an Apache worker.
    private func checkSupported(_ connectorConfig: [String: String]) throws {
        let isSink = worker.isSinkConnector(connectorConfig) ?? false
        let definition = isSink ? ConnectorConfig.configDef.merging(Self.sinkConfigDef) : ConnectorConfig.configDef
        let problems = UnsupportedConnectorSettings.problems(connectorConfig, isSink: isSink, definition: definition)
        guard problems.isEmpty else { throw ConnectError(problems.joined(separator: "; ")) }
    }

    var isLeader: Bool {
        state.withLock { state in
            guard let assignment = state.assignment, !state.rebalancing else { return false }
            return assignment.leader == state.memberId
        }
    }

    var generation: Int32 { state.withLock { $0.generation } }

    /// The leader's record of which worker runs what (nil unless this worker is the leader).
    var coordinatorLeaderState: ConnectLeaderState? { coordinator.withLock { $0 }?.leaderState }

    /// Asks the group for a new round (the set of connectors or tasks changed).
    func requestRejoin() { member.requestRejoin() }

    /// The leader's URL, or `nil` while it is unknown (rebalancing).
    var leaderURL: String? {
        state.withLock { state in
            guard let assignment = state.assignment, !state.rebalancing, !assignment.leaderUrl.isEmpty else { return nil }
            return assignment.leaderUrl
        }
    }

    // MARK: Task configs

    /// Regenerates a connector's task configs if this worker runs it, and writes them (leader)
    /// or sends them to the leader (follower) when they changed. Failures are retried.
    func reconfigureConnectorTasks(_ connector: String) async {
        state.withLock { _ = $0.pendingReconfiguration.remove(connector) }
        let snapshot = configStore.snapshot()
        // A connector that is not started here (elsewhere, paused, stopped, failed) is skipped,
        // as Apache does; it asks again when it reaches RUNNING.
        guard worker.isConnectorStarted(connector),
              let connectorConfig = snapshot.connectorConfig(connector),
              snapshot.targetState(connector) ?? .started == .started else { return }
        do {
            let maxTasks = TooManyTasksError.maxTasks(connectorConfig)
            var generated = try await worker.connectorTaskConfigs(connector, maxTasks: maxTasks)
            do {
                if try TooManyTasksError.check(connector, taskCount: generated.count, connectorConfig: connectorConfig) {
                    logger.warning(
                        "The connector generated more tasks than tasks.max; this is a bug of the connector and will be disallowed in future releases of Kafka Connect (tasks.max.enforce=false tolerates it now)",
                        metadata: ["connector": "\(connector)", "tasks": "\(generated.count)", "tasks.max": "\(maxTasks)"])
                }
            } catch {
                // Apache's TooManyTasksException: the connector fails, and is not retried.
                logger.error("Connector generated too many tasks; failing it", metadata: ["connector": "\(connector)", "error": "\(error)"])
                worker.failConnector(connector, error)
                return
            }
            let taskClass = Self.taskClassName(connectorConfig[ConnectorConfig.connectorClass] ?? "", plugins: plugins)
            let isSink = worker.isSinkConnector(connectorConfig) ?? false
            generated = generated.map { taskConfig in
                var taskConfig = taskConfig
                taskConfig["task.class"] = taskClass
                if isSink {
                    for key in ["topics", "topics.regex"] { if let value = connectorConfig[key] { taskConfig[key] = value } }
                }
                return taskConfig
            }
            let existing = snapshot.tasks(connector).compactMap { snapshot.taskConfig($0) }
            guard existing != generated || snapshot.inconsistentConnectors.contains(connector) else { return }
            if isLeader {
                // The connector may have been stopped while it generated them.
                guard !isStaleTaskConfigWrite(connector, generated, snapshot: configStore.snapshot()) else { return }
                try await configStore.putTaskConfigs(connector, generated)
            } else {
                try await sendTaskConfigsToLeader(connector, generated)
            }
        } catch {
            logger.warning("Task reconfiguration failed; retrying", metadata: ["connector": "\(connector)", "error": "\(error)"])
            state.withLock {
                $0.pendingReconfiguration.insert(connector)
                $0.nextReconfigurationAttempt = ContinuousClock.now + .milliseconds(250)
            }
        }
    }

    /// Apache's task class name for a connector class: `…Connector` becomes `…Task`.
    static func taskClassName(_ connectorClass: String, plugins: PluginRegistry) -> String {
        let resolved = plugins.resolveClassName(connectorClass)
        return resolved.hasSuffix("Connector") ? String(resolved.dropLast("Connector".count)) + "Task" : resolved + "Task"
    }

    /// `POST {leader}/connectors/{c}/tasks?forward=true`, signed with the session key (sessioned protocol).
    private func sendTaskConfigsToLeader(_ connector: String, _ configs: [[String: String]]) async throws {
        guard let leader = leaderURL else { throw ConnectError("No known leader to send task configs of \(connector) to") }
        let body = ConnectJSON.serialize(JSONValue.array(configs.map { config in
            .object(JSONObject(config.sorted { $0.key < $1.key }.map { JSONObject.Member(key: $0.key, value: .string($0.value)) }))
        }))
        var headers: [String: String] = ["Content-Type": "application/json"]
        if config.connectProtocol == .sessioned {
            guard let key = state.withLock({ $0.sessionKey }) else { throw ConnectError("No session key yet to sign the task configs of \(connector)") }
            headers.merge(try InternalRequestSignature.headers(body: body, key: key.key, algorithm: config.interWorkerSignatureAlgorithm)) { _, new in new }
        }
        let path = "connectors/\(Self.pathEscaped(connector))/tasks?forward=true"
        let response = try await restClient.send(method: "POST", url: Self.join(leader, path), headers: headers, body: body, timeout: .seconds(30))
        guard (200..<300).contains(response.status) else {
            throw ConnectError("The leader refused the task configs of \(connector): HTTP \(response.status) \(String(decoding: response.body, as: UTF8.self))")
        }
    }

    static func join(_ base: String, _ path: String) -> String {
        base.hasSuffix("/") ? base + path : base + "/" + path
    }

    static func pathEscaped(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? segment
    }

    // MARK: Session keys (KIP-507)

    private func rotateSessionKeyIfNeeded() async {
        guard config.connectProtocol == .sessioned, isLeader else { return }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let current = state.withLock { $0.sessionKey }
        if let current, now - current.creationTimestamp < Int64(config.interWorkerKeyTTLMs) { return }
        let bits = Int(config.interWorkerKeySizeBits)
        var key = [UInt8](repeating: 0, count: max(1, (bits + 7) / 8))
        var generator = SystemRandomNumberGenerator()
        for i in key.indices { key[i] = UInt8.random(in: .min ... .max, using: &generator) }
        let sessionKey = SessionKey(key: key, algorithm: config.interWorkerKeyGenerationAlgorithm, creationTimestamp: now)
        do {
            try await configStore.putSessionKey(sessionKey)
            state.withLock { $0.sessionKey = sessionKey }
        } catch {
            logger.warning("Could not write a new session key", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Stages (for "Request timed out." messages and /health)

    func setStage(_ description: String) {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        state.withLock { $0.stage = HerderStage(description: description, started: now) }
    }

    private func completeStage() {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        state.withLock { $0.stage?.completed = now }
    }
}

/// The worker's offset access, backed by the offsets topic store.
struct OffsetStoreAdapter: WorkerOffsetStore {
    let store: any OffsetBackingStore

    func offsets(connector: String, partitions: [SourcePartition]) async throws -> [SourcePartition: SourceOffset] {
        try await store.get(connector: connector, partitions: partitions)
    }

    func writeOffsets(connector: String, _ offsets: [SourcePartition: SourceOffset?]) async throws {
        try await store.set(offsets.map { (key: OffsetRecordKey(connector: connector, partition: $0.key), value: $0.value) })
    }
}

/// Lets the worker report to the herder that owns it (the worker exists before the herder's
/// initializer finishes, so it cannot be handed `self` directly).
final class StatusListenerProxy: WorkerStatusListener {
    struct WeakHerder { weak var value: DistributedHerder? }
    let herder = Mutex(WeakHerder())

    func connectorStateChanged(_ connector: String, to state: StatusRecord.State, trace: String?) async {
        await herder.withLock { $0.value }?.connectorStateChanged(connector, to: state, trace: trace)
    }

    func taskStateChanged(_ task: ConnectorTaskId, to state: StatusRecord.State, trace: String?) async {
        await herder.withLock { $0.value }?.taskStateChanged(task, to: state, trace: trace)
    }

    func connectorRequestedTaskReconfiguration(_ connector: String) {
        herder.withLock { $0.value }?.connectorRequestedTaskReconfiguration(connector)
    }

    func taskUsedTopic(_ task: ConnectorTaskId, topic: String) {
        herder.withLock { $0.value }?.taskUsedTopic(task, topic: topic)
    }
}
