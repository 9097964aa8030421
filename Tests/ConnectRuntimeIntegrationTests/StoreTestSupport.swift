import ConnectRuntime
import Foundation
import Kafka
import KafkaTestSupport
import Logging
import Synchronization
import Testing

/// Clients and helpers for the store tests, all against a fresh noida-db broker.
struct StoreTestKit {
    let cluster: KafkaTestCluster

    var clients: KafkaConfiguration {
        ["bootstrap.servers": cluster.bootstrapServers, "default.api.timeout.ms": "15000"]
    }

    var logger: Logger {
        var logger = Logger(label: "store-tests")
        logger.logLevel = .warning
        return logger
    }

    func topicAdmin() throws -> TopicAdmin {
        try TopicAdmin(configuration: clients, logger: logger)
    }

    func configStore(_ topic: String, admin: TopicAdmin) -> KafkaConfigBackingStore {
        KafkaConfigBackingStore(topic: .configTopic(topic, replicationFactor: 1), clientConfiguration: clients, topicAdmin: admin, readWriteTimeout: .seconds(20), logger: logger)
    }

    func offsetStore(_ topic: String, partitions: Int32 = 5, admin: TopicAdmin) -> KafkaOffsetBackingStore {
        KafkaOffsetBackingStore(topic: .offsetTopic(topic, partitions: partitions, replicationFactor: 1), clientConfiguration: clients, topicAdmin: admin, logger: logger)
    }

    func statusStore(_ topic: String, admin: TopicAdmin) -> KafkaStatusBackingStore {
        KafkaStatusBackingStore(topic: .statusTopic(topic, partitions: 3, replicationFactor: 1), clientConfiguration: clients, topicAdmin: admin, logger: logger)
    }

    /// Writes raw records, e.g. exactly what Apache Kafka Connect writes.
    func produce(_ topic: String, _ records: [(key: String, value: String?)]) async throws {
        let producer = try KafkaProducer(configuration: clients)
        for record in records {
            try await producer.send(ProducerRecord(topic: topic, key: Array(record.key.utf8), value: record.value.map { Array($0.utf8) }))
        }
        await producer.close()
    }

    /// Every record of `topic`, read from the beginning up to the current end.
    func readAll(_ topic: String) async throws -> [ConsumerRecord] {
        let admin = try KafkaAdminClient(configuration: clients)
        let described = try await admin.describeTopics([topic])
        await admin.close()
        let partitions = described.first?.partitions.map { TopicPartition(topic: topic, partition: $0.id) } ?? []
        let consumer = try KafkaConsumer(configuration: clients.merging(["auto.offset.reset": "earliest"]))
        var remaining: [TopicPartition: Int64] = [:]
        for partition in partitions {
            let high = try await consumer.watermarks(partition).high
            if high > 0 { remaining[partition] = high }
        }
        try await consumer.assign(Dictionary(uniqueKeysWithValues: partitions.map { ($0, KafkaOffset.beginning) }))
        var records: [ConsumerRecord] = []
        let deadline = ContinuousClock.now + .seconds(20)
        while !remaining.isEmpty, ContinuousClock.now < deadline {
            for record in try await consumer.poll(timeout: .milliseconds(100)) {
                records.append(record)
                if let end = remaining[record.topicPartition], record.offset + 1 >= end { remaining[record.topicPartition] = nil }
            }
        }
        await consumer.close()
        return records
    }

    func cleanupPolicy(_ topic: String) async throws -> String? {
        let admin = try KafkaAdminClient(configuration: clients)
        let entries = await Result(catching: { try await admin.describeConfigs([.topic(topic)])[.topic(topic)] })
        await admin.close()
        return try entries.get()?.first { $0.name == "cleanup.policy" }?.value
    }

    func partitionCount(_ topic: String) async throws -> Int {
        let admin = try KafkaAdminClient(configuration: clients)
        let described = await Result(catching: { try await admin.describeTopics([topic]) })
        await admin.close()
        return try described.get().first?.partitionCount ?? 0
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

func uniqueName(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())" }

func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

/// Records every listener call, in order.
final class RecordingListener: ConfigUpdateListener {
    enum Event: Hashable, Sendable {
        case connectorUpdate(String)
        case connectorRemove(String)
        case taskUpdate([ConnectorTaskId])
        case targetState(String)
        case sessionKey(SessionKey)
        case restart(String, RestartRequestRecord)
        case loggerLevel(String, String)
    }

    private let recorded = Mutex<[Event]>([])

    var events: [Event] { recorded.withLock { $0 } }

    func take() -> [Event] { recorded.withLock { events in defer { events = [] }; return events } }

    func onConnectorConfigUpdate(_ connector: String) { append(.connectorUpdate(connector)) }
    func onConnectorConfigRemove(_ connector: String) { append(.connectorRemove(connector)) }
    func onTaskConfigUpdate(_ tasks: [ConnectorTaskId]) { append(.taskUpdate(tasks)) }
    func onConnectorTargetStateChange(_ connector: String) { append(.targetState(connector)) }
    func onSessionKeyUpdate(_ sessionKey: SessionKey) { append(.sessionKey(sessionKey)) }
    func onRestartRequest(_ connector: String, _ request: RestartRequestRecord) { append(.restart(connector, request)) }
    func onLoggerLevelUpdate(namespace: String, level: String) { append(.loggerLevel(namespace, level)) }

    private func append(_ event: Event) { recorded.withLock { $0.append(event) } }
}

func task(_ connector: String, _ number: Int32) -> ConnectorTaskId {
    // Test names are valid; a failure here is a test bug.
    try! ConnectorTaskId(connector: connector, task: number)
}

/// Java's `Utils.murmur2`, which Kafka's default partitioner applies to keyed records.
func javaMurmur2(_ data: [UInt8]) -> Int32 {
    let m: UInt32 = 0x5bd1_e995
    let length = data.count
    var h: UInt32 = 0x9747_b28c ^ UInt32(truncatingIfNeeded: length)
    for block in 0..<(length / 4) {
        let i = block * 4
        var k = UInt32(data[i]) | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2]) << 16 | UInt32(data[i + 3]) << 24
        k = k &* m
        k ^= k >> 24
        k = k &* m
        h = h &* m
        h ^= k
    }
    let tail = length & ~3
    switch length % 4 {
    case 3:
        h ^= UInt32(data[tail + 2]) << 16
        h ^= UInt32(data[tail + 1]) << 8
        h ^= UInt32(data[tail])
        h = h &* m
    case 2:
        h ^= UInt32(data[tail + 1]) << 8
        h ^= UInt32(data[tail])
        h = h &* m
    case 1:
        h ^= UInt32(data[tail])
        h = h &* m
    default:
        break
    }
    h ^= h >> 13
    h = h &* m
    h ^= h >> 15
    return Int32(bitPattern: h)
}

/// The partition Java's default partitioner picks for a keyed record.
func javaPartition(key: [UInt8], partitions: Int32) -> Int32 {
    (javaMurmur2(key) & 0x7fff_ffff) % partitions
}
