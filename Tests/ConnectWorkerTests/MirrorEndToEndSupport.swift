import Foundation
import Kafka
import KafkaTestSupport
import MirrorClient
import Testing

// Harness for the MirrorMaker 2 end-to-end tests: two noida-db clusters ("primary" and
// "backup") and `connect-worker` processes, with the three MM2 connectors submitted as
// connector JSON through REST, as an Apache Kafka user would.

let mirrorSourceClass = "org.apache.kafka.connect.mirror.MirrorSourceConnector"
let mirrorCheckpointClass = "org.apache.kafka.connect.mirror.MirrorCheckpointConnector"
let mirrorHeartbeatClass = "org.apache.kafka.connect.mirror.MirrorHeartbeatConnector"
let byteArrayConverterClass = "org.apache.kafka.connect.converters.ByteArrayConverter"

/// Two clusters with their MM2 aliases.
struct MirrorClusters: Sendable {
    let primary: KafkaTestCluster
    let backup: KafkaTestCluster

    func cluster(_ alias: String) -> KafkaTestCluster { alias == "primary" ? primary : backup }
}

/// The worker groups of a two-cluster test. A Connect worker writes its source records to its
/// own cluster, so (as with Apache Kafka) a flow into `backup` runs on `backup`'s workers and
/// a flow into `primary` on `primary`'s.
struct MirrorWorkers: Sendable {
    let backup: WorkerGroup
    let primary: WorkerGroup
}

/// Runs `body` with two fresh brokers and a worker group on each.
func withMirrorWorkers<T>(_ body: (MirrorClusters, MirrorWorkers) async throws -> T) async throws -> T {
    try await withKafkaTestClusters(count: 2) { clusters in
        let mirror = MirrorClusters(primary: clusters[0], backup: clusters[1])
        return try await withWorkerGroup(on: mirror.backup) { backup in
            try await withWorkerGroup(on: mirror.primary) { primary in
                try await body(mirror, MirrorWorkers(backup: backup, primary: primary))
            }
        }
    }
}

/// The connector JSON of one MM2 connector for the flow `source -> target`, with intervals short
/// enough for tests and replication factors a one-broker cluster accepts.
func mirrorConfig(
    _ connectorClass: String, from source: String, to target: String, clusters: MirrorClusters,
    extra: [String: String] = [:]
) -> [String: String] {
    var config = [
        "connector.class": connectorClass,
        "source.cluster.alias": source,
        "target.cluster.alias": target,
        "source.cluster.bootstrap.servers": clusters.cluster(source).bootstrapServers,
        "target.cluster.bootstrap.servers": clusters.cluster(target).bootstrapServers,
        "key.converter": byteArrayConverterClass,
        "value.converter": byteArrayConverterClass,
        "header.converter": byteArrayConverterClass,
        "tasks.max": "2",
    ]
    switch connectorClass {
    case mirrorSourceClass:
        config.merge([
            "replication.factor": "1",
            "offset-syncs.topic.replication.factor": "1",
            "refresh.topics.interval.seconds": "2",
            "sync.topic.configs.interval.seconds": "2",
        ]) { $1 }
    case mirrorCheckpointClass:
        config.merge([
            "checkpoints.topic.replication.factor": "1",
            "refresh.groups.interval.seconds": "2",
            "emit.checkpoints.interval.seconds": "1",
        ]) { $1 }
    case mirrorHeartbeatClass:
        config.merge([
            "heartbeats.topic.replication.factor": "1",
            "emit.heartbeats.interval.seconds": "1",
        ]) { $1 }
    default:
        break
    }
    config.merge(extra) { $1 }
    return config
}

/// Creates `name` from `config` and waits until the connector and `tasks` tasks run.
func startConnector(_ worker: WorkerProcess, _ name: String, _ config: [String: String], tasks: Int? = nil) async throws {
    let response = try await worker.createConnector(name, config: config)
    guard response.status == 201 else { throw EndToEndError("creating \(name) answered \(response)") }
    try await worker.waitForStatus(name, timeout: .seconds(60), "connector and tasks RUNNING") { status in
        guard status.state == "RUNNING", !status.tasks.isEmpty else { return false }
        if let tasks, status.tasks.count != tasks { return false }
        return status.tasks.allSatisfy { $0.state == "RUNNING" }
    }
}

/// A record as the tests compare it on both sides.
struct MirroredRecord: Hashable, CustomStringConvertible {
    var partition: Int32
    var key: [UInt8]?
    var value: [UInt8]?
    var headers: [KafkaHeader]
    var timestamp: Int64

    init(_ record: ConsumerRecord) {
        partition = record.partition
        key = record.key
        value = record.value
        headers = record.headers
        timestamp = record.timestamp
    }

    var description: String {
        "p\(partition) \(key.map { String(decoding: $0, as: UTF8.self) } ?? "null")="
            + "\(value.map { String(decoding: $0, as: UTF8.self) } ?? "null") @\(timestamp) headers=\(headers.map(\.key))"
    }
}

/// Produces `records` and waits for every acknowledgement.
func produce(_ cluster: KafkaTestCluster, _ records: [ProducerRecord]) async throws {
    let producer = try KafkaProducer(configuration: ["bootstrap.servers": cluster.bootstrapServers, "linger.ms": "5"])
    do {
        try await withThrowingTaskGroup(of: RecordMetadata.self) { group in
            for record in records { group.addTask { try await producer.send(record) } }
            try await group.waitForAll()
        }
    } catch {
        await producer.close()
        throw error
    }
    await producer.close()
}

