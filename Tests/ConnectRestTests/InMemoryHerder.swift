import ConnectAPI
import ConnectRuntime
import Synchronization

/// A small herder keeping connectors in memory, for REST routing and shape tests.
///
/// `leaderURL` switches it into follower mode: every leader-only call throws `notLeader`
/// with that URL (a `.some(nil)` URL means "leader unknown"). Calls named in `hanging` never
/// return (until cancelled), to exercise timeouts.
final class InMemoryHerder: Herder {
    struct State {
        var names: [String] = []
        var configs: [String: [String: String]] = [:]
        var taskConfigs: [String: [[String: String]]] = [:]
        var initialStates: [String: TargetState] = [:]
        var targetStates: [String: TargetState] = [:]
        var offsets: [String: ConnectorOffsets] = [:]
        var activeTopics: [String: [String]] = [:]
        var plugins: [PluginInfo] = []
        var leaderURL: String?? = nil
        var ready = true
        var hanging: Set<String> = []
        /// Calls that fail with the given error.
        var failures: [String: any Error] = [:]
        var stage: HerderStage?
        var calls: [String] = []
        var lastSignature: InternalRequestSignature??
        var lastPutTaskConfigs: [[String: String]]?
        var lastAlteredOffsets: ConnectorOffsets?
        var clusterLoggerLevels: [(String, String)] = []
        /// Names whose lookups fail with notFound although they are listed (deleted meanwhile).
        var vanishing: Set<String> = []
    }

    let state = Mutex(State())
    let workerId: String

    init(workerId: String = "worker-1:8083") {
        self.workerId = workerId
    }

    // MARK: Test helpers

    func update(_ body: (inout State) -> Void) { state.withLock { body(&$0) } }
    func read<T>(_ body: (State) -> T) -> T { state.withLock { body($0) } }

    func addConnector(_ name: String, config: [String: String], tasks: Int = 1) {
        state.withLock { state in
            if state.configs[name] == nil { state.names.append(name) }
            var config = config
            config["name"] = name
            state.configs[name] = config
            state.taskConfigs[name] = (0..<tasks).map { ["task.id": "\($0)", "connector.class": config["connector.class"] ?? ""] }
        }
    }

    private func record(_ call: String) async throws {
        let (hang, failure) = state.withLock { state -> (Bool, (any Error)?) in
            state.calls.append(call)
            return (state.hanging.contains(call), state.failures[call])
        }
        if let failure { throw failure }
        if hang { try await Task.sleep(for: .seconds(3600)) }
    }

    private func requireLeader(_ message: String) throws {
        if let leaderURL = read(\.leaderURL) {
            throw ConnectRestError.notLeader(message, leaderURL: leaderURL)
        }
    }

    private func existing(_ name: String) throws -> [String: String] {
        guard let config = read({ $0.vanishing.contains(name) ? nil : $0.configs[name] }) else {
            throw ConnectRestError.connectorNotFound(name)
        }
        return config
    }

    private func type(of config: [String: String]) -> ConnectorType {
        switch config["connector.class"] {
        case let name? where name.contains("Source"): .source
        case let name? where name.contains("Sink"): .sink
        default: .unknown
        }
    }

    private func info(_ name: String) throws -> ConnectorInfo {
        let config = try existing(name)
        let tasks = read { $0.taskConfigs[name]?.count ?? 0 }
        return ConnectorInfo(
            name: name, config: config,
            tasks: try (0..<tasks).map { try ConnectorTaskId(connector: name, task: Int32($0)) },
            type: type(of: config))
    }

    // MARK: Herder

    var isReady: Bool { read(\.ready) }

    func healthCheck() async throws { try await record("healthCheck") }

    func currentStage() -> HerderStage? { read(\.stage) }

    func kafkaClusterId() async throws -> String {
        try await record("kafkaClusterId")
        return "cluster-1"
    }

    func connectors() async throws -> [String] {
        try await record("connectors")
        return read(\.names)
    }

    func connectorInfo(_ connector: String) async throws -> ConnectorInfo {
        try await record("connectorInfo")
        return try info(connector)
    }

    func connectorConfig(_ connector: String) async throws -> [String: String] {
        try await record("connectorConfig")
        return try existing(connector)
    }

