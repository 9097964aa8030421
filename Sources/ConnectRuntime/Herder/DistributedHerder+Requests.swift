import ConnectAPI
import Foundation
import Kafka
import KafkaProtocol

/// The ``Herder`` operations behind the REST API. Writes that only the leader may do throw
/// ``ConnectRestError/notLeader(_:leaderURL:)`` elsewhere, and the REST layer forwards them.
extension DistributedHerder {
    // MARK: Worker state

    public var isReady: Bool { state.withLock { $0.ready } }

    /// Healthy once the first rebalance completed and the loop answers (Apache's herder only
    /// serves requests after joining); until then the REST layer reports "starting".
    public func healthCheck() async throws {
        guard isReady else { throw ConnectRestError.requestTimeout(stage: currentStage()) }
        try await onLoop("performing a health check") {}
    }

    public func currentStage() -> HerderStage? { state.withLock { $0.stage } }

    public func kafkaClusterId() async throws -> String { state.withLock { $0.clusterId } }

    // MARK: Reads (served from the stores' snapshots)

    public func connectors() async throws -> [String] { configStore.snapshot().connectors }

    public func connectorInfo(_ connector: String) async throws -> ConnectorInfo {
        let snapshot = configStore.snapshot()
        guard let config = snapshot.connectorConfig(connector) else { throw ConnectRestError.connectorNotFound(connector) }
        return ConnectorInfo(name: connector, config: config, tasks: snapshot.tasks(connector), type: connectorType(config))
    }

    public func connectorConfig(_ connector: String) async throws -> [String: String] {
        guard let config = configStore.snapshot().connectorConfig(connector) else { throw ConnectRestError.connectorNotFound(connector) }
        return config
    }

    public func tasksConfig(_ connector: String) async throws -> [ConnectorTaskId: [String: String]] {
        let snapshot = configStore.snapshot()
        guard snapshot.contains(connector) else { throw ConnectRestError.connectorNotFound(connector) }
        var result: [ConnectorTaskId: [String: String]] = [:]
        for task in snapshot.tasks(connector) { result[task] = snapshot.taskConfig(task) }
        return result
    }

    public func taskConfigs(_ connector: String) async throws -> [TaskInfo] {
        let snapshot = configStore.snapshot()
        guard snapshot.contains(connector) else { throw ConnectRestError.connectorNotFound(connector) }
        return snapshot.tasks(connector).map { TaskInfo(id: $0, config: snapshot.taskConfig($0) ?? [:]) }
    }

    /// The connector's status from the status topic; like Apache, a connector without one
    /// (unknown, or created and not yet started anywhere) is 404 "No status found for connector X".
    public func connectorStatus(_ connector: String) async throws -> ConnectorStateInfo {
        guard statusStore.get(connector: connector) != nil else {
            throw ConnectRestError.noStatusFound(connector: connector)
        }
        let snapshot = configStore.snapshot()
        return statusInfo(connector, config: snapshot.connectorConfig(connector), snapshot: snapshot)
    }

    public func taskStatus(_ task: ConnectorTaskId) async throws -> ConnectorStateInfo.TaskState {
        guard let status = statusStore.get(task: task) else { throw ConnectRestError.noStatusFound(task: task) }
        return ConnectorStateInfo.TaskState(id: task.task, state: status.state.rawValue, workerId: status.workerId, trace: status.trace)
    }

    /// The status of a connector and its tasks. While the connector has a config, only its
    /// committed tasks are listed (statuses of tasks it no longer has are left out); the type
    /// is `unknown` without a config (deleted, its statuses not yet removed).
    func statusInfo(_ connector: String, config: [String: String]?, snapshot: ClusterConfigState) -> ConnectorStateInfo {
        let connectorStatus = statusStore.get(connector: connector)
        let connectorState = ConnectorStateInfo.ConnectorState(
            state: connectorStatus?.state.rawValue ?? StatusRecord.State.unassigned.rawValue,
            workerId: connectorStatus?.workerId ?? "", trace: connectorStatus?.trace)
        let current = config == nil ? nil : Set(snapshot.tasks(connector))
        let tasks = statusStore.getAll(connector: connector)
            .filter { current?.contains($0.id) ?? true }
            .sorted { $0.id.task < $1.id.task }
            .map { ConnectorStateInfo.TaskState(id: $0.id.task, state: $0.state.rawValue, workerId: $0.workerId, trace: $0.trace) }
        return ConnectorStateInfo(name: connector, connector: connectorState, tasks: tasks, type: config.map(connectorType) ?? .unknown)
    }

