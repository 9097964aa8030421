/// The kinds of Connect plugins, named as Kafka's `PluginType` prints them (the `type` field of
/// `GET /connector-plugins`).
public enum PluginType: String, Sendable, Hashable, CaseIterable, Comparable {
    case source
    case sink
    case converter
    case headerConverter = "header_converter"
    case transformation
    case predicate
    case configProvider = "config_provider"
    case restExtension = "rest_extension"
    case connectorClientConfigOverridePolicy = "connector_client_config_override_policy"

    /// The simple name of the Java interface the plugin implements; pruned from class names to
    /// form aliases (connectors use "Connector").
    public var interfaceName: String {
        switch self {
        case .source: "SourceConnector"
        case .sink: "SinkConnector"
        case .converter: "Converter"
        case .headerConverter: "HeaderConverter"
        case .transformation: "Transformation"
        case .predicate: "Predicate"
        case .configProvider: "ConfigProvider"
        case .restExtension: "ConnectRestExtension"
        case .connectorClientConfigOverridePolicy: "ConnectorClientConfigOverridePolicy"
        }
    }

    /// Whether the type is a connector (source or sink).
    public var isConnector: Bool { self == .source || self == .sink }

    public static func < (lhs: PluginType, rhs: PluginType) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
