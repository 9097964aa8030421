import ConnectAPI
import Foundation

/// The configuration of a distributed worker (Apache's `WorkerConfig` + `DistributedConfig`):
/// the same property names and defaults as `connect-distributed.properties`.
///
/// Parsing is strict where Apache's is lenient: a property this runtime does not know (and
/// that is not under a client or converter prefix) is an error naming it, and values this
/// runtime cannot honour (an `https` listener, exactly-once support) are refused with the
/// reason instead of being silently ignored.
public struct DistributedConfig: Sendable {
    public let originals: [String: String]
    public let parsed: ParsedConfig

    // Cluster and group membership
    public let bootstrapServers: [String]
    public let groupId: String
    public let sessionTimeoutMs: Int32
    public let heartbeatIntervalMs: Int32
    public let rebalanceTimeoutMs: Int32
    public let connectProtocol: ConnectProtocolCompatibility
    public let scheduledRebalanceMaxDelayMs: Int32
    public let workerSyncTimeoutMs: Int32
    public let workerUnsyncBackoffMs: Int32
    public let clientId: String

    // Internal topics
    public let configStorageTopic: String
    public let configStorageReplicationFactor: Int16
    public let offsetStorageTopic: String
    public let offsetStoragePartitions: Int32
    public let offsetStorageReplicationFactor: Int16
    public let statusStorageTopic: String
    public let statusStoragePartitions: Int32
    public let statusStorageReplicationFactor: Int16

    // Converters
    public let keyConverter: String
    public let valueConverter: String
    public let headerConverter: String

    // Tasks
    public let offsetFlushIntervalMs: Int64
    public let offsetFlushTimeoutMs: Int64
    public let taskShutdownGracefulTimeoutMs: Int64

    // REST
    public let listeners: [String]
    public let restAdvertisedHostName: String?
    public let restAdvertisedPort: Int32?
    public let restAdvertisedListener: String?

    // Inter-worker request signing (KIP-507)
    public let interWorkerKeyGenerationAlgorithm: String
    public let interWorkerKeySize: Int32?
    public let interWorkerKeyTTLMs: Int32
    public let interWorkerSignatureAlgorithm: String
    public let interWorkerVerificationAlgorithms: [String]

    public let topicTrackingEnable: Bool
    public let topicTrackingAllowReset: Bool
    public let topicCreationEnable: Bool

    /// `connector.client.config.override.policy`.
    public let connectorClientConfigOverridePolicy: ConnectorClientConfigOverridePolicy

