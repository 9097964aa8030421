import ConnectAPI

/// The client property maps a MirrorMaker 2 connector hands to its consumers, producers and admin
/// clients, composed exactly as Apache Kafka's `MirrorConnectorConfig` does:
///
/// 1. `source.cluster.*` / `target.cluster.*`, keeping only connection properties
///    (`bootstrap.servers`, `security.protocol`, SSL and SASL settings);
/// 2. overridden by the unprefixed client-kind prefix (`consumer.*`, `producer.*`, `admin.*`);
/// 3. overridden by the cluster-side client prefix (`source.consumer.*`, `target.producer.*`, ...);
/// 4. consumers get `enable.auto.commit=false` always and `auto.offset.reset=earliest` unless set
///    (so a user's `latest` is kept, which MirrorSourceTask honours since KAFKA-13988);
/// 5. with a role, `client.id` becomes `[<user client.id>|]<source>-><target>|<name>|<role>`.
extension MirrorConnectorConfig {
    public static let sourceClusterPrefix = "source.cluster."
    public static let targetClusterPrefix = "target.cluster."
    public static let sourcePrefix = "source."
    public static let targetPrefix = "target."
    public static let producerClientPrefix = "producer."
    public static let consumerClientPrefix = "consumer."
    public static let adminClientPrefix = "admin."

    /// The connection properties a `source.cluster.`/`target.cluster.` prefix may carry into client
    /// configs (Kafka's `MirrorClientConfig.CLIENT_CONFIG_DEF`).
    public static let clusterClientPropertyNames: Set<String> = Set(
        ["bootstrap.servers", Key.securityProtocol]
            + ConfigDef().withClientSslSupport().withClientSaslSupport().names)

    /// Connector properties whose names start with a client prefix (`admin.`, `consumer.`) but
    /// which configure the connector; they never reach a client.
    public static let connectorKeysUnderClientPrefixes: Set<String> = [Key.adminTimeoutMs, Key.consumerPollTimeoutMs]

    /// Which cluster a client talks to.
    public enum Cluster: Sendable {
        case source, target

        var clusterPrefix: String { self == .source ? sourceClusterPrefix : targetClusterPrefix }
        var sidePrefix: String { self == .source ? sourcePrefix : targetPrefix }
    }

    /// Which kind of client a property map is for.
    public enum ClientKind: String, Sendable {
        case consumer, producer, admin

        var prefix: String {
            switch self {
            case .consumer: consumerClientPrefix
            case .producer: producerClientPrefix
            case .admin: adminClientPrefix
            }
        }
    }

    public func sourceConsumerConfig(role: String? = nil) -> [String: String] {
        clientConfig(.source, .consumer, role: role)
    }

    public func targetConsumerConfig(role: String? = nil) -> [String: String] {
        clientConfig(.target, .consumer, role: role)
    }

    public func sourceProducerConfig(role: String? = nil) -> [String: String] {
        clientConfig(.source, .producer, role: role)
    }

    public func targetProducerConfig(role: String? = nil) -> [String: String] {
        clientConfig(.target, .producer, role: role)
    }

    public func sourceAdminConfig(role: String? = nil) -> [String: String] {
        clientConfig(.source, .admin, role: role)
    }

    public func targetAdminConfig(role: String? = nil) -> [String: String] {
        clientConfig(.target, .admin, role: role)
    }

    /// The properties of the offset-syncs topic's `kind` client, on the cluster `location` names,
    /// with the role `offset-syncs-<source|target>-<consumer|producer|admin>`.
    public func offsetSyncsClientConfig(_ kind: ClientKind, location: OffsetSyncsTopicLocation) -> [String: String] {
        let role = Key.offsetSyncsClientRolePrefix + "\(location.rawValue)-\(kind.rawValue)"
        return clientConfig(location == .source ? .source : .target, kind, role: role)
    }

    /// The properties for a `kind` client on `cluster`; with a `role`, `client.id` is set too.
    public func clientConfig(_ cluster: Cluster, _ kind: ClientKind, role: String?) -> [String: String] {
        var result = Self.clientConfig(cluster, kind, from: originals)
        if let role {
            let clientId = "\(entityLabel)|\(role)"
            result["client.id"] = result["client.id"].map { "\($0)|\(clientId)" } ?? clientId
        }
        return result
    }

    /// The properties for a `kind` client on `cluster` computed from raw connector properties,
    /// without a `client.id` (Kafka's static `sourceConsumerConfig(Map)`).
    public static func clientConfig(_ cluster: Cluster, _ kind: ClientKind, from properties: [String: String]) -> [String: String] {
        var result = ParsedConfig.entriesWithPrefix(properties, cluster.clusterPrefix)
            .filter { clusterClientPropertyNames.contains($0.key) }
        // `admin.timeout.ms` and `consumer.poll.timeout.ms` are connector settings, not client ones.
        // Connect's `producer.override.*` (and consumer/admin) configure the worker's clients.
        result.merge(ParsedConfig.entriesWithPrefix(properties, kind.prefix)
            .filter { !connectorKeysUnderClientPrefixes.contains(kind.prefix + $0.key) && !$0.key.hasPrefix("override.") }) { $1 }
        result.merge(ParsedConfig.entriesWithPrefix(properties, cluster.sidePrefix + kind.prefix)) { $1 }
        if kind == .consumer {
            result["enable.auto.commit"] = "false"
            if result["auto.offset.reset"] == nil {
                result["auto.offset.reset"] = "earliest"
            }
        }
        return result
    }
}