    func connectorType(_ config: [String: String]) -> ConnectorType {
        switch worker.isSinkConnector(config) {
        case true?: .sink
        case false?: .source
        case nil: .unknown
        }
    }

    // MARK: Connector configs (leader)

    public func putConnectorConfig(
        _ connector: String, config: [String: String], allowReplace: Bool, initialState: TargetState?
    ) async throws -> (created: Bool, info: ConnectorInfo) {
        try await onLoop("writing the config of connector \(connector)") { [self] in
            try requireLeader()
            try validateOrThrow(config)
            let exists = configStore.snapshot().contains(connector)
            if exists, !allowReplace { throw ConnectRestError.connectorAlreadyExists(connector) }
            try await configStore.putConnectorConfig(connector, config, targetState: exists ? nil : initialState)
            let snapshot = configStore.snapshot()
            let info = ConnectorInfo(name: connector, config: config, tasks: snapshot.tasks(connector), type: connectorType(config))
            return (!exists, info)
        }
    }

    public func patchConnectorConfig(_ connector: String, patch: [String: String?]) async throws -> ConnectorInfo {
        try await onLoop("patching the config of connector \(connector)") { [self] in
            try requireLeader()
            guard var config = configStore.snapshot().connectorConfig(connector) else {
                throw ConnectRestError.connectorNotFound(connector)
            }
            for (key, value) in patch {
                if let value { config[key] = value } else { config.removeValue(forKey: key) }
            }
            if let name = config[ConnectorConfig.name], name != connector {
                throw ConnectRestError.badRequest("Connector name configuration (\(name)) doesn't match connector name in the URL (\(connector))")
            }
            config[ConnectorConfig.name] = connector
            try validateOrThrow(config)
            try await configStore.putConnectorConfig(connector, config, targetState: nil)
            let snapshot = configStore.snapshot()
            return ConnectorInfo(name: connector, config: config, tasks: snapshot.tasks(connector), type: connectorType(config))
        }
    }

    public func deleteConnectorConfig(_ connector: String) async throws {
        try await onLoop("deleting connector \(connector)") { [self] in
            try requireLeader()
            guard configStore.snapshot().contains(connector) else { throw ConnectRestError.connectorNotFound(connector) }
            try await configStore.removeConnectorConfig(connector)
        }
    }

    /// Throws 400 with Apache's message when the config does not validate.
    private func validateOrThrow(_ config: [String: String]) throws {
        let infos = validate(config)
        guard infos.errorCount > 0 else { return }
        var lines: [String] = []
        for info in infos.configs {
            guard let value = info.value, !value.errors.isEmpty else { continue }
            lines += value.errors
        }
        throw ConnectRestError.badRequest(
            "Connector configuration is invalid and contains the following \(infos.errorCount) error(s):\n"
                + lines.joined(separator: "\n")
                + "\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`")
    }

    // MARK: Task configs (internal endpoint, leader)

    public func putTaskConfigs(_ connector: String, configs: [[String: String]], signature: InternalRequestSignature?) async throws {
        try await onLoop("writing task configs of connector \(connector)") { [self] in
            if config.connectProtocol == .sessioned {
                try InternalRequestSignature.verify(
                    signature, verificationAlgorithms: config.interWorkerVerificationAlgorithms,
                    sessionKey: state.withLock { $0.sessionKey?.key })
            }
            try requireLeader()
            let snapshot = configStore.snapshot()
            guard snapshot.contains(connector) else { throw ConnectRestError.connectorNotFound(connector) }
            guard !isStaleTaskConfigWrite(connector, configs, snapshot: snapshot) else { return }
            try await configStore.putTaskConfigs(connector, configs)
        }
    }