    /// Parses and validates worker properties.
    /// - Throws: ``ConfigException`` naming the first problem (unknown property, missing
    ///   required property, invalid value).
    public init(_ properties: [String: String]) throws(ConfigException) {
        for name in properties.keys.sorted() where !Self.isAccepted(name) {
            throw ConfigException(
                "Unknown worker property '\(name)'. Distributed worker properties are Apache Kafka's names (see connect-distributed.properties); client settings for the worker's own Kafka clients go under 'producer.', 'consumer.' or 'admin.', converter settings under 'key.converter.', 'value.converter.' or 'header.converter.'.",
                name: name)
        }
        let parsed = try Self.configDef.parse(properties)
        self.originals = properties
        self.parsed = parsed

        bootstrapServers = try parsed.list("bootstrap.servers")
        if bootstrapServers.isEmpty {
            throw ConfigException(name: "bootstrap.servers", value: "", reason: "at least one host:port is needed")
        }
        groupId = try parsed.string("group.id")
        sessionTimeoutMs = try parsed.int("session.timeout.ms")
        heartbeatIntervalMs = try parsed.int("heartbeat.interval.ms")
        rebalanceTimeoutMs = try parsed.int("rebalance.timeout.ms")
        let protocolName = try parsed.string("connect.protocol")
        guard let connectProtocol = ConnectProtocolCompatibility(configValue: protocolName) else {
            throw ConfigException(name: "connect.protocol", value: protocolName, reason: "must be one of eager, compatible, sessioned")
        }
        self.connectProtocol = connectProtocol
        scheduledRebalanceMaxDelayMs = try parsed.int("scheduled.rebalance.max.delay.ms")
        workerSyncTimeoutMs = try parsed.int("worker.sync.timeout.ms")
        workerUnsyncBackoffMs = try parsed.int("worker.unsync.backoff.ms")
        clientId = try parsed.string("client.id")

        configStorageTopic = try parsed.string("config.storage.topic")
        configStorageReplicationFactor = try parsed.short("config.storage.replication.factor")
        offsetStorageTopic = try parsed.string("offset.storage.topic")
        offsetStoragePartitions = try parsed.int("offset.storage.partitions")
        offsetStorageReplicationFactor = try parsed.short("offset.storage.replication.factor")
        statusStorageTopic = try parsed.string("status.storage.topic")
        statusStoragePartitions = try parsed.int("status.storage.partitions")
        statusStorageReplicationFactor = try parsed.short("status.storage.replication.factor")
        let topics = [
            ("config.storage.topic", configStorageTopic),
            ("offset.storage.topic", offsetStorageTopic),
            ("status.storage.topic", statusStorageTopic),
        ]
        for (i, (nameA, topicA)) in topics.enumerated() {
            for (nameB, topicB) in topics[(i + 1)...] where topicA == topicB {
                throw ConfigException(
                    "Topic '\(topicA)' specified in both \(nameA) and \(nameB): the three internal topics must be different",
                    name: nameB)
            }
        }

        keyConverter = try parsed.className("key.converter")
        valueConverter = try parsed.className("value.converter")
        headerConverter = try parsed.className("header.converter")

        offsetFlushIntervalMs = try parsed.long("offset.flush.interval.ms")
        offsetFlushTimeoutMs = try parsed.long("offset.flush.timeout.ms")
        taskShutdownGracefulTimeoutMs = try parsed.long("task.shutdown.graceful.timeout.ms")

        listeners = try parsed.list("listeners")
        for listener in listeners where !listener.lowercased().hasPrefix("http://") {
            throw ConfigException(
                name: "listeners", value: listener,
                reason: listener.lowercased().hasPrefix("https://")
                    ? "https listeners are not supported by this runtime yet; use http://"
                    : "a listener must look like http://host:port")
        }
        restAdvertisedHostName = parsed.value("rest.advertised.host.name").flatMap { if case .string(let s) = $0 { s } else { nil } }
        restAdvertisedPort = parsed.value("rest.advertised.port").flatMap { if case .int(let p) = $0 { p } else { nil } }
        restAdvertisedListener = parsed.value("rest.advertised.listener").flatMap { if case .string(let s) = $0 { s } else { nil } }

        interWorkerKeyGenerationAlgorithm = try parsed.string("inter.worker.key.generation.algorithm")
        interWorkerKeySize = parsed.value("inter.worker.key.size").flatMap { if case .int(let s) = $0 { s } else { nil } }
        interWorkerKeyTTLMs = try parsed.int("inter.worker.key.ttl.ms")
        if let size = interWorkerKeySize, let algorithm = MACAlgorithm(javaName: interWorkerKeyGenerationAlgorithm),
           size < algorithm.minimumKeySizeBits {
            throw ConfigException(
                "Unable to create key generator with algorithm \(interWorkerKeyGenerationAlgorithm) and key size \(size): Key length must be at least \(algorithm.minimumKeySizeBits) bits",
                name: "inter.worker.key.size")
        }
        interWorkerSignatureAlgorithm = try parsed.string("inter.worker.signature.algorithm")
        interWorkerVerificationAlgorithms = try parsed.list("inter.worker.verification.algorithms")
        // Apache compares the names verbatim here (the JCA lookups are case-insensitive).
        if !interWorkerVerificationAlgorithms.contains(interWorkerSignatureAlgorithm) {
            throw ConfigException(
                name: "inter.worker.signature.algorithm", value: interWorkerSignatureAlgorithm,
                reason: "Signature algorithm must be present in inter.worker.verification.algorithms list")
        }

        topicTrackingEnable = try parsed.bool("topic.tracking.enable")
        topicTrackingAllowReset = try parsed.bool("topic.tracking.allow.reset")
        topicCreationEnable = try parsed.bool("topic.creation.enable")

        let policyName = try parsed.string("connector.client.config.override.policy")
        guard let policy = ConnectorClientConfigOverridePolicy(configValue: policyName) else {
            throw ConfigException(name: "connector.client.config.override.policy", value: policyName, reason: "must be " + Self.overridePoliciesDescription)
        }
        connectorClientConfigOverridePolicy = policy

        // Accepted for compatibility, but only with the values that ask for nothing this
        // runtime cannot do: anything else would be silently ignored.
        for (name, reason) in Self.unsupportedUnlessEmpty {
            switch parsed.value(name) {
            case .string(let value)? where !value.trimmingCharacters(in: .whitespaces).isEmpty:
                throw ConfigException(name: name, value: value, reason: reason)
            case .list(let values)? where !values.isEmpty:
                throw ConfigException(name: name, value: JavaCompat.listString(values), reason: reason)
            default:
                continue
            }
        }

        let exactlyOnce = try parsed.string("exactly.once.source.support")
        if exactlyOnce.lowercased() != "disabled" {
            throw ConfigException(
                name: "exactly.once.source.support", value: exactlyOnce,
                reason: "exactly-once source support is not available in this runtime yet; use 'disabled'")
        }
    }

