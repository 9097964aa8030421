import ConnectAPI
import ConnectKafka
import Foundation
import Kafka
import KafkaProtocol
import KafkaTestSupport
import MirrorSourceConnector
import Synchronization

/// Clients on one test cluster.
struct MirrorSourceClients {
    let bootstrapServers: String

    var base: KafkaConfiguration { ["bootstrap.servers": bootstrapServers, "default.api.timeout.ms": "15000"] }

    func admin() throws -> KafkaAdminClient { try KafkaAdminClient(configuration: base) }
    func producer(_ extra: [String: String] = [:]) throws -> KafkaProducer {
        try KafkaProducer(configuration: base.merging(["linger.ms": "5"]).merging(extra))
    }
    func consumer() throws -> KafkaConsumer { try KafkaConsumer(configuration: base) }

    func createTopic(_ name: String, partitions: Int32, configs: [String: String] = [:]) async throws {
        let admin = try admin()
        let failures = try await admin.createTopics([NewTopic(name: name, numPartitions: partitions, replicationFactor: 1, configs: configs)])
        await admin.close()
        if let failure = failures[name] { throw failure }
    }

    /// The topic's partition count, or nil when it does not exist.
    func partitionCount(_ topic: String) async throws -> Int? {
        let admin = try admin()
        do {
            let topics = try await admin.describeTopics(nil)
            await admin.close()
            return topics.first { $0.name == topic }?.partitionCount
        } catch {
            await admin.close()
            throw error
        }
    }

    func dynamicConfig(_ topic: String) async throws -> [String: String] {
        let admin = try admin()
        let configs = try await admin.describeConfigs([.topic(topic)])
        await admin.close()
        var result: [String: String] = [:]
        for entry in configs[.topic(topic)] ?? [] where entry.source == .dynamicTopicConfig {
            result[entry.name] = entry.value
        }
        return result
    }

    /// Produces `records` and waits for every acknowledgement.
    func produce(_ records: [ProducerRecord]) async throws {
        let producer = try producer()
        let failure = Mutex<KafkaError?>(nil)
        for record in records {
            while true {
                do {
                    try producer.send(record) { result in
                        if case .failure(let error) = result { failure.withLock { $0 = $0 ?? error } }
                    }
                    break
                } catch let error as KafkaError where error.code == .queueFull {
                    try await Task.sleep(for: .milliseconds(2))
                }
            }
        }
        try await producer.flush(timeout: .seconds(60))
        await producer.close()
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// The sum of the high watermarks of `partitions` of `topic`.
    func endOffsetSum(_ topic: String, partitions: Int32) async throws -> Int64 {
        let consumer = try consumer()
        var sum: Int64 = 0
        do {
            for partition in 0..<partitions {
                sum += try await consumer.watermarks(TopicPartition(topic: topic, partition: partition)).high
            }
        } catch {
            await consumer.close()
            throw error
        }
        await consumer.close()
        return sum
    }

    /// Reads `partitions` of `topic` from the beginning until `count` records arrived.
    func readAll(_ topic: String, partitions: Int32, count: Int, timeout: Duration = .seconds(30)) async throws -> [ConsumerRecord] {
        let consumer = try consumer()
        var assignment: [TopicPartition: KafkaOffset] = [:]
        for partition in 0..<partitions { assignment[TopicPartition(topic: topic, partition: partition)] = .beginning }
        try await consumer.assign(assignment)
        var records: [ConsumerRecord] = []
        let deadline = ContinuousClock.now + timeout
        while records.count < count, ContinuousClock.now < deadline {
            records += try await consumer.poll(timeout: .milliseconds(200))
        }
        await consumer.close()
        return records
    }
}

/// Connector properties for a `primary -> backup` flow between two test clusters.
func mirrorSourceProps(source: KafkaTestCluster, target: KafkaTestCluster, _ extra: [String: String] = [:]) -> [String: String] {
    var props = [
        "name": "mirror-source",
        "connector.class": MirrorSourceConnector.className,
        "source.cluster.alias": "primary",
        "target.cluster.alias": "backup",
        "source.cluster.bootstrap.servers": source.bootstrapServers,
        "target.cluster.bootstrap.servers": target.bootstrapServers,
        "replication.factor": "1",
        "offset-syncs.topic.replication.factor": "1",
        "admin.timeout.ms": "15000",
        "refresh.topics.enabled": "false",
        "sync.topic.configs.enabled": "false",
        "sync.topic.acls.enabled": "false",
        "consumer.poll.timeout.ms": "200",
    ]
    props.merge(extra) { $1 }
    return props
}

/// Counts the connector's calls back into the runtime.
final class MirrorSourceTestConnectorContext: ConnectorContext {
    private let state = Mutex<(reconfigurations: Int, errors: [String])>((0, []))