    func tasksConfig(_ connector: String) async throws -> [ConnectorTaskId: [String: String]] {
        try await record("tasksConfig")
        _ = try existing(connector)
        var result: [ConnectorTaskId: [String: String]] = [:]
        for (index, config) in read({ $0.taskConfigs[connector] ?? [] }).enumerated() {
            result[try ConnectorTaskId(connector: connector, task: Int32(index))] = config
        }
        return result
    }

    func putConnectorConfig(
        _ connector: String, config: [String: String], allowReplace: Bool, initialState: TargetState?
    ) async throws -> (created: Bool, info: ConnectorInfo) {
        try await record("putConnectorConfig")
        try requireLeader("Only the leader can set connector configs.")
        guard config["connector.class"] != nil else {
            throw ConnectRestError.badRequest("Connector config \(config) contains no connector type")
        }
        let exists = read { $0.configs[connector] != nil }
        if exists && !allowReplace { throw ConnectRestError.connectorAlreadyExists(connector) }
        addConnector(connector, config: config)
        if let initialState { update { $0.initialStates[connector] = initialState } }
        return (!exists, try info(connector))
    }

    func patchConnectorConfig(_ connector: String, patch: [String: String?]) async throws -> ConnectorInfo {
        try await record("patchConnectorConfig")
        try requireLeader("Only the leader can set connector configs.")
        var config = try existing(connector)
        for (key, value) in patch { config[key] = value }
        update { $0.configs[connector] = config }
        return try info(connector)
    }

    func deleteConnectorConfig(_ connector: String) async throws {
        try await record("deleteConnectorConfig")
        try requireLeader("Only the leader can delete connector configs.")
        _ = try existing(connector)
        update { state in
            state.configs[connector] = nil
            state.names.removeAll { $0 == connector }
        }
    }

    func connectorStatus(_ connector: String) async throws -> ConnectorStateInfo {
        try await record("connectorStatus")
        guard read({ $0.vanishing.contains(connector) ? nil : $0.configs[connector] }) != nil else {
            throw ConnectRestError.noStatusFound(connector: connector)
        }
        let info = try info(connector)
        let state = read { $0.targetStates[connector] } == .paused ? "PAUSED" : "RUNNING"
        return ConnectorStateInfo(
            name: connector,
            connector: .init(state: state, workerId: workerId),
            tasks: info.tasks.map {
                .init(id: $0.task, state: $0.task == 1 ? "FAILED" : state, workerId: workerId,
                      trace: $0.task == 1 ? "java.lang.RuntimeException: boom" : nil)
            },
            type: info.type)
    }

    func taskStatus(_ task: ConnectorTaskId) async throws -> ConnectorStateInfo.TaskState {
        try await record("taskStatus")
        guard let status = try? await connectorStatus(task.connector),
              let state = status.tasks.first(where: { $0.id == task.task }) else {
            throw ConnectRestError.noStatusFound(task: task)
        }
        return state
    }

    func taskConfigs(_ connector: String) async throws -> [TaskInfo] {
        try await record("taskConfigs")
        _ = try existing(connector)
        return try read { $0.taskConfigs[connector] ?? [] }.enumerated().map {
            TaskInfo(id: try ConnectorTaskId(connector: connector, task: Int32($0.offset)), config: $0.element)
        }
    }

    func putTaskConfigs(_ connector: String, configs: [[String: String]], signature: InternalRequestSignature?) async throws {
        try await record("putTaskConfigs")
        update {
            $0.lastSignature = .some(signature)
            $0.lastPutTaskConfigs = configs
        }
        try requireLeader("Only the leader may write task configurations.")
        _ = try existing(connector)
        update { $0.taskConfigs[connector] = configs }
    }

    func restartConnector(_ connector: String, includeTasks: Bool, onlyFailed: Bool) async throws -> ConnectorStateInfo? {
        try await record("restartConnector")
        _ = try existing(connector)
        try requireLeader("Only the leader can process restart requests.")
        guard includeTasks || onlyFailed else { return nil }
        var status = try await connectorStatus(connector)
        if !onlyFailed { status.connector.state = "RESTARTING" }
        status.tasks = status.tasks.map { task in
            var task = task
            if !onlyFailed || task.state == "FAILED" { task.state = "RESTARTING" }
            return task
        }
        return status
    }