    /// Worker properties that configure the worker's own Kafka clients (internal topics and
    /// the tasks' producers and consumers): the connection and security settings a user set.
    public var clientProperties: [String: String] {
        var result: [String: String] = ["bootstrap.servers": bootstrapServers.joined(separator: ",")]
        for (name, value) in originals where Self.clientPropertyNames.contains(name)
            || name.hasPrefix("ssl.") || name.hasPrefix("sasl.") {
            result[name] = value
        }
        return result
    }

    /// ``clientProperties`` plus the worker's `producer.`/`consumer.`/`admin.` overrides.
    public func clientProperties(prefix: String) -> [String: String] {
        clientProperties.merging(ParsedConfig.entriesWithPrefix(originals, prefix)) { _, override in override }
    }

    /// Properties this runtime accepts only empty, and why.
    static let unsupportedUnlessEmpty: [(String, String)] = [
        ("config.providers", "config providers (${provider:path:key} references in configs) are not supported by this runtime; put the values in the configs"),
        ("rest.extension.classes", "REST extensions cannot be loaded by this runtime"),
        ("metric.reporters", "metrics reporters cannot be loaded by this runtime"),
        ("access.control.allow.origin", "cross-origin (CORS) responses are not supported by this runtime's REST server"),
        ("access.control.allow.methods", "cross-origin (CORS) responses are not supported by this runtime's REST server"),
        ("response.http.headers.config", "custom REST response headers are not supported by this runtime's REST server"),
    ]

    /// `connector.client.config.override.policy`: an alias or a class name of Apache's policies.
    private static let overridePoliciesDescription =
        "All, None or Principal (or their class names, e.g. org.apache.kafka.connect.connector.policy.AllConnectorClientConfigOverridePolicy)"
    private static let overridePolicies = ConfigValidator(description: overridePoliciesDescription) { name, value throws(ConfigException) in
        guard case .string(let policy)? = value else {
            throw ConfigException(name: name, value: nil, reason: "Value must be non-null")
        }
        guard ConnectorClientConfigOverridePolicy(configValue: policy) != nil else {
            throw ConfigException(name: name, value: policy, reason: "must be " + overridePoliciesDescription)
        }
    }

    static let clientPropertyNames: Set<String> = ["security.protocol", "client.dns.lookup"]

    /// Prefixes under which any property is accepted (passed to clients or converters).
    static let acceptedPrefixes = [
        "producer.", "consumer.", "admin.", "key.converter.", "value.converter.", "header.converter.",
        "config.providers.", "metrics.context.", "listeners.https.", "admin.listeners.https.",
    ]

    static func isAccepted(_ name: String) -> Bool {
        configDef[name] != nil || acceptedPrefixes.contains { name.hasPrefix($0) }
    }