    /// Task configs generated before the connector was stopped (a reconfiguration still on its
    /// way when the stop was written) would give a stopped connector tasks again: dropped.
    func isStaleTaskConfigWrite(_ connector: String, _ configs: [[String: String]], snapshot: ClusterConfigState) -> Bool {
        guard !configs.isEmpty, snapshot.targetState(connector) == .stopped else { return false }
        logger.info("Ignoring task configs of a stopped connector", metadata: ["connector": "\(connector)", "tasks": "\(configs.count)"])
        return true
    }

    // MARK: Target states

    public func pauseConnector(_ connector: String) async throws {
        try await putTargetState(connector, .paused)
    }

    public func resumeConnector(_ connector: String) async throws {
        try await putTargetState(connector, .started)
    }

    /// Any worker may write a pause or resume (Apache does not forward them).
    private func putTargetState(_ connector: String, _ target: TargetState) async throws {
        try await onLoop("changing the target state of connector \(connector)") { [self] in
            guard configStore.snapshot().contains(connector) else { throw ConnectRestError.connectorNotFound(connector) }
            try await configStore.putTargetState(connector, target)
        }
    }

    public func stopConnector(_ connector: String) async throws {
        try await onLoop("stopping connector \(connector)") { [self] in
            try requireLeader()
            guard configStore.snapshot().contains(connector) else { throw ConnectRestError.connectorNotFound(connector) }
            try await configStore.putTaskConfigs(connector, [])
            try await configStore.putTargetState(connector, .stopped)
        }
    }

    // MARK: Restarts

    public func restartConnector(_ connector: String, includeTasks: Bool, onlyFailed: Bool) async throws -> ConnectorStateInfo? {
        try await onLoop("restarting connector \(connector)") { [self] in
            try requireLeader()
            let snapshot = configStore.snapshot()
            guard let config = snapshot.connectorConfig(connector) else { throw ConnectRestError.connectorNotFound(connector) }
            let request = RestartRequestRecord(includeTasks: includeTasks, onlyFailed: onlyFailed)
            try await configStore.putRestartRequest(connector, request)
            guard includeTasks || onlyFailed else { return nil }
            // The plan: what will restart, shown as RESTARTING (Apache's RestartPlan).
            var info = statusInfo(connector, config: config, snapshot: snapshot)
            if !onlyFailed || info.connector.state == StatusRecord.State.failed.rawValue {
                info.connector.state = StatusRecord.State.restarting.rawValue
            }
            if includeTasks {
                info.tasks = info.tasks.map { task in
                    var task = task
                    if !onlyFailed || task.state == StatusRecord.State.failed.rawValue {
                        task.state = StatusRecord.State.restarting.rawValue
                    }
                    return task
                }
            }
            return info
        }
    }

    public func restartTask(_ task: ConnectorTaskId) async throws {
        try await onLoop("restarting task \(task)") { [self] in
            let snapshot = configStore.snapshot()
            guard snapshot.contains(task.connector), snapshot.taskConfig(task) != nil else {
                throw ConnectRestError.unknownTask(task)
            }
            if worker.taskIds.contains(task) {
                await worker.stopTasks([task])
                await startTask(task, snapshot: configStore.snapshot())
                return
            }
            guard isLeader else {
                throw ConnectRestError.notLeader("Cannot restart task since it is not assigned to this member", leaderURL: leaderURL)
            }
            let owner = coordinatorLeaderState?.ownerUrl(task: task)
            throw ConnectRestError.notAssigned("Task \(task) is not assigned to the leader", ownerURL: owner)
        }
    }

    /// Applies a restart request read from the config topic to what this worker runs.
    func applyRestartRequest(_ connector: String, _ request: RestartRequestRecord) async {
        let snapshot = configStore.snapshot()
        guard snapshot.contains(connector) else { return }
        if worker.connectorNames.contains(connector) {
            let failed = worker.localState(connector: connector) == .failed
                || statusStore.get(connector: connector)?.state == .failed
            if !request.onlyFailed || failed {
                await connectorStateChanged(connector, to: .restarting, trace: nil)
                await worker.stopConnectors([connector])
                startConnector(connector, snapshot: snapshot)
            }
        }
        guard request.includeTasks else { return }
        for task in snapshot.tasks(connector) where worker.taskIds.contains(task) {
            let failed = worker.localState(task: task) == .failed || statusStore.get(task: task)?.state == .failed
            guard !request.onlyFailed || failed else { continue }
            await taskStateChanged(task, to: .restarting, trace: nil)
            await worker.stopTasks([task])
            await startTask(task, snapshot: snapshot)
        }
    }

