import ConnectRuntime
import Hummingbird

/// `/connectors/...`: connector lifecycle, configs, status, tasks and offsets
/// (Apache's `ConnectorsResource`).
struct ConnectorsResource: Sendable {
    let rest: RestContext

    private var herder: any Herder { rest.herder }
    private var requests: HerderRequestHandler { rest.requests }

    func register(on routes: RestRouteTable) {
        routes.add(.get, "/connectors", listConnectors)
        routes.add(.post, "/connectors", createConnector)
        routes.add(.get, "/connectors/:connector", getConnector)
        routes.add(.delete, "/connectors/:connector", deleteConnector)
        routes.add(.get, "/connectors/:connector/config", getConnectorConfig)
        routes.add(.put, "/connectors/:connector/config", putConnectorConfig)
        routes.add(.patch, "/connectors/:connector/config", patchConnectorConfig)
        routes.add(.get, "/connectors/:connector/tasks-config", getTasksConfig)
        routes.add(.get, "/connectors/:connector/status", getConnectorStatus)
        routes.add(.get, "/connectors/:connector/topics", getConnectorActiveTopics)
        routes.add(.put, "/connectors/:connector/topics/reset", resetConnectorActiveTopics)
        routes.add(.post, "/connectors/:connector/restart", restartConnector)
        routes.add(.put, "/connectors/:connector/stop", stopConnector)
        routes.add(.put, "/connectors/:connector/pause", pauseConnector)
        routes.add(.put, "/connectors/:connector/resume", resumeConnector)
        routes.add(.get, "/connectors/:connector/tasks", getTaskConfigs)
        routes.add(.get, "/connectors/:connector/tasks/:task/status", getTaskStatus)
        routes.add(.post, "/connectors/:connector/tasks/:task/restart", restartTask)
        routes.add(.get, "/connectors/:connector/offsets", getOffsets)
        routes.add(.patch, "/connectors/:connector/offsets", alterOffsets)
        routes.add(.delete, "/connectors/:connector/offsets", resetOffsets)
    }

    // MARK: Listing and creating

    @Sendable func listConnectors(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let herder = self.herder
        let names = try await requests.complete { try await herder.connectors() }
        let parameters = request.uri.queryParameters
        guard parameters.has("expand") else {
            return RestResponse.json(RestJSON.encode(strings: names))
        }
        let expansions = parameters.getAll("expand").map { String($0) }
        for unknown in Set(expansions).subtracting(["status", "info"]) {
            rest.logger.info("Ignoring unknown expansion type", metadata: ["rest.expansion": "\(unknown)"])
        }
        let result = try await requests.complete {
            var result: [ConnectorExpansion] = []
            for name in names {
                do {
                    var expansion = ConnectorExpansion(name: name, status: nil, info: nil)
                    for kind in expansions {
                        switch kind {
                        case "status": expansion.status = try await herder.connectorStatus(name)
                        case "info": expansion.info = try await herder.connectorInfo(name)
                        default: break
                        }
                    }
                    result.append(expansion)
                } catch let error as ConnectRestError where error.code == .notFound {
                    // Deleted while we looked it up: leave it out, as Apache does.
                    continue
                }
            }
            return result
        }
        return RestResponse.json(RestJSON.encode(expansions: result))
    }

    @Sendable func createConnector(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let body = try await rest.body(of: request)
        let create = try CreateConnectorRequest(jsonBytes: body)
        let name = (create.name ?? "").javaTrimmed()
        guard var config = create.config else {
            throw ConnectRestError.badRequest("The create connector request has no 'config'")
        }
        try Self.checkAndPutConnectorName(name, into: &config)
        let herder = self.herder
        let outcome = try await requests.completeOrForward(request, body: body) { [config] in
            try await herder.putConnectorConfig(
                name, config: config, allowReplace: false, initialState: create.initialState?.targetState)
        }
        switch outcome {
        case .completed(let result):
            return RestResponse.json(
                result.info.jsonBytes(), status: .created,
                headers: [.location: RestResponse.location(of: name, request: request)])
        case .forwarded(let response):
            return RestResponse.relay(response, locationFor: name, request: request)
        }
    }

    // MARK: One connector

    @Sendable func getConnector(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try request.pathParameter("connector", in: context)
        let herder = self.herder
        return RestResponse.json(try await requests.complete { try await herder.connectorInfo(name) }.jsonBytes())
    }

