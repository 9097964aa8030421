import ConnectAPI
import Kafka
import KafkaProtocol
import KafkaTestSupport
import Logging
import MirrorClient
import Synchronization
import Testing

/// Helpers for driving the checkpoint and heartbeat connectors against two real clusters:
/// `primary` (source) and `backup` (target).
struct MirrorTestKit {
    let source: KafkaTestCluster
    let target: KafkaTestCluster

    static var logger: Logger {
        var logger = Logger(label: "mirror-integration")
        logger.logLevel = .warning
        return logger
    }

    func clients(_ cluster: KafkaTestCluster) -> [String: String] {
        ["bootstrap.servers": cluster.bootstrapServers, "default.api.timeout.ms": "15000"]
    }

    /// Connector properties for the flow primary->backup, with short intervals.
    func connectorProps(_ extra: [String: String] = [:]) -> [String: String] {
        var props = [
            "name": "checkpoints",
            "connector.class": "org.apache.kafka.connect.mirror.MirrorCheckpointConnector",
            "source.cluster.alias": "primary",
            "target.cluster.alias": "backup",
            "source.cluster.bootstrap.servers": source.bootstrapServers,
            "target.cluster.bootstrap.servers": target.bootstrapServers,
            "checkpoints.topic.replication.factor": "1",
            "heartbeats.topic.replication.factor": "1",
            "emit.checkpoints.interval.seconds": "1",
            "refresh.groups.interval.seconds": "1",
            "emit.heartbeats.interval.seconds": "1",
        ]
        props.merge(extra) { $1 }
        return props
    }

    func admin(_ cluster: KafkaTestCluster) throws -> KafkaAdminClient {
        try KafkaAdminClient(configuration: KafkaConfiguration(clients(cluster)), logger: Self.logger)
    }

    func createTopics(_ cluster: KafkaTestCluster, _ topics: [NewTopic]) async throws {
        let admin = try admin(cluster)
        let failures = await Result { try await admin.createTopics(topics, timeout: .seconds(15)) }
        await admin.close()
        let errors = try failures.get()
        #expect(errors.isEmpty, "create topics: \(errors)")
    }

    func produce(_ cluster: KafkaTestCluster, _ records: [ProducerRecord]) async throws {
        let producer = try KafkaProducer(configuration: KafkaConfiguration(clients(cluster)), logger: Self.logger)
        let result = await Result {
            for record in records { _ = try await producer.send(record) }
        }
        await producer.close()
        try result.get()
    }

    /// Writes offset syncs to the offset-syncs topic on the source cluster, as MirrorSourceTask would.
    func writeOffsetSyncs(_ syncs: [OffsetSync], topic: String = "mm2-offset-syncs.backup.internal") async throws {
        try await produce(source, syncs.map { sync in
            ProducerRecord(topic: topic, partition: 0, key: try! sync.encodeKey(), value: sync.encodeValue())
        })
    }

    /// Writes what a source task returned, as the worker would (bytes, partition, timestamp).
    func deliver(_ records: [SourceRecord], to cluster: KafkaTestCluster) async throws {
        try await produce(cluster, records.map { record in
            guard case .bytes(let key) = record.key, case .bytes(let value) = record.value else {
                Issue.record("record is not bytes: \(record)")
                return ProducerRecord(topic: record.topic, key: nil, value: nil)
            }
            return ProducerRecord(topic: record.topic, partition: record.kafkaPartition, key: key, value: value, timestamp: record.timestamp)
        })
    }

    func commit(_ cluster: KafkaTestCluster, group: String, _ offsets: [TopicPartition: Int64]) async throws {
        let admin = try admin(cluster)
        let result = await Result {
            try await admin.alterConsumerGroupOffsets(group, offsets: offsets.mapValues { OffsetAndMetadata(offset: $0) }, timeout: .seconds(15))
        }
        await admin.close()
        try result.get()
    }

    func committed(_ cluster: KafkaTestCluster, group: String) async throws -> [TopicPartition: Int64] {
        let admin = try admin(cluster)
        let result = await Result { try await admin.listConsumerGroupOffsets(group, timeout: .seconds(15)) }
        await admin.close()
        return try result.get().mapValues(\.offset)
    }

    /// Every record of partition 0 of `topic`.
    func readAll(_ cluster: KafkaTestCluster, _ topic: String) async throws -> [ConsumerRecord] {
        let reader = try PartitionLogReader(partition: TopicPartition(topic: topic, partition: 0), consumerProperties: clients(cluster), logger: Self.logger)
        let result = await Result { try await reader.readToEnd(timeout: .seconds(15)) }
        await reader.close()
        let batch = try result.get()
        #expect(batch.reachedEnd)
        return batch.records
    }

    func topicDescription(_ cluster: KafkaTestCluster, _ topic: String) async throws -> (partitions: Int, cleanupPolicy: String?) {
        let admin = try admin(cluster)
        let result = await Result { () async throws -> (Int, String?) in
            let described = try await admin.describeTopics([topic], timeout: .seconds(15))
            let configs = try await admin.describeConfigs([.topic(topic)], timeout: .seconds(15))
            return (described.first?.partitionCount ?? 0, configs[.topic(topic)]?.first { $0.name == "cleanup.policy" }?.value)
        }
        await admin.close()
        return try result.get()
    }

    /// Polls `condition` until it holds or `timeout` passes.
    func eventually(_ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("timed out waiting for \(what)")
        throw TimedOut(what: what)
    }

    struct TimedOut: Error { var what: String }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

/// Counts reconfiguration requests and keeps raised errors.
final class TestConnectorContext: ConnectorContext {
    let reconfigurations = Mutex(0)
    let errors = Mutex<[String]>([])

    func requestTaskReconfiguration() { reconfigurations.withLock { $0 += 1 } }
    func raiseError(_ error: any Error) { errors.withLock { $0.append("\(error)") } }
}

/// A task context without stored offsets (the MM2 checkpoint and heartbeat tasks never read them).
struct TestSourceTaskContext: SourceTaskContext {
    var configs: [String: String]
    var offsetStorageReader: any OffsetStorageReader { NoOffsets() }

    struct NoOffsets: OffsetStorageReader {
        func offsets(for partitions: [SourcePartition]) async throws -> [SourcePartition: SourceOffset] { [:] }
    }
}

/// Runs a connector's `run()` for the duration of `body`, then cancels it and stops the connector.
func withRunningConnector<C: Connector, T>(_ connector: C, props: [String: String], context: any ConnectorContext,
                                          _ body: () async throws -> T) async throws -> T {
    try await connector.start(props, context: context)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try? await connector.run() }
        let result = await Result { try await body() }
        group.cancelAll()
        try? await group.waitForAll()
        await connector.stop()
        return try result.get()
    }
}