    // MARK: Offsets (KIP-875)

    public func connectorOffsets(_ connector: String) async throws -> ConnectorOffsets {
        let snapshot = configStore.snapshot()
        guard let config = snapshot.connectorConfig(connector) else { throw ConnectRestError.connectorNotFound(connector) }
        if worker.isSinkConnector(config) == true {
            let group = try worker.sinkConsumerGroup(connector: connector, connectorConfig: config)
            let offsets = try await admin.listConsumerGroupOffsets(group)
            return ConnectorOffsets(offsets: offsets.sorted { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }.map {
                ConnectorOffset(
                    partition: OffsetMap([("kafka_topic", .string($0.key.topic)), ("kafka_partition", .int64(Int64($0.key.partition)))]),
                    offset: OffsetMap([("kafka_offset", .int64($0.value.offset))]))
            })
        }
        try await offsetStore.refresh(timeout: .seconds(30))
        let offsets = try await offsetStore.connectorOffsets(connector)
        return ConnectorOffsets(offsets: offsets.sorted { $0.key.description < $1.key.description }.map {
            ConnectorOffset(partition: $0.key, offset: $0.value)
        })
    }

    public func alterConnectorOffsets(_ connector: String, offsets: ConnectorOffsets) async throws -> Message {
        try await onLoop("altering offsets of connector \(connector)") { [self] in
            let config = try requireStoppedForOffsets(connector)
            guard !offsets.offsets.isEmpty else {
                throw ConnectRestError.badRequest("The offsets to be modified must not be empty")
            }
            await awaitTasksStopped(connector)
            if worker.isSinkConnector(config) == true {
                return try await alterSinkOffsets(connector, offsets.offsets)
            }
            var entries: [(key: OffsetRecordKey, value: OffsetMap?)] = []
            var handedToConnector: [SourcePartition: SourceOffset?] = [:]
            for entry in offsets.offsets {
                guard let partition = entry.partition else {
                    throw ConnectRestError.badRequest("Source partitions may not be null")
                }
                entries.append((OffsetRecordKey(connector: connector, partition: partition), entry.offset))
                handedToConnector[partition] = entry.offset
            }
            let handled = try await connectorAltersOffsets(config, source: handedToConnector, sink: nil)
            try await offsetStore.set(entries)
            return handled ? .offsetsAltered : Message("The Connect framework-managed offsets for this connector have been altered successfully. However, if this connector manages offsets externally, they will need to be manually altered in the system that the connector uses.")
        }
    }

    public func resetConnectorOffsets(_ connector: String) async throws -> Message {
        try await onLoop("resetting offsets of connector \(connector)") { [self] in
            let config = try requireStoppedForOffsets(connector)
            await awaitTasksStopped(connector)
            if worker.isSinkConnector(config) == true {
                let group = try worker.sinkConsumerGroup(connector: connector, connectorConfig: config)
                let current = try await admin.listConsumerGroupOffsets(group)
                if !current.isEmpty {
                    try await admin.deleteConsumerGroupOffsets(group, partitions: Array(current.keys))
                }
                return .offsetsReset
            }
            try await offsetStore.refresh(timeout: .seconds(30))
            let partitions = offsetStore.connectorPartitions(connector)
            var handedToConnector: [SourcePartition: SourceOffset?] = [:]
            for partition in partitions { handedToConnector[partition] = .some(nil) }
            let handled = try await connectorAltersOffsets(config, source: handedToConnector, sink: nil)
            try await offsetStore.set(partitions.map { (key: OffsetRecordKey(connector: connector, partition: $0), value: nil) })
            return handled ? .offsetsReset : Message("The Connect framework-managed offsets for this connector have been reset successfully. However, if this connector manages offsets externally, they will need to be manually reset in the system that the connector uses.")
        }
    }