    var reconfigurations: Int { state.withLock { $0.reconfigurations } }
    var errors: [String] { state.withLock { $0.errors } }

    func requestTaskReconfiguration() { state.withLock { $0.reconfigurations += 1 } }
    func raiseError(_ error: any Error) { state.withLock { $0.errors.append("\(error)") } }
}

/// Source offsets kept in memory, as Connect's offset store would after a flush.
final class MirrorSourceTestOffsets: OffsetStorageReader {
    private let stored = Mutex<[SourcePartition: SourceOffset]>([:])

    func offsets(for partitions: [SourcePartition]) async throws -> [SourcePartition: SourceOffset] {
        stored.withLock { stored in stored.filter { partitions.contains($0.key) } }
    }

    func store(_ partition: SourcePartition, _ offset: SourceOffset) {
        stored.withLock { $0[partition] = offset }
    }

    var all: [SourcePartition: SourceOffset] { stored.withLock { $0 } }
}

struct MirrorSourceTestTaskContext: SourceTaskContext {
    var configs: [String: String]
    var offsetStorageReader: any OffsetStorageReader
}

/// Drives a source task the way the runtime's WorkerSourceTask does: poll, send every record
/// with a producer on the target without waiting, hand acknowledged records to `commitRecord`
/// in acknowledgement order, store their source offsets, and call `commit()` at the end. In
/// ``Mode/copies`` it takes the worker's copy path instead: `pollCopies`, the producer's copy
/// sends, `commitCopies`, and source offsets from `sourceOffset(lane:offset:)`.
final class MirrorSourceTestDriver: Sendable {
    enum Mode: Sendable, CaseIterable { case records, copies }

    let task: MirrorSourceTask
    let producer: KafkaProducer
    let offsets: MirrorSourceTestOffsets
    let mode: Mode
    private let acknowledged = Mutex<(records: [(SourceRecord, SourceRecordMetadata)], failure: KafkaError?)>(([], nil))
    /// The copy path's sends by tag (lane, source offset), and its acknowledgements.
    private let copies = Mutex<(inFlight: [UInt64: (lane: Int, offset: Int64)], acknowledged: [KafkaCopyAcknowledgement], nextTag: UInt64)>(([:], [], 0))
    /// Time spent inside the task's `poll`.
    let pollTime = Mutex<Duration>(.zero)

    init(task: MirrorSourceTask, target: MirrorSourceClients, offsets: MirrorSourceTestOffsets, mode: Mode = .records) throws {
        self.task = task
        self.offsets = offsets
        self.mode = mode
        producer = try target.producer(["linger.ms": "5"])
        producer.setDeliveryHandler { [weak self] deliveries in self?.recordCopyDeliveries(deliveries) }
    }

    private func recordCopyDeliveries(_ deliveries: [Delivery]) {
        copies.withLock { state in
            for delivery in deliveries {
                guard let sent = state.inFlight.removeValue(forKey: delivery.tag) else { continue }
                if let error = delivery.error {
                    acknowledged.withLock { $0.failure = $0.failure ?? error }
                    continue
                }
                state.acknowledged.append(KafkaCopyAcknowledgement(lane: sent.lane, sourceOffset: sent.offset, targetOffset: delivery.offset))
            }
        }
    }