    /// Every distributed-worker property with Apache's type, default and documentation.
    public static let configDef: ConfigDef = ConfigDef()
        .define("bootstrap.servers", .list, defaultValue: .list(["localhost:9092"]), importance: .high,
                documentation: "host:port pairs used to connect to the Kafka cluster.")
        .define("client.dns.lookup", .string, defaultValue: .string("use_all_dns_ips"),
                validator: .in("use_all_dns_ips", "resolve_canonical_bootstrap_servers_only"), importance: .medium,
                documentation: "How the client uses DNS lookups.")
        .define("group.id", .string, importance: .high,
                documentation: "Unique string that identifies the Connect cluster group this worker belongs to.")
        .define("session.timeout.ms", .int, defaultValue: .int(10_000), importance: .high,
                documentation: "Timeout used to detect worker failures.")
        .define("heartbeat.interval.ms", .int, defaultValue: .int(3_000), importance: .high,
                documentation: "Expected time between heartbeats to the group coordinator.")
        .define("rebalance.timeout.ms", .int, defaultValue: .int(60_000), importance: .high,
                documentation: "Maximum time each worker may take to join the group once a rebalance begins.")
        .define("connect.protocol", .string, defaultValue: .string("sessioned"),
                validator: .in("eager", "compatible", "sessioned"), importance: .low,
                documentation: "Compatibility mode for Kafka Connect protocol.")
        .define("scheduled.rebalance.max.delay.ms", .int, defaultValue: .int(300_000), validator: .between(0, Int(Int32.max)),
                importance: .low,
                documentation: "Maximum delay scheduled to wait for departed workers to return before their work is rebalanced.")
        .define("worker.sync.timeout.ms", .int, defaultValue: .int(3_000), importance: .medium,
                documentation: "How long a worker waits to catch up with the config topic before giving up its work and rejoining.")
        .define("worker.unsync.backoff.ms", .int, defaultValue: .int(300_000), importance: .medium,
                documentation: "How long a worker that could not catch up waits before rejoining.")
        .define("client.id", .string, defaultValue: .string(""), importance: .low,
                documentation: "An id string passed to the server when making requests.")
        .define("metadata.max.age.ms", .long, defaultValue: .long(300_000), validator: .atLeast(0), importance: .low,
                documentation: "Period after which metadata is refreshed.")
        .define("request.timeout.ms", .int, defaultValue: .int(40_000), validator: .atLeast(0), importance: .medium,
                documentation: "Maximum time the client waits for the response of a request.")
        .define("retry.backoff.ms", .long, defaultValue: .long(100), validator: .atLeast(0), importance: .low,
                documentation: "Time to wait before retrying a failed request.")
        .define("retry.backoff.max.ms", .long, defaultValue: .long(1_000), validator: .atLeast(0), importance: .low,
                documentation: "Maximum time to wait when retrying a request that repeatedly failed.")
        .define("reconnect.backoff.ms", .long, defaultValue: .long(50), validator: .atLeast(0), importance: .low,
                documentation: "Base time to wait before reconnecting to a host.")
        .define("reconnect.backoff.max.ms", .long, defaultValue: .long(1_000), validator: .atLeast(0), importance: .low,
                documentation: "Maximum time to wait before reconnecting to a host.")
        .define("socket.connection.setup.timeout.ms", .long, defaultValue: .long(10_000), importance: .medium,
                documentation: "Time the client waits for a socket connection to be established.")
        .define("socket.connection.setup.timeout.max.ms", .long, defaultValue: .long(30_000), importance: .medium,
                documentation: "Maximum time the client waits for a socket connection to be established.")
        .define("connections.max.idle.ms", .long, defaultValue: .long(540_000), importance: .medium,
                documentation: "Close idle connections after this many milliseconds.")
        .define("send.buffer.bytes", .int, defaultValue: .int(131_072), validator: .atLeast(-1), importance: .medium,
                documentation: "Size of the TCP send buffer (-1: OS default).")
        .define("receive.buffer.bytes", .int, defaultValue: .int(32_768), validator: .atLeast(-1), importance: .medium,
                documentation: "Size of the TCP receive buffer (-1: OS default).")
        .define("security.protocol", .string, defaultValue: .string("PLAINTEXT"),
                validator: .caseInsensitiveIn("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"), importance: .medium,
                documentation: "Protocol used to communicate with brokers.")
        .define("config.storage.topic", .string, validator: .nonEmptyString, importance: .high,
                documentation: "The name of the Kafka topic where connector configurations are stored.")
        .define("config.storage.replication.factor", .short, defaultValue: .short(3), validator: replicationFactor, importance: .low,
                documentation: "Replication factor used when creating the configuration storage topic (-1: broker default).")
        .define("offset.storage.topic", .string, validator: .nonEmptyString, importance: .high,
                documentation: "The name of the Kafka topic where source connector offsets are stored.")
        .define("offset.storage.partitions", .int, defaultValue: .int(25), validator: partitionCount, importance: .low,
                documentation: "The number of partitions used when creating the offset storage topic (-1: broker default).")
        .define("offset.storage.replication.factor", .short, defaultValue: .short(3), validator: replicationFactor, importance: .low,
                documentation: "Replication factor used when creating the offset storage topic (-1: broker default).")
        .define("status.storage.topic", .string, validator: .nonEmptyString, importance: .high,
                documentation: "The name of the Kafka topic where connector and task status are stored.")
        .define("status.storage.partitions", .int, defaultValue: .int(5), validator: partitionCount, importance: .low,
                documentation: "The number of partitions used when creating the status storage topic (-1: broker default).")
        .define("status.storage.replication.factor", .short, defaultValue: .short(3), validator: replicationFactor, importance: .low,
                documentation: "Replication factor used when creating the status storage topic (-1: broker default).")
        .define("key.converter", .class, importance: .high,
                documentation: "Converter class for record keys, e.g. org.apache.kafka.connect.json.JsonConverter.")
        .define("value.converter", .class, importance: .high,
                documentation: "Converter class for record values.")
        .define("header.converter", .class, defaultValue: .class("org.apache.kafka.connect.storage.SimpleHeaderConverter"),
                importance: .low, documentation: "Converter class for header values.")
        .define("task.shutdown.graceful.timeout.ms", .long, defaultValue: .long(5_000), validator: .atLeast(0), importance: .low,
                documentation: "Time to wait for tasks to shut down gracefully.")
        .define("offset.flush.interval.ms", .long, defaultValue: .long(60_000), validator: .atLeast(0), importance: .low,
                documentation: "Interval at which to try committing offsets for tasks.")
        .define("offset.flush.timeout.ms", .long, defaultValue: .long(5_000), validator: .atLeast(0), importance: .low,
                documentation: "Maximum time to wait for records to flush and offsets to be committed before cancelling the flush.")
        .define("listeners", .list, defaultValue: .list(["http://:8083"]), importance: .low,
                documentation: "Comma-separated URIs the REST API listens on, e.g. http://myhost:8083.")
        .define("rest.advertised.host.name", .string, defaultValue: .null, importance: .low,
                documentation: "Host name given to other workers to connect to.")
        .define("rest.advertised.port", .int, defaultValue: .null, importance: .low,
                documentation: "Port given to other workers to connect to.")
        .define("rest.advertised.listener", .string, defaultValue: .null, importance: .low,
                documentation: "Listener protocol (http) given to other workers.")
        .define("access.control.allow.origin", .string, defaultValue: .string(""), importance: .low,
                documentation: "Value of the Access-Control-Allow-Origin header of REST responses.")
        .define("access.control.allow.methods", .string, defaultValue: .string(""), importance: .low,
                documentation: "Methods allowed for cross-origin requests.")
        .define("admin.listeners", .list, defaultValue: .null, importance: .low,
                documentation: "Listeners of the admin REST endpoints; the regular listeners when unset.")
        .define("response.http.headers.config", .string, defaultValue: .string(""), importance: .low,
                documentation: "Rules for REST API HTTP response headers.")
        .define("rest.extension.classes", .list, defaultValue: .list([]), importance: .low,
                documentation: "REST extensions to load; must be empty (none can be loaded in this runtime).")
        .define("plugin.path", .list, defaultValue: .null, importance: .low,
                documentation: "Accepted for compatibility; plugins are compiled into this runtime.")
        .define("plugin.discovery", .string, defaultValue: .string("hybrid_warn"),
                validator: .caseInsensitiveIn("only_scan", "hybrid_warn", "hybrid_fail", "service_load"), importance: .low,
                documentation: "Accepted for compatibility; plugins are compiled into this runtime.")
        .define("config.providers", .list, defaultValue: .list([]), importance: .low,
                documentation: "Names of ConfigProviders; must be empty (config providers are not supported).")
        .define("connector.client.config.override.policy", .string, defaultValue: .string("All"),
                validator: overridePolicies, importance: .medium,
                documentation: "Which client configurations connectors may override with producer.override.*, consumer.override.* and admin.override.*: All, None or Principal (only sasl.jaas.config, sasl.mechanism, security.protocol).")
        .define("metrics.sample.window.ms", .long, defaultValue: .long(30_000), validator: .atLeast(0), importance: .low,
                documentation: "The window of time a metrics sample is computed over.")
        .define("metrics.num.samples", .int, defaultValue: .int(2), validator: .atLeast(1), importance: .low,
                documentation: "The number of samples maintained to compute metrics.")
        .define("metrics.recording.level", .string, defaultValue: .string("INFO"), validator: .in("INFO", "DEBUG"), importance: .low,
                documentation: "The highest recording level for metrics.")
        .define("metric.reporters", .list, defaultValue: .list([]), importance: .low,
                documentation: "Metrics reporter classes; must be empty (none can be loaded in this runtime).")
        .define("auto.include.jmx.reporter", .boolean, defaultValue: .boolean(true), importance: .low,
                documentation: "Deprecated; there is no JMX here.")
        .define("topic.tracking.enable", .boolean, defaultValue: .boolean(true), importance: .low,
                documentation: "Enable tracking the set of active topics per connector.")
        .define("topic.tracking.allow.reset", .boolean, defaultValue: .boolean(true), importance: .low,
                documentation: "Allow resetting the set of active topics per connector.")
        .define("topic.creation.enable", .boolean, defaultValue: .boolean(true), importance: .low,
                documentation: "Whether source connectors may have the worker create their topics.")
        .define("inter.worker.key.generation.algorithm", .string, defaultValue: .string("HmacSHA256"),
                validator: macAlgorithm(kind: "KeyGenerator"), importance: .low,
                documentation: "Algorithm used to generate keys for inter-worker request signing.")
        .define("inter.worker.key.size", .int, defaultValue: .null, importance: .low,
                documentation: "Size in bits of the inter-worker signing key (the algorithm's default when unset: 256 for HmacSHA256, 384 for HmacSHA384, 512 for HmacSHA512, HmacSHA1 and HmacMD5).")
        .define("inter.worker.key.ttl.ms", .int, defaultValue: .int(3_600_000), validator: .between(0, Int(Int32.max)),
                importance: .low, documentation: "Time to live of the inter-worker signing key.")
        .define("inter.worker.signature.algorithm", .string, defaultValue: .string("HmacSHA256"),
                validator: macAlgorithm(kind: "Mac"), importance: .low,
                documentation: "Algorithm used to sign inter-worker requests.")
        .define("inter.worker.verification.algorithms", .list, defaultValue: .list(["HmacSHA256"]),
                validator: macAlgorithms, importance: .low,
                documentation: "Algorithms permitted to verify inter-worker requests.")
        .define("exactly.once.source.support", .string, defaultValue: .string("disabled"),
                validator: .caseInsensitiveIn("disabled", "enabled", "preparing"), importance: .high,
                documentation: "Whether to enable exactly-once support for source connectors.")
        .withClientSslSupport()
        .withClientSaslSupport()

