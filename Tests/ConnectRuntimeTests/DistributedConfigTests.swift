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
}