    private func alterSinkOffsets(_ connector: String, _ offsets: [ConnectorOffset]) async throws -> Message {
        var alter: [TopicPartition: OffsetAndMetadata] = [:]
        var delete: [TopicPartition] = []
        var handedToConnector: [SinkTopicPartition: Int64?] = [:]
        for entry in offsets {
            guard let partition = entry.partition,
                  case .string(let topic)? = partition["kafka_topic"],
                  let partitionNumber = partition["kafka_partition"].flatMap(Self.integer) else {
                throw ConnectRestError.badRequest("The partitions for sink connectors must contain the keys 'kafka_topic' (a string) and 'kafka_partition' (an integer)")
            }
            let topicPartition = TopicPartition(topic: topic, partition: Int32(truncatingIfNeeded: partitionNumber))
            if let offset = entry.offset {
                guard let value = offset["kafka_offset"].flatMap(Self.integer), value >= 0 else {
                    throw ConnectRestError.badRequest("The offsets for sink connectors must contain the key 'kafka_offset' with a non-negative integer")
                }
                alter[topicPartition] = OffsetAndMetadata(offset: value)
                handedToConnector[SinkTopicPartition(topic: topic, partition: topicPartition.partition)] = value
            } else {
                delete.append(topicPartition)
                handedToConnector[SinkTopicPartition(topic: topic, partition: topicPartition.partition)] = .some(nil)
            }
        }
        let config = configStore.snapshot().connectorConfig(connector) ?? [:]
        let group = try worker.sinkConsumerGroup(connector: connector, connectorConfig: config)
        let handled = try await connectorAltersOffsets(config, source: nil, sink: handedToConnector)
        if !alter.isEmpty { try await admin.alterConsumerGroupOffsets(group, offsets: alter) }
        if !delete.isEmpty { try await admin.deleteConsumerGroupOffsets(group, partitions: delete) }
        return handled ? .offsetsAltered : Message("The Connect framework-managed offsets for this connector have been altered successfully. However, if this connector manages offsets externally, they will need to be manually altered in the system that the connector uses.")
    }

    private static func integer(_ value: OffsetValue) -> Int64? {
        switch value {
        case .int64(let v): v
        case .string(let s): Int64(s)
        default: nil
        }
    }

    /// Lets the connector validate (and, if it manages them, apply) altered offsets.
    private func connectorAltersOffsets(_ config: [String: String], source: [SourcePartition: SourceOffset?]?,
                                        sink: [SinkTopicPartition: Int64?]?) async throws -> Bool {
        let connector = try plugins.newConnector(config[ConnectorConfig.connectorClass] ?? "")
        do {
            if let source, let sourceConnector = connector as? any SourceConnector {
                return try await sourceConnector.alterOffsets(connectorConfig: config, offsets: source)
            }
            if let sink, let sinkConnector = connector as? any SinkConnector {
                return try await sinkConnector.alterOffsets(connectorConfig: config, offsets: sink)
            }
        } catch {
            throw ConnectRestError.badRequest("Failed to alter offsets for connector: \(error)")
        }
        return false
    }

    /// The connector's config, if its offsets may be modified now (leader, STOPPED, no tasks).
    private func requireStoppedForOffsets(_ connector: String) throws -> [String: String] {
        try requireLeader()
        let snapshot = configStore.snapshot()
        guard let config = snapshot.connectorConfig(connector) else { throw ConnectRestError.connectorNotFound(connector) }
        guard snapshot.targetState(connector) == .stopped else {
            throw ConnectRestError.badRequest("Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/\(connector)/stop' endpoint")
        }
        guard snapshot.tasks(connector).isEmpty else {
            throw ConnectRestError.badRequest("Connector \(connector) still has task configs; it must be fully stopped (wait for the stop to take effect) before its offsets can be modified")
        }
        return config
    }