/// `count` records for `topic` spread over `partitions`, with keys, values `<prefix>-<i>`, two
/// headers (one null) and distinct timestamps in the recent past.
func sampleRecords(_ topic: String, prefix: String, count: Int, partitions: Int32, firstPartition: Int32 = 0) -> [ProducerRecord] {
    let base = Int64(Date().timeIntervalSince1970 * 1000) - 60_000
    return (0..<count).map { i in
        ProducerRecord(
            topic: topic, partition: firstPartition + Int32(i) % partitions,
            key: Array("key-\(i % 7)".utf8), value: Array("\(prefix)-\(i)".utf8),
            headers: [KafkaHeader(key: "trace", value: Array("t\(i)".utf8)), KafkaHeader(key: "empty", value: nil)],
            timestamp: base + Int64(i))
    }
}

/// Waits until `topic` exists on `cluster` and holds at least `count` records.
func waitForRecords(_ cluster: KafkaTestCluster, _ topic: String, atLeast count: Int64, timeout: Duration = .seconds(60)) async throws {
    try await eventually("\(topic) holds \(count) records", timeout: timeout, interval: .milliseconds(500)) {
        let seen = try await recordCount(cluster, topic)
        return seen >= count ? .done(()) : .notYet("\(seen) records")
    }
}

/// The names of the topics on `cluster`.
func topicNames(_ cluster: KafkaTestCluster) async throws -> Set<String> {
    let admin = try KafkaAdminClient(configuration: ["bootstrap.servers": cluster.bootstrapServers])
    let topics = try await admin.describeTopics(timeout: .seconds(10))
    await admin.close()
    return Set(topics.map(\.name))
}

/// The partition count of `topic` on `cluster`, or nil when it does not exist.
func partitionCount(_ cluster: KafkaTestCluster, _ topic: String) async throws -> Int? {
    let admin = try KafkaAdminClient(configuration: ["bootstrap.servers": cluster.bootstrapServers])
    let topics = try await admin.describeTopics(timeout: .seconds(10))
    await admin.close()
    return topics.first { $0.name == topic }?.partitions.count
}

/// The value of topic config `name` of `topic` on `cluster`.
func topicConfig(_ cluster: KafkaTestCluster, _ topic: String, _ name: String) async throws -> String? {
    let admin = try KafkaAdminClient(configuration: ["bootstrap.servers": cluster.bootstrapServers])
    let resource = ConfigResource(type: .topic, name: topic)
    let entries = try await admin.describeConfigs([resource], timeout: .seconds(10))
    await admin.close()
    return entries[resource]?.first { $0.name == name }?.value
}

/// Commits `offsets` for `group` on `cluster` without joining the group.
func commitGroupOffsets(_ cluster: KafkaTestCluster, group: String, _ offsets: [TopicPartition: Int64]) async throws {
    let admin = try KafkaAdminClient(configuration: ["bootstrap.servers": cluster.bootstrapServers])
    do {
        try await admin.alterConsumerGroupOffsets(
            group, offsets: offsets.mapValues { OffsetAndMetadata(offset: $0) }, timeout: .seconds(10))
    } catch {
        await admin.close()
        throw error
    }
    await admin.close()
}

/// The committed offsets of `group` on `cluster`.
func groupOffsets(_ cluster: KafkaTestCluster, group: String) async throws -> [TopicPartition: Int64] {
    let admin = try KafkaAdminClient(configuration: ["bootstrap.servers": cluster.bootstrapServers])
    do {
        let offsets = try await admin.listConsumerGroupOffsets(group, timeout: .seconds(10))
        await admin.close()
        return offsets.mapValues(\.offset)
    } catch {
        await admin.close()
        throw error
    }
}

/// Every checkpoint on `topic` of `cluster`, decoded, newest last.
func readCheckpoints(_ cluster: KafkaTestCluster, _ topic: String) async throws -> [Checkpoint] {
    try await readTopic(cluster, topic).map { record in
        try Checkpoint.decode(key: record.key ?? [], value: record.value ?? [])
    }
}

/// The source offsets MirrorSourceConnector `connector` committed, as the worker group keeps
/// them in `offsetsTopic` on `cluster`: key `["<connector>",{"cluster","partition","topic"}]`,
/// value `{"offset":<last replicated source offset>}`; the newest record per key wins.
func committedMirrorSourceOffsets(
    _ cluster: KafkaTestCluster, offsetsTopic: String, connector: String
) async throws -> [TopicPartition: Int64] {
    var offsets: [TopicPartition: Int64] = [:]
    for record in try await readTopic(cluster, offsetsTopic).sorted(by: { ($0.partition, $0.offset) < ($1.partition, $1.offset) }) {
        guard let key = record.key,
              let parts = try? JSONSerialization.jsonObject(with: Data(key)) as? [Any], parts.count == 2,
              parts[0] as? String == connector, let partition = parts[1] as? [String: Any],
              let topic = partition["topic"] as? String, let number = partition["partition"] as? Int else { continue }
        let topicPartition = TopicPartition(topic: topic, partition: Int32(number))
        guard let value = record.value,
              let offset = (try? JSONSerialization.jsonObject(with: Data(value)) as? [String: Any])?["offset"] as? NSNumber else {
            offsets[topicPartition] = nil
            continue
        }
        offsets[topicPartition] = offset.int64Value
    }
    return offsets
}
