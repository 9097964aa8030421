import ConnectAPI
import Testing
@testable import ConnectRuntime

@Suite struct DistributedConfigTests {
    static let minimal: [String: String] = [
        "group.id": "connect-cluster",
        "config.storage.topic": "connect-configs",
        "offset.storage.topic": "connect-offsets",
        "status.storage.topic": "connect-status",
        "key.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
    ]

    @Test func apacheDefaultsApply() throws {
        let config = try DistributedConfig(Self.minimal)
        #expect(config.bootstrapServers == ["localhost:9092"])
        #expect(config.connectProtocol == .sessioned)
        #expect(config.sessionTimeoutMs == 10_000)
        #expect(config.heartbeatIntervalMs == 3_000)
        #expect(config.rebalanceTimeoutMs == 60_000)
        #expect(config.scheduledRebalanceMaxDelayMs == 300_000)
        #expect(config.offsetStoragePartitions == 25)
        #expect(config.statusStoragePartitions == 5)
        #expect(config.configStorageReplicationFactor == 3)
        #expect(config.offsetFlushIntervalMs == 60_000)
        #expect(config.taskShutdownGracefulTimeoutMs == 5_000)
        #expect(config.listeners == ["http://:8083"])
        #expect(config.headerConverter == "org.apache.kafka.connect.storage.SimpleHeaderConverter")
        #expect(config.interWorkerKeyTTLMs == 3_600_000)
    }

    @Test func prefixedClientAndConverterSettingsAreAccepted() throws {
        var properties = Self.minimal
        properties["producer.linger.ms"] = "5"
        properties["key.converter.schemas.enable"] = "false"
        properties["security.protocol"] = "PLAINTEXT"
        let config = try DistributedConfig(properties)
        #expect(config.clientProperties(prefix: "producer.")["linger.ms"] == "5")
        #expect(config.clientProperties["security.protocol"] == "PLAINTEXT")
        #expect(config.clientProperties["key.converter.schemas.enable"] == nil)
    }