    /// Waits until no worker reports a task of `connector` as still at work. The stop takes
    /// effect on each worker when it reads the empty task configs, and a stopping task commits
    /// its last offsets as it goes: offsets altered before that would be overwritten. Bounded by
    /// the graceful shutdown timeout (and 2 s to read the statuses), since a killed worker's tasks
    /// stay RUNNING in the status topic; past it, the alteration goes ahead with a warning.
    private func awaitTasksStopped(_ connector: String) async {
        let deadline = ContinuousClock.now + .milliseconds(config.taskShutdownGracefulTimeoutMs) + .seconds(2)
        let atWork: Set<StatusRecord.State> = [.running, .paused, .restarting]
        while true {
            try? await statusStore.refresh(timeout: .seconds(2))
            let active = statusStore.getAll(connector: connector).filter { atWork.contains($0.state) }
            guard !active.isEmpty else { return }
            guard ContinuousClock.now < deadline else {
                logger.warning("Altering offsets although tasks of the stopped connector are still reported at work", metadata: [
                    "connector": "\(connector)", "tasks": "\(active.map { "\($0.id) \($0.state.rawValue) on \($0.workerId)" })",
                ])
                return
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    // MARK: Validation and plugins

    public func validateConnectorConfig(_ config: [String: String]) async throws -> ConfigInfos {
        validate(config)
    }

    /// Validates the common connector properties and the connector's own (Apache's
    /// `AbstractHerder.validateConnectorConfig`); an unknown class is an error on `connector.class`.
    func validate(_ config: [String: String]) -> ConfigInfos {
        let className = config[ConnectorConfig.connectorClass] ?? ""
        var definition = ConnectorConfig.configDef
        var values = definition.validate(config)
        var name = className
        if !className.isEmpty {
            do {
                let connector = try plugins.newConnector(className)
                name = plugins.resolveClassName(className)
                if connector is any SinkConnector {
                    definition = definition.merging(Self.sinkConfigDef)
                    values = definition.validate(config)
                    if (try? Worker.sinkSubscription(config)) == nil {
                        let message = (config["topics"] ?? "").isEmpty && (config["topics.regex"] ?? "").isEmpty
                            ? "Must configure one of topics or topics.regex"
                            : "Must configure one of topics or topics.regex, not both"
                        values = values.map { value in
                            var value = value
                            if value.name == "topics" || value.name == "topics.regex" { value.errors.append(message) }
                            return value
                        }
                    }
                }
                let isSink = connector is any SinkConnector
                UnsupportedConnectorSettings.check(config, isSink: isSink, definition: definition, values: &values)
                let own = connector.validate(config)
                definition = definition.merging(connector.configDef)
                values += own.filter { ownValue in !values.contains { $0.name == ownValue.name } }
                // Sink tasks have a consumer, source tasks a producer (Apache's validateClientOverrides).
                values += self.config.connectorClientConfigOverridePolicy.validate(config, client: isSink ? .consumer : .producer)
            } catch {
                values = values.map { value in
                    var value = value
                    if value.name == ConnectorConfig.connectorClass { value.errors.append("\(error)") }
                    return value
                }
            }
        }
        return ConfigInfos(name: name, configDef: definition, values: values)
    }

    /// `topics`, `topics.regex` and the dead letter queue settings of sink connectors (Apache's
    /// `SinkConnectorConfig`).
    static let sinkConfigDef = ConfigDef()
        .define("topics", .list, defaultValue: .list([]), importance: .high,
                documentation: "List of topics to consume, separated by commas.",
                group: ConnectorConfig.commonGroup, orderInGroup: 4, width: .long, displayName: "Topics")
        .define("topics.regex", .string, defaultValue: .string(""), validator: .regexList, importance: .high,
                documentation: "Regular expression giving topics to consume.",
                group: ConnectorConfig.commonGroup, orderInGroup: 4, width: .long, displayName: "Topics regex")
        .define("errors.deadletterqueue.topic.name", .string, defaultValue: .string(""), importance: .medium,
                documentation: "Topic that records failing in this sink connector, its converters or transformations go to (a dead letter queue); empty: none.",
                group: ConnectorConfig.errorGroup, orderInGroup: 6, width: .medium, displayName: "Dead Letter Queue Topic Name")
        .define("errors.deadletterqueue.topic.replication.factor", .short, defaultValue: .short(3), importance: .medium,
                documentation: "Replication factor of the dead letter queue topic when it is created.",
                group: ConnectorConfig.errorGroup, orderInGroup: 7, width: .medium, displayName: "Dead Letter Queue Topic Replication Factor")
        .define("errors.deadletterqueue.context.headers.enable", .boolean, defaultValue: .boolean(false), importance: .medium,
                documentation: "Whether records in the dead letter queue carry headers describing the error.",
                group: ConnectorConfig.errorGroup, orderInGroup: 8, width: .medium, displayName: "Enable Error Context Headers")

    public func connectorPlugins() async throws -> [PluginInfo] {
        plugins.allPlugins.map { PluginInfo(className: $0.className, type: $0.type.rawValue, version: $0.version) }
    }

    public func connectorPluginConfig(_ pluginName: String) async throws -> [ConfigKeyInfo] {
        guard let connector = try? plugins.newConnector(pluginName) else {
            throw ConnectRestError.notFound("Unknown plugin \(pluginName).")
        }
        var definition = ConnectorConfig.configDef
        if connector is any SinkConnector { definition = definition.merging(Self.sinkConfigDef) }
        return definition.merging(connector.configDef).keys.map { ConfigKeyInfo($0) }
    }

    // MARK: Topic tracking

    /// The topics recorded for the connector in the status topic. Like Apache's, any name is
    /// answered: an unknown (or deleted) connector has none.
    public func connectorActiveTopics(_ connector: String) async throws -> ActiveTopicsInfo {
        ActiveTopicsInfo(connector: connector, topics: statusStore.getAllTopics(connector: connector).map(\.topic).sorted())
    }

    /// Tombstones the connector's recorded topics, whatever its state (Apache's rule; the REST
    /// layer refuses with 403 unless `topic.tracking.enable` and `topic.tracking.allow.reset`).
    /// Topics its tasks still use are recorded again.
    public func resetConnectorActiveTopics(_ connector: String) async throws {
        resetActiveTopics(connector)
    }

    func resetActiveTopics(_ connector: String) {
        for topic in statusStore.getAllTopics(connector: connector) {
            statusStore.deleteTopic(connector: connector, topic: topic.topic)
        }
    }

    // MARK: Logging

    public func setClusterLoggerLevel(namespace: String, level: String) async throws {
        try await configStore.putLoggerLevel(namespace: namespace, level: level)
    }

    // MARK: Helpers

    func requireLeader() throws {
        guard isLeader else {
            if let leader = leaderURL {
                throw ConnectRestError.notLeader("Cannot complete request because this worker is not the leader", leaderURL: leader)
            }
            throw ConnectRestError.notLeader("Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway.", leaderURL: nil)
        }
    }
}

// MARK: - Status and config-topic listeners

extension DistributedHerder {
    public func connectorStateChanged(_ connector: String, to newState: StatusRecord.State, trace: String?) async {
        guard newState != .unassigned || configStore.contains(connector: connector) else {
            // Stopped because it was deleted: the leader tombstones its statuses, and an
            // UNASSIGNED written after that tombstone would bring the status back for good.
            return
        }
        let status = ConnectorStatus(connector: connector, state: newState, trace: trace, workerId: workerId, generation: generation)
        switch newState {
        case .failed, .unassigned: statusStore.putSafe(status)
        default: statusStore.put(status)
        }
        if newState == .running {
            enqueue { [weak self] in await self?.reconfigureConnectorTasks(connector) }
        }
    }

    public func taskStateChanged(_ task: ConnectorTaskId, to newState: StatusRecord.State, trace: String?) async {
        guard newState != .unassigned || configStore.contains(connector: task.connector) else { return }  // as for connectors
        let status = TaskStatus(id: task, state: newState, trace: trace, workerId: workerId, generation: generation)
        switch newState {
        case .failed, .unassigned: statusStore.putSafe(status)
        default: statusStore.put(status)
        }
    }

    public func connectorRequestedTaskReconfiguration(_ connector: String) {
        enqueue { [weak self] in await self?.reconfigureConnectorTasks(connector) }
    }

    /// Records `status-topic-<topic>:connector-<name>` the first time a connector's task uses a
    /// topic, and again after a reset removed it (Apache's `WorkerTask.recordActiveTopic`).
    public func taskUsedTopic(_ task: ConnectorTaskId, topic: String) {
        guard config.topicTrackingEnable, statusStore.getTopic(connector: task.connector, topic: topic) == nil else { return }
        statusStore.put(TopicStatusRecord(
            topic: topic, connector: task.connector, task: task.task,
            discoverTimestamp: Int64(Date().timeIntervalSince1970 * 1000)))
    }

    public func onConnectorConfigUpdate(_ connector: String) {
        enqueue { [weak self] in await self?.connectorConfigChanged(connector) }
    }

    public func onConnectorConfigRemove(_ connector: String) {
        enqueue { [weak self] in await self?.connectorConfigChanged(connector) }
    }

    public func onTaskConfigUpdate(_ tasks: [ConnectorTaskId]) {
        enqueue { [weak self] in await self?.taskConfigsChanged(tasks) }
    }

    public func onConnectorTargetStateChange(_ connector: String) {
        enqueue { [weak self] in
            guard let self else { return }
            let target = configStore.snapshot().targetState(connector) ?? .started
            worker.setTargetState(connector, target)
        }
    }

    public func onSessionKeyUpdate(_ sessionKey: SessionKey) {
        state.withLock { $0.sessionKey = sessionKey }
    }

    public func onRestartRequest(_ connector: String, _ request: RestartRequestRecord) {
        enqueue { [weak self] in await self?.applyRestartRequest(connector, request) }
    }

    public func onLoggerLevelUpdate(namespace: String, level: String) {
        do {
            _ = try loggerLevels.setLevel(namespace: namespace, level: level)
        } catch {
            logger.warning("Ignoring an invalid cluster logger level", metadata: ["namespace": "\(namespace)", "level": "\(level)"])
        }
    }

    /// A connector was created, updated or deleted: owners restart it, and a change in the set
    /// of connectors asks for a rebalance.
    private func connectorConfigChanged(_ connector: String) async {
        let snapshot = configStore.snapshot()
        let ranConnector = worker.connectorNames.contains(connector)
        if ranConnector {
            await worker.stopConnectors([connector])
            if snapshot.contains(connector) { startConnector(connector, snapshot: snapshot) }
        }
        if !snapshot.contains(connector) {
            let tasks = worker.taskIds.filter { $0.connector == connector }
            await worker.stopTasks(tasks)
            if config.topicTrackingEnable, ranConnector || !tasks.isEmpty || isLeader {
                // Apache resets a deleted connector's topics once its work here has stopped (so
                // no late record brings one back); the leader also covers work that ran nowhere.
                resetActiveTopics(connector)
            }
            if isLeader {
                // Apache's onDeletion: the statuses of a deleted connector are tombstoned.
                for task in statusStore.getAll(connector: connector) {
                    statusStore.put(TaskStatus(id: task.id, state: .destroyed, workerId: workerId, generation: generation))
                }
                statusStore.put(ConnectorStatus(connector: connector, state: .destroyed, workerId: workerId, generation: generation))
            }
        }
        requestRebalanceIfMembershipChanged(snapshot)
    }

    /// New task configs were committed: running tasks whose config changed restart with it,
    /// and a change in the set of tasks asks for a rebalance.
    private func taskConfigsChanged(_ tasks: [ConnectorTaskId]) async {
        // Stop every affected task before starting any: a partition can move from one task to
        // another, and the new owner must read the offsets the old one committed on stopping.
        let restarting = tasks.filter { worker.taskIds.contains($0) }
        await worker.stopTasks(restarting)
        // The config may have moved on while they stopped (the connector stopped or deleted):
        // start from what holds now.
        let snapshot = configStore.snapshot()
        for task in restarting where snapshot.taskConfig(task) != nil && !worker.taskIds.contains(task) {
            await startTask(task, snapshot: snapshot)
        }
        // Tasks of the updated connectors that no longer exist stop at the next assignment.
        requestRebalanceIfMembershipChanged(snapshot)
    }

    private func requestRebalanceIfMembershipChanged(_ snapshot: ClusterConfigState) {
        let changed = state.withLock { state -> Bool in
            let connectors = Set(snapshot.connectors)
            let tasks = Self.committedTasks(snapshot)
            guard state.ready, connectors != state.knownConnectors || tasks != state.knownTasks else { return false }
            state.knownConnectors = connectors
            state.knownTasks = tasks
            // The current leader stays leader until the new round completes (Apache's isLeader()).
            return true
        }
        if changed { requestRejoin() }
    }

    /// Every task id of the committed task sets of a snapshot.
    static func committedTasks(_ snapshot: ClusterConfigState) -> Set<ConnectorTaskId> {
        Set(snapshot.connectors.flatMap { snapshot.tasks($0) })
    }
}