    func restartTask(_ task: ConnectorTaskId) async throws {
        try await record("restartTask")
        _ = try existing(task.connector)
        guard Int(task.task) < read({ $0.taskConfigs[task.connector]?.count ?? 0 }) else {
            throw ConnectRestError.unknownTask(task)
        }
        try requireLeader("Cannot restart task since it is not assigned to this member")
    }

    func pauseConnector(_ connector: String) async throws {
        try await record("pauseConnector")
        _ = try existing(connector)
        update { $0.targetStates[connector] = .paused }
    }

    func resumeConnector(_ connector: String) async throws {
        try await record("resumeConnector")
        _ = try existing(connector)
        update { $0.targetStates[connector] = .started }
    }

    func stopConnector(_ connector: String) async throws {
        try await record("stopConnector")
        _ = try existing(connector)
        try requireLeader("Only the leader can transition connectors to the STOPPED state.")
        update { $0.targetStates[connector] = .stopped }
    }

    func connectorOffsets(_ connector: String) async throws -> ConnectorOffsets {
        try await record("connectorOffsets")
        _ = try existing(connector)
        return read { $0.offsets[connector] } ?? ConnectorOffsets(offsets: [])
    }

    func alterConnectorOffsets(_ connector: String, offsets: ConnectorOffsets) async throws -> Message {
        try await record("alterConnectorOffsets")
        _ = try existing(connector)
        try requireLeader("Only the leader can process external offsets modification requests")
        guard read({ $0.targetStates[connector] }) == .stopped else {
            throw ConnectRestError.badRequest(
                "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/\(connector)/stop' endpoint")
        }
        update { $0.lastAlteredOffsets = offsets }
        return .offsetsAltered
    }

    func resetConnectorOffsets(_ connector: String) async throws -> Message {
        try await record("resetConnectorOffsets")
        _ = try existing(connector)
        try requireLeader("Only the leader can process external offsets modification requests")
        update { $0.offsets[connector] = nil }
        return .offsetsReset
    }

    func validateConnectorConfig(_ config: [String: String]) async throws -> ConfigInfos {
        try await record("validateConnectorConfig")
        guard let connectorClass = config["connector.class"] else {
            throw ConnectRestError.badRequest("Connector config \(config) contains no connector type")
        }
        let key = ConfigKeyInfo(
            name: "tasks.max", type: "INT", required: false, defaultValue: "1", importance: "HIGH",
            documentation: "Maximum number of tasks to use for this connector.", group: "Common", orderInGroup: 3,
            width: "SHORT", displayName: "Tasks max", dependents: [])
        let value = ConfigValueInfo(
            name: "tasks.max", value: config["tasks.max"] ?? "1", recommendedValues: [], errors: [], visible: true)
        return ConfigInfos(name: connectorClass, errorCount: 0, groups: ["Common"], configs: [ConfigInfo(definition: key, value: value)])
    }

    func connectorPlugins() async throws -> [PluginInfo] {
        try await record("connectorPlugins")
        return read(\.plugins)
    }

    func connectorPluginConfig(_ pluginName: String) async throws -> [ConfigKeyInfo] {
        try await record("connectorPluginConfig")
        guard read({ $0.plugins.contains { $0.className == pluginName } }) else {
            throw ConnectRestError.notFound("Unknown plugin \(pluginName).")
        }
        return [ConfigKeyInfo(
            name: "name", type: "STRING", required: true, defaultValue: nil, importance: "HIGH",
            documentation: "Globally unique name to use for this connector.", group: "Common", orderInGroup: 1,
            width: "MEDIUM", displayName: "Connector name", dependents: [])]
    }

    func connectorActiveTopics(_ connector: String) async throws -> ActiveTopicsInfo {
        try await record("connectorActiveTopics")
        return ActiveTopicsInfo(connector: connector, topics: read { $0.activeTopics[connector] ?? [] })
    }

    func resetConnectorActiveTopics(_ connector: String) async throws {
        try await record("resetConnectorActiveTopics")
        update { $0.activeTopics[connector] = [] }
    }

    func setClusterLoggerLevel(namespace: String, level: String) async throws {
        try await record("setClusterLoggerLevel")
        update { $0.clusterLoggerLevels.append((namespace, level)) }
    }
}