    @Test(arguments: [
        (["offset.storage.topic": nil as String?], "offset.storage.topic"),
        (["bogus.property": "1"], "Unknown worker property 'bogus.property'"),
        (["connect.protocol": "fancy"], "connect.protocol"),
        (["session.timeout.ms": "ten"], "session.timeout.ms"),
        (["config.storage.replication.factor": "0"], "Replication factor must be positive"),
        (["offset.storage.partitions": "-5"], "Number of partitions must be positive"),
        (["listeners": "https://:8443"], "https listeners are not supported"),
        (["status.storage.topic": "connect-configs"], "specified in both config.storage.topic and status.storage.topic"),
        (["exactly.once.source.support": "enabled"], "exactly-once source support is not available"),
        (["inter.worker.signature.algorithm": "HmacSHA3-256", "inter.worker.verification.algorithms": "HmacSHA3-256"],
         "Invalid value HmacSHA3-256 for configuration inter.worker.signature.algorithm: the algorithm is not supported by this runtime; the supported algorithms are: [HmacMD5, HmacSHA1, HmacSHA256, HmacSHA384, HmacSHA512]"),
        (["inter.worker.key.generation.algorithm": "HmacSHA224"],
         "Invalid value HmacSHA224 for configuration inter.worker.key.generation.algorithm: the algorithm is not supported"),
        (["inter.worker.verification.algorithms": "HmacSHA256,Bogus"],
         "Invalid value Bogus for configuration inter.worker.verification.algorithms: the algorithm is not supported"),
        (["inter.worker.verification.algorithms": ""],
         "inter.worker.verification.algorithms: At least one signature verification algorithm must be provided"),
        (["inter.worker.signature.algorithm": "HmacSHA512"],
         "Invalid value HmacSHA512 for configuration inter.worker.signature.algorithm: Signature algorithm must be present in inter.worker.verification.algorithms list"),
        (["inter.worker.key.size": "32"], "Key length must be at least 40 bits"),
        // Accepted names whose non-default values this runtime cannot honour.
        (["config.providers": "file"],
         "Invalid value [file] for configuration config.providers: config providers (${provider:path:key} references in configs) are not supported by this runtime"),
        (["rest.extension.classes": "com.example.AuthExtension"], "rest.extension.classes: REST extensions cannot be loaded by this runtime"),
        (["metric.reporters": "com.example.Reporter"], "metric.reporters: metrics reporters cannot be loaded by this runtime"),
        (["access.control.allow.origin": "*"], "access.control.allow.origin: cross-origin (CORS) responses are not supported"),
        (["access.control.allow.methods": "GET,PUT"], "access.control.allow.methods: cross-origin (CORS) responses are not supported"),
        (["response.http.headers.config": "add X-Frame-Options: DENY"],
         "response.http.headers.config: custom REST response headers are not supported"),
    ])
    func invalidPropertiesAreRefusedWithTheReason(_ change: [String: String?], _ expected: String) {
        var properties = Self.minimal
        for (key, value) in change { properties[key] = value }
        #expect {
            try DistributedConfig(properties)
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    /// Every HMAC swift-crypto computes is accepted, as Apache accepts every one its JVM has;
    /// the session key gets the JVM's default size for the algorithm.
    @Test(arguments: [
        ("HmacSHA1", Int32(512)), ("HmacSHA256", 256), ("HmacSHA384", 384), ("HmacSHA512", 512), ("HmacMD5", 512),
        ("hmacsha512", 512),
    ])
    func everySupportedSigningAlgorithmIsAccepted(_ algorithm: String, _ keyBits: Int32) throws {
        var properties = Self.minimal
        properties["inter.worker.key.generation.algorithm"] = algorithm
        properties["inter.worker.signature.algorithm"] = algorithm
        properties["inter.worker.verification.algorithms"] = "HmacSHA256, \(algorithm)"
        let config = try DistributedConfig(properties)
        #expect(config.interWorkerKeyGenerationAlgorithm == algorithm)
        #expect(config.interWorkerSignatureAlgorithm == algorithm)
        #expect(config.interWorkerVerificationAlgorithms == ["HmacSHA256", algorithm])
        #expect(config.interWorkerKeySizeBits == keyBits)

        // What the worker signs with, another worker with that algorithm allowed verifies.
        let key = [UInt8](repeating: 7, count: Int(keyBits / 8))
        let body = Array(#"[{"k":"v"}]"#.utf8)
        let headers = try InternalRequestSignature.headers(body: body, key: key, algorithm: config.interWorkerSignatureAlgorithm)
        let signature = try #require(try InternalRequestSignature(
            signatureHeader: headers[InternalRequestSignature.signatureHeader],
            algorithmHeader: headers[InternalRequestSignature.algorithmHeader], body: body))
        try InternalRequestSignature.verify(signature, verificationAlgorithms: config.interWorkerVerificationAlgorithms, sessionKey: key)
        #expect(throws: ConnectRestError.invalidSignature) {
            try InternalRequestSignature.verify(
                signature, verificationAlgorithms: config.interWorkerVerificationAlgorithms, sessionKey: key.map { $0 ^ 1 })
        }
    }

    /// Their defaults (empty) are fine, also written out; settings under `config.providers.`
    /// mean nothing without a provider and are accepted, as Apache accepts them.
    @Test func unsupportedFeaturesLeftEmptyAreAccepted() throws {
        var properties = Self.minimal
        for name in ["config.providers", "rest.extension.classes", "metric.reporters", "access.control.allow.origin",
                     "access.control.allow.methods", "response.http.headers.config"] {
            properties[name] = ""
        }
        properties["config.providers.file.class"] = "org.apache.kafka.common.config.provider.FileConfigProvider"
        _ = try DistributedConfig(properties)
    }

    @Test func anExplicitKeySizeWins() throws {
        var properties = Self.minimal
        properties["inter.worker.key.size"] = "128"
        #expect(try DistributedConfig(properties).interWorkerKeySizeBits == 128)
    }
}
