import ConnectRuntime
import Hummingbird

/// `GET /` (worker version and Kafka cluster id) and `GET /health` (KIP-1017), as Apache's
/// `RootResource`.
struct RootResource: Sendable {
    let rest: RestContext

    func register(on routes: RestRouteTable) {
        routes.add(.get, "/", serverInfo)
        routes.add(.get, "/health", healthCheck)
    }

    @Sendable func serverInfo(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let herder = rest.herder
        let clusterId = try await rest.requests.complete { try await herder.kafkaClusterId() }
        let info = ServerInfo(version: rest.configuration.version, commit: rest.configuration.commit, kafkaClusterId: clusterId)
        return RestResponse.json(info.jsonBytes())
    }

    /// 200 healthy when the herder answers within the health-check timeout; otherwise 503
    /// "starting" before startup finished, 500 "unhealthy" after.
    @Sendable func healthCheck(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let herder = rest.herder
        do {
            try await rest.requests.complete(timeout: rest.configuration.healthCheckTimeout) { try await herder.healthCheck() }
            return RestResponse.json(WorkerStatus.healthy.jsonBytes())
        } catch let error as ConnectRestError where error.code == .requestTimeout {
            let details = herder.currentStage()?.summary
            if herder.isReady {
                return RestResponse.json(WorkerStatus.unhealthy(details).jsonBytes(), status: .internalServerError)
            }
            return RestResponse.json(WorkerStatus.starting(details).jsonBytes(), status: .serviceUnavailable)
        }
    }
}
