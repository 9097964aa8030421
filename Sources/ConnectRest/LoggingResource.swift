import ConnectRuntime
import Hummingbird

/// `/admin/loggers/...`: dynamic log levels for this worker or the whole cluster
/// (Apache's `LoggingResource`, KIP-495 and KIP-976).
struct LoggingResource: Sendable {
    let rest: RestContext

    func register(on routes: RestRouteTable) {
        routes.add(.get, "/admin/loggers", listLoggers)
        routes.add(.get, "/admin/loggers/:logger", getLogger)
        routes.add(.put, "/admin/loggers/:logger", setLevel)
    }

    @Sendable func listLoggers(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        RestResponse.json(RestJSON.encode(loggerLevels: rest.loggerLevels.allLevels()))
    }

    @Sendable func getLogger(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try request.pathParameter("logger", in: context)
        guard let level = rest.loggerLevels.level(of: name) else {
            throw ConnectRestError.notFound("Logger \(name) not found.")
        }
        return RestResponse.json(level.jsonBytes())
    }

    /// Body `{"level": "DEBUG"}`; `scope=worker` (default, and for unknown scopes) answers 200
    /// with the affected logger names, `scope=cluster` writes the level for every worker and
    /// answers 204.
    @Sendable func setLevel(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let namespace = try request.pathParameter("logger", in: context)
        let body = try RestJSON.decodeStringMap(try await rest.body(of: request), what: "logger level request")
        guard let level = body["level"] else {
            throw ConnectRestError.badRequest("Desired 'level' parameter was not specified in request.")
        }
        guard LoggerLevels.normalizedLevel(level) != nil else {
            throw ConnectRestError.notFound("invalid log level '\(level)'.")
        }
        let scope = request.uri.queryParameters.get("scope").map { String($0).lowercased() } ?? "worker"
        switch scope {
        case "cluster":
            let herder = rest.herder
            try await rest.requests.complete { try await herder.setClusterLoggerLevel(namespace: namespace, level: level) }
            return RestResponse.empty(.noContent)
        default:
            if scope != "worker" {
                rest.logger.warning(
                    "Received invalid scope in request to adjust logging level; will default to worker",
                    metadata: ["rest.scope": "\(scope)"])
            }
            let affected = try rest.loggerLevels.setLevel(namespace: namespace, level: level)
            return RestResponse.json(RestJSON.encode(strings: affected))
        }
    }
}
