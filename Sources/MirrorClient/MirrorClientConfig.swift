/// The settings of a ``MirrorClusterClient`` (Apache's `MirrorClientConfig`): how to reach one
/// cluster and how its MirrorMaker 2 topics are named.
///
/// - `bootstrap.servers`, `security.protocol`, `ssl.*` and `sasl.*` connect the internal admin
///   client and consumer; `admin.<name>` and `consumer.<name>` override them for one client
///   kind. Other client properties are ignored, as Apache ignores them.
/// - `replication.policy.class`, `replication.policy.separator` and
///   `replication.policy.internal.topic.separator.enabled` choose the ``ReplicationPolicy``.
public struct MirrorClientConfig: Sendable {
    public static let bootstrapServersConfig = "bootstrap.servers"
    public static let securityProtocolConfig = "security.protocol"
    public static let adminClientPrefix = "admin."
    public static let consumerClientPrefix = "consumer."
    public static let producerClientPrefix = "producer."

    /// The properties as given.
    public let properties: [String: String]
    public let replicationPolicy: any ReplicationPolicy

    /// - Throws: ``MirrorClientError`` for an unknown `replication.policy.class` or an invalid
    ///   policy setting.
    public init(_ properties: [String: String]) throws(MirrorClientError) {
        self.properties = properties
        replicationPolicy = try ReplicationPolicies.make(config: properties)
    }

    /// Properties of the internal admin client.
    public var adminConfig: [String: String] { clientConfig(prefix: Self.adminClientPrefix) }
    /// Properties of the internal consumer (reading checkpoints).
    public var consumerConfig: [String: String] { clientConfig(prefix: Self.consumerClientPrefix) }
    /// Properties for a producer on the same cluster.
    public var producerConfig: [String: String] { clientConfig(prefix: Self.producerClientPrefix) }

    /// Whether a property name is one that reaches the internal clients (Apache's
    /// `MirrorClientConfig.CLIENT_CONFIG_DEF`: connection and security settings).
    public static func isClientConnectionProperty(_ name: String) -> Bool {
        name == bootstrapServersConfig || name == securityProtocolConfig
            || name.hasPrefix("ssl.") || name.hasPrefix("sasl.")
    }

    /// The connection properties, each overridden by its `<prefix><name>` variant when set.
    private func clientConfig(prefix: String) -> [String: String] {
        var result = properties.filter { Self.isClientConnectionProperty($0.key) }
        for (key, value) in properties where key.hasPrefix(prefix) {
            let name = String(key.dropFirst(prefix.count))
            if Self.isClientConnectionProperty(name) { result[name] = value }
        }
        return result
    }
}
