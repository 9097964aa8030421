import ConnectRuntime
import Hummingbird

/// Worker-to-worker endpoints (Apache's `InternalConnectResource`): followers send the task
/// configs they generated to the leader, signed with the session key. Zombie fencing
/// (`PUT /connectors/{c}/fence`, exactly-once source) is not offered.
struct InternalConnectResource: Sendable {
    let rest: RestContext

    func register(on routes: RestRouteTable) {
        routes.add(.post, "/connectors/:connector/tasks", putTaskConfigs)
    }

    @Sendable func putTaskConfigs(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try request.pathParameter("connector", in: context)
        let body = try await rest.body(of: request)
        let configs = try RestJSON.decodeTaskConfigs(body)
        let signature = try InternalRequestSignature(
            signatureHeader: request.headerValue(named: InternalRequestSignature.signatureHeader),
            algorithmHeader: request.headerValue(named: InternalRequestSignature.algorithmHeader),
            body: body)
        let herder = rest.herder
        let outcome = try await rest.requests.completeOrForward(request, body: body) {
            try await herder.putTaskConfigs(name, configs: configs, signature: signature)
        }
        switch outcome {
        case .completed: return RestResponse.empty(.noContent)
        case .forwarded(let response): return RestResponse.relay(response, request: request)
        }
    }
}