    @Sendable func deleteConnector(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try request.pathParameter("connector", in: context)
        let herder = self.herder
        switch try await requests.completeOrForward(request, body: nil, { try await herder.deleteConnectorConfig(name) }) {
        case .completed: return RestResponse.empty(.noContent)
        case .forwarded(let response): return RestResponse.relay(response, request: request)
        }
    }

    @Sendable func getConnectorConfig(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try request.pathParameter("connector", in: context)
        let herder = self.herder
        let config = try await requests.complete { try await herder.connectorConfig(name) }
        return RestResponse.json(RestJSON.encode(stringMap: config))
    }

    @Sendable func putConnectorConfig(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try request.pathParameter("connector", in: context)
        let body = try await rest.body(of: request)
        var config = try RestJSON.decodeStringMap(body)
        try Self.checkAndPutConnectorName(name, into: &config)
        let herder = self.herder
        let outcome = try await requests.completeOrForward(request, body: body) { [config] in
            try await herder.putConnectorConfig(name, config: config, allowReplace: true, initialState: nil)
        }
        switch outcome {
        case .completed(let result):
            if result.created {
                return RestResponse.json(
                    result.info.jsonBytes(), status: .created,
                    headers: [.location: RestResponse.location(of: name, request: request)])
            }
            return RestResponse.json(result.info.jsonBytes())
        case .forwarded(let response):
            return RestResponse.relay(response, locationFor: name, request: request)
        }
    }

    @Sendable func patchConnectorConfig(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try request.pathParameter("connector", in: context)
        let body = try await rest.body(of: request)
        let patch = try RestJSON.decodeStringPatch(body)
        let herder = self.herder
        switch try await requests.completeOrForward(request, body: body, { try await herder.patchConnectorConfig(name, patch: patch) }) {
        case .completed(let info): return RestResponse.json(info.jsonBytes())
        case .forwarded(let response): return RestResponse.relay(response, request: request)
        }
    }

    @Sendable func getTasksConfig(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try request.pathParameter("connector", in: context)
        rest.logger.warning(
            "The 'GET /connectors/{connector}/tasks-config' endpoint is deprecated and will be removed in the next major release. Please use the 'GET /connectors/{connector}/tasks' endpoint instead."
        )
        let herder = self.herder
        let configs = try await requests.complete { try await herder.tasksConfig(name) }
        return RestResponse.json(RestJSON.encode(tasksConfig: configs))
    }

    @Sendable func getConnectorStatus(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try request.pathParameter("connector", in: context)
        let herder = self.herder
        return RestResponse.json(try await requests.complete { try await herder.connectorStatus(name) }.jsonBytes())
    }

    // MARK: Topic tracking

    @Sendable func getConnectorActiveTopics(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try request.pathParameter("connector", in: context)
        guard rest.configuration.topicTrackingEnabled else { throw ConnectRestError.forbidden("Topic tracking is disabled.") }
        let herder = self.herder
        return RestResponse.json(try await requests.complete { try await herder.connectorActiveTopics(name) }.jsonBytes())
    }

    @Sendable func resetConnectorActiveTopics(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try request.pathParameter("connector", in: context)
        guard rest.configuration.topicTrackingEnabled else { throw ConnectRestError.forbidden("Topic tracking is disabled.") }
        guard rest.configuration.topicTrackingResetEnabled else {
            throw ConnectRestError.forbidden("Topic tracking reset is disabled.")
        }
        let herder = self.herder
        try await requests.complete { try await herder.resetConnectorActiveTopics(name) }
        return RestResponse.empty(.accepted)
    }

    // MARK: Lifecycle

    @Sendable func restartConnector(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try request.pathParameter("connector", in: context)
        let includeTasks = request.booleanQuery("includeTasks") ?? false
        let onlyFailed = request.booleanQuery("onlyFailed") ?? false
        let herder = self.herder
        let outcome = try await requests.completeOrForward(request, body: nil) {
            try await herder.restartConnector(name, includeTasks: includeTasks, onlyFailed: onlyFailed)
        }
        switch outcome {
        case .completed(let state):
            // Both flags false is the pre-KIP-745 form: restart the connector only, answer 204.
            guard includeTasks || onlyFailed, let state else { return RestResponse.empty(.noContent) }
            return RestResponse.json(state.jsonBytes(), status: .accepted)
        case .forwarded(let response):
            return RestResponse.relay(response, request: request)
        }
    }