    /// One of the HMAC algorithms this runtime computes (Apache: any `Mac` or `KeyGenerator`
    /// algorithm of the JVM), with Apache's wording.
    private static func macAlgorithm(kind: String) -> ConfigValidator {
        ConfigValidator(description: "Any \(kind) algorithm supported by this runtime: " + MACAlgorithm.javaNames.joined(separator: ", ")) {
            name, value throws(ConfigException) in
            guard case .string(let algorithm)? = value else {
                throw ConfigException(name: name, value: nil, reason: "Value must be non-null")
            }
            try checkMACAlgorithm(name, algorithm)
        }
    }

    /// A non-empty list of supported HMAC algorithms (`inter.worker.verification.algorithms`).
    private static let macAlgorithms = ConfigValidator(
        description: "A list of one or more MAC algorithms, each supported by this runtime: " + MACAlgorithm.javaNames.joined(separator: ", ")
    ) { name, value throws(ConfigException) in
        guard case .list(let algorithms)? = value, !algorithms.isEmpty else {
            throw ConfigException(name: name, value: "[]", reason: "At least one signature verification algorithm must be provided")
        }
        for algorithm in algorithms { try checkMACAlgorithm(name, algorithm) }
    }

    private static func checkMACAlgorithm(_ name: String, _ algorithm: String) throws(ConfigException) {
        guard MACAlgorithm(javaName: algorithm) != nil else {
            throw ConfigException(
                name: name, value: algorithm,
                reason: "the algorithm is not supported by this runtime; the supported algorithms are: [\(MACAlgorithm.javaNames.joined(separator: ", "))]")
        }
    }

    /// The session-key size in bits: `inter.worker.key.size`, or the JVM's default for the
    /// key generation algorithm.
    public var interWorkerKeySizeBits: Int32 {
        interWorkerKeySize ?? MACAlgorithm(javaName: interWorkerKeyGenerationAlgorithm)?.defaultKeySizeBits ?? 256
    }

    private static let replicationFactor = ConfigValidator(description: "Positive number not larger than the number of brokers in the Kafka cluster, or -1 to use the broker's default") {
        name, value throws(ConfigException) in
        if case .short(let factor)? = value, factor < 1, factor != -1 {
            throw ConfigException(name: name, value: String(factor), reason: "Replication factor must be positive and not larger than the number of brokers in the Kafka cluster, or -1 to use the broker's default")
        }
    }

    private static let partitionCount = ConfigValidator(description: "Positive number, or -1 to use the broker's default") {
        name, value throws(ConfigException) in
        if case .int(let count)? = value, count < 1, count != -1 {
            throw ConfigException(name: name, value: String(count), reason: "Number of partitions must be positive, or -1 to use the broker's default")
        }
    }
}