    /// One poll and its sends, then the acknowledgements so far; returns how many records the
    /// poll returned.
    @discardableResult
    func step() async throws -> Int {
        if mode == .copies { return try await stepCopies() }
        let started = ContinuousClock.now
        let records = try await task.poll()
        let elapsed = ContinuousClock.now - started
        pollTime.withLock { $0 += elapsed }
        for record in records {
            let producerRecord = ProducerRecord(
                topic: record.topic, partition: record.kafkaPartition, key: record.key.bytesValue, value: record.value.bytesValue,
                headers: record.headers.map { KafkaHeader(key: $0.key, value: $0.value.bytesValue) }, timestamp: record.timestamp)
            while true {
                do {
                    try producer.send(producerRecord) { result in
                        self.acknowledged.withLock { state in
                            switch result {
                            case .success(let metadata):
                                state.records.append((record, SourceRecordMetadata(
                                    topic: metadata.topic, partition: metadata.partition, offset: metadata.offset,
                                    timestamp: metadata.timestamp)))
                            case .failure(let error):
                                state.failure = state.failure ?? error
                            }
                        }
                    }
                    break
                } catch let error as KafkaError where error.code == .queueFull {
                    try await deliverAcknowledgements()
                    try await Task.sleep(for: .milliseconds(1))
                }
            }
        }
        try await deliverAcknowledgements()
        return records.count
    }

    private func stepCopies() async throws -> Int {
        let started = ContinuousClock.now
        let batch = try await task.pollCopies()
        pollTime.withLock { $0 += ContinuousClock.now - started }
        let lanes = task.copyLanes
        for (run, lane) in zip(batch.records.runs, batch.lanes) {
            var next = run.range.lowerBound
            while next < run.range.upperBound {
                let firstTag = copies.withLock { state in
                    let first = state.nextTag
                    for index in next..<run.range.upperBound {
                        state.inFlight[first + UInt64(index - next)] = (lane, batch.records.offset(at: index))
                    }
                    return first
                }
                let (queued, error) = producer.send(copiesOf: batch.records, next..<run.range.upperBound, to: lanes[lane].targetTopic, firstTag: firstTag)
                copies.withLock { state in
                    state.nextTag = firstTag + UInt64(queued)
                    for index in (next + queued)..<run.range.upperBound { state.inFlight[firstTag + UInt64(index - next)] = nil }
                }
                next += queued
                if let error {
                    guard error.code == .queueFull else { throw error }
                    try await deliverAcknowledgements()
                    try await Task.sleep(for: .milliseconds(1))
                }
            }
        }
        try await deliverAcknowledgements()
        return batch.records.count
    }

    /// Steps until `count` records were polled, waits for their acknowledgements and commits;
    /// fails after `timeout`.
    func replicate(_ count: Int, timeout: Duration = .seconds(60)) async throws {
        var done = 0
        let deadline = ContinuousClock.now + timeout
        while done < count {
            guard ContinuousClock.now < deadline else {
                throw MirrorSourceTestError("replicated \(done) of \(count) records before the timeout")
            }
            done += try await step()
        }
        try await producer.flush(timeout: .seconds(60))
        try await deliverAcknowledgements()
        try await task.commit()
    }

    func close() async {
        await producer.close()
    }

    private func deliverAcknowledgements() async throws {
        let acknowledgedCopies = copies.withLock { state in
            defer { state.acknowledged.removeAll(keepingCapacity: true) }
            return state.acknowledged
        }
        if !acknowledgedCopies.isEmpty {
            try await task.commitCopies(acknowledgedCopies)
            let lanes = task.copyLanes
            for copy in acknowledgedCopies {
                offsets.store(lanes[copy.lane].sourcePartition, task.sourceOffset(lane: copy.lane, offset: copy.sourceOffset))
            }
        }
        let (records, failure) = acknowledged.withLock { state in
            defer { state.records.removeAll(keepingCapacity: true) }
            return (state.records, state.failure)
        }
        if let failure { throw failure }
        var latest: [SourcePartition: SourceOffset] = [:]
        for (record, metadata) in records {
            try await task.commitRecord(record, metadata: metadata)
            if let partition = record.sourcePartition, let offset = record.sourceOffset {
                latest[partition] = offset
            }
        }
        for (partition, offset) in latest { offsets.store(partition, offset) }
    }
}

struct MirrorSourceTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Waits until `condition` holds, checking every 100 ms, or fails after `timeout`.
func mirrorSourceEventually(
    _ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw MirrorSourceTestError("timed out waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(100))
    }
}

func mirrorSourceBytes(_ text: String) -> [UInt8] { Array(text.utf8) }
