import ConnectRuntime
import Hummingbird

/// `/connector-plugins/...`: installed plugins, their config definitions and config
/// validation (Apache's `ConnectorPluginsResource`).
struct ConnectorPluginsResource: Sendable {
    let rest: RestContext

    func register(on routes: RestRouteTable) {
        routes.add(.get, "/connector-plugins", listConnectorPlugins)
        routes.add(.get, "/connector-plugins/:plugin/config", getConnectorConfigDef)
        routes.add(.put, "/connector-plugins/:plugin/config/validate", validateConfigs)
    }

    /// `connectorsOnly` (default true) lists only source and sink connectors (KIP-769).
    @Sendable func listConnectorPlugins(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let connectorsOnly = request.booleanQuery("connectorsOnly") ?? true
        let herder = rest.herder
        let plugins = try await rest.requests.complete { try await herder.connectorPlugins() }
        return RestResponse.json(RestJSON.encode(plugins: connectorsOnly ? plugins.filter(\.isConnector) : plugins))
    }

    @Sendable func getConnectorConfigDef(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let plugin = try request.pathParameter("plugin", in: context)
        let herder = rest.herder
        let keys = try await rest.requests.complete { try await herder.connectorPluginConfig(plugin) }
        return RestResponse.json(RestJSON.encode(configKeyInfos: keys))
    }

    @Sendable func validateConfigs(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let plugin = try request.pathParameter("plugin", in: context)
        let config = try RestJSON.decodeStringMap(try await rest.body(of: request))
        if let included = config["connector.class"],
           !Self.normalizedPluginName(included).hasSuffix(Self.normalizedPluginName(plugin))
        {
            throw ConnectRestError.badRequest("Included connector type \(included) does not match request type \(plugin)")
        }
        let herder = rest.herder
        let infos: ConfigInfos
        do {
            infos = try await rest.requests.complete { try await herder.validateConnectorConfig(config) }
        } catch let error as ConnectRestError where error.code == .requestTimeout {
            // Apache words this timeout without the stage summary's final period.
            var message = error.message
            if message.hasSuffix(".") { message.removeLast() }
            throw ConnectRestError(code: .requestTimeout, status: 500, message: message)
        }
        return RestResponse.json(RestJSON.encode(configInfos: infos))
    }

    /// Class names and aliases compare without a trailing `Connector`
    /// (`MirrorSourceConnector` matches `MirrorSource`).
    static func normalizedPluginName(_ name: String) -> Substring {
        let suffix = "Connector"
        if name.hasSuffix(suffix), name.count > suffix.count { return name.dropLast(suffix.count) }
        return Substring(name)
    }
}

import ConnectAPI