    @Sendable func stopConnector(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try request.pathParameter("connector", in: context)
        let herder = self.herder
        switch try await requests.completeOrForward(request, body: nil, { try await herder.stopConnector(name) }) {
        case .completed: return RestResponse.empty(.noContent)
        case .forwarded(let response): return RestResponse.relay(response, request: request)
        }
    }

    @Sendable func pauseConnector(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try request.pathParameter("connector", in: context)
        let herder = self.herder
        try await requests.complete { try await herder.pauseConnector(name) }
        return RestResponse.empty(.accepted)
    }

    @Sendable func resumeConnector(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try request.pathParameter("connector", in: context)
        let herder = self.herder
        try await requests.complete { try await herder.resumeConnector(name) }
        return RestResponse.empty(.accepted)
    }

    // MARK: Tasks

    @Sendable func getTaskConfigs(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try request.pathParameter("connector", in: context)
        let herder = self.herder
        let tasks = try await requests.complete { try await herder.taskConfigs(name) }
        return RestResponse.json(RestJSON.encode(taskInfos: tasks))
    }

    @Sendable func getTaskStatus(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let id = try taskId(request, context)
        let herder = self.herder
        return RestResponse.json(try await requests.complete { try await herder.taskStatus(id) }.jsonBytes())
    }

    @Sendable func restartTask(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let id = try taskId(request, context)
        let herder = self.herder
        switch try await requests.completeOrForward(request, body: nil, { try await herder.restartTask(id) }) {
        case .completed: return RestResponse.empty(.noContent)
        case .forwarded(let response): return RestResponse.relay(response, request: request)
        }
    }

    /// The `{connector}`/`{task}` pair; a task number that is not an integer is an unknown
    /// route (404), as for JAX-RS `Integer` path parameters.
    private func taskId(_ request: Request, _ context: BasicRequestContext) throws -> ConnectorTaskId {
        let name = try request.pathParameter("connector", in: context)
        guard let task = Int32(try request.pathParameter("task", in: context)) else {
            throw ConnectRestError(code: .notFound, status: 404, message: "HTTP 404 Not Found")
        }
        do {
            return try ConnectorTaskId(connector: name, task: task)
        } catch {
            throw ConnectRestError.notFound("Unknown task: \(name)-\(task)")
        }
    }

    // MARK: Offsets (KIP-875)

    @Sendable func getOffsets(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try request.pathParameter("connector", in: context)
        let herder = self.herder
        return RestResponse.json(try await requests.complete { try await herder.connectorOffsets(name) }.jsonBytes())
    }

    @Sendable func alterOffsets(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try request.pathParameter("connector", in: context)
        let body = try await rest.body(of: request)
        let offsets = try ConnectorOffsets(jsonBytes: body)
        guard !offsets.offsets.isEmpty else {
            throw ConnectRestError.badRequest("Partitions / offsets need to be provided for an alter offsets request")
        }
        let herder = self.herder
        switch try await requests.completeOrForward(request, body: body, { try await herder.alterConnectorOffsets(name, offsets: offsets) }) {
        case .completed(let message): return RestResponse.json(message.jsonBytes())
        case .forwarded(let response): return RestResponse.relay(response, request: request)
        }
    }

    @Sendable func resetOffsets(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try request.pathParameter("connector", in: context)
        let herder = self.herder
        switch try await requests.completeOrForward(request, body: nil, { try await herder.resetConnectorOffsets(name) }) {
        case .completed(let message): return RestResponse.json(message.jsonBytes())
        case .forwarded(let response): return RestResponse.relay(response, request: request)
        }
    }

    // MARK: Helpers

    /// The `name` in a config must match the URL's; a missing `name` is filled in.
    static func checkAndPutConnectorName(_ name: String, into config: inout [String: String]) throws(ConnectRestError) {
        if let included = config["name"] {
            guard included == name else {
                throw ConnectRestError.badRequest(
                    "Connector name configuration (\(included)) doesn't match connector name in the URL (\(name))")
            }
        } else {
            config["name"] = name
        }
    }
}

extension String {
    /// Java's `String.trim()`: strips leading and trailing characters up to U+0020.
    func javaTrimmed() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0.value > 0x20 }),
              let last = scalars.lastIndex(where: { $0.value > 0x20 })
        else { return "" }
        return String(scalars[first...last])
    }
}
