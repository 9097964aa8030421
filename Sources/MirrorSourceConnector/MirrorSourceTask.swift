import ConnectAPI
import ConnectKafka
import Kafka
import KafkaProtocol
import Logging
import MirrorClient
import MirrorCommon
import Synchronization

/// Replicates a set of source partitions, like Apache Kafka's `MirrorSourceTask`: an assign-only
/// consumer on the source cluster (resuming after the offsets Connect stored) turns each record
/// into a ``SourceRecord`` for the remote topic, same partition, key, value, headers and
/// timestamp; acknowledged records feed the ``OffsetSyncWriter``.
///
/// As a ``KafkaCopySourceTask`` it also hands the worker the consumed records themselves, one
/// lane per assigned partition, so that a worker with byte-array converters copies them
/// without building a ``SourceRecord`` for each.
public final class MirrorSourceTask: KafkaCopySourceTask {
    public static let className = "org.apache.kafka.connect.mirror.MirrorSourceTask"
    /// The slice a poll waits in one go, so that cancellation is noticed promptly.
    static let pollSlice: Duration = .milliseconds(100)

    /// Everything a started task owns.
    struct Running: Sendable {
        let consumer: KafkaConsumer
        let offsetSyncProducer: KafkaProducer?
        let offsetSyncWriter: OffsetSyncWriter?
        let converter: RecordConverter
        let pollTimeout: Duration
        let partitions: [TopicPartition]
        /// One per partition, in the order of `partitions`.
        let lanes: [KafkaCopyLane]
        let laneIndex: [TopicPartition: Int]
    }

    enum State: Sendable {
        case created
        case running(Running)
        case stopped
    }

    private let logger: Logger
    private let state = Mutex(State.created)
    private let stopping = Atomic<Bool>(false)

    public required convenience init() {
        self.init(logger: Logger(label: "MirrorSourceTask"))
    }

    public init(logger: Logger) {
        self.logger = logger
    }

    public var version: String { MirrorPlugin.version }

    /// The partitions this task replicates (empty before `start`).
    public var assignedPartitions: [TopicPartition] {
        state.withLock { if case .running(let running) = $0 { running.partitions } else { [] } }
    }

    /// The offset-sync writer (nil before `start` or with `emit.offset-syncs.enabled=false`).
    public var offsetSyncWriter: OffsetSyncWriter? {
        state.withLock { if case .running(let running) = $0 { running.offsetSyncWriter } else { nil } }
    }

    public func start(_ props: [String: String], context: any SourceTaskContext) async throws {
        let config: MirrorSourceConfig
        do {
            config = try MirrorSourceConfig(props)
        } catch {
            throw ConnectError("Invalid MirrorSourceTask configuration: \(error)", underlying: error)
        }
        let partitions = try MirrorSourceConfig.taskTopicPartitions(props)
        let policy = try config.common.replicationPolicy()
        let sourceAlias = config.common.sourceClusterAlias

        var producer: KafkaProducer?
        var writer: OffsetSyncWriter?
        if config.emitOffsetSyncsEnabled {
            let syncProducer = try KafkaProducer(
                configuration: KafkaConfiguration(config.offsetSyncsTopicProducerConfig), logger: logger)
            let topic = config.offsetSyncsTopic(policy: policy)
            writer = OffsetSyncWriter(maxOffsetLag: config.offsetLagMax, sender: Self.offsetSyncSender(
                producer: syncProducer, topic: topic, logger: logger))
            producer = syncProducer
        }

        let consumerConfig = config.common.sourceConsumerConfig(role: "replication-consumer")
        let consumer: KafkaConsumer
        do {
            consumer = try KafkaConsumer(configuration: KafkaConfiguration(consumerConfig), logger: logger)
        } catch {
            await producer?.close()
            throw error
        }
        do {
            try await Self.initializeConsumer(
                consumer, partitions: partitions, sourceClusterAlias: sourceAlias,
                startWithoutOffset: Self.startPosition(consumerConfig), reader: context.offsetStorageReader, logger: logger)
        } catch {
            await consumer.close()
            await producer?.close()
            throw error
        }

        let lanes = partitions.map { partition in
            KafkaCopyLane(
                sourcePartition: MirrorSourceOffsets.wrapPartition(partition, sourceClusterAlias: sourceAlias),
                targetTopic: policy.formatRemoteTopic(sourceClusterAlias: sourceAlias, topic: partition.topic))
        }
        let running = Running(
            consumer: consumer, offsetSyncProducer: producer, offsetSyncWriter: writer,
            converter: RecordConverter(sourceClusterAlias: sourceAlias, policy: policy),
            pollTimeout: config.consumerPollTimeout, partitions: partitions, lanes: lanes,
            laneIndex: Dictionary(partitions.enumerated().map { ($1, $0) }) { first, _ in first })
        let accepted = state.withLock { state -> Bool in
            guard case .created = state else { return false }
            state = .running(running)
            return true
        }
        guard accepted else {
            await consumer.close()
            await producer?.close()
            throw ConnectError("MirrorSourceTask was started twice or after stop")
        }
        logger.info("Replicating topic-partitions", metadata: [
            "source": "\(sourceAlias)", "target": "\(config.common.targetClusterAlias)",
            "partitions": "\(partitions.map(MirrorSourceConfig.encodeTopicPartition).joined(separator: ","))",
        ])
    }

    public func poll() async throws -> [SourceRecord] {
        guard let (running, batch) = try await pollConsumer() else { return [] }
        return running.converter.convert(batch.records())
    }

    public var copyLanes: [KafkaCopyLane] {
        state.withLock { if case .running(let running) = $0 { running.lanes } else { [] } }
    }

    public func pollCopies() async throws -> KafkaCopyBatch {
        guard let (running, batch) = try await pollConsumer() else {
            return KafkaCopyBatch(records: ConsumedBatch.empty, lanes: [])
        }
        let lanes = try batch.runs.map { run in
            guard let lane = running.laneIndex[run.topicPartition] else {
                throw ConnectError("Consumed a record of \(run.topicPartition), which is not assigned to this task")
            }
            return lane
        }
        return KafkaCopyBatch(records: batch, lanes: lanes)
    }

    public func sourceOffset(lane: Int, offset: Int64) -> SourceOffset {
        MirrorSourceOffsets.wrapOffset(offset)
    }

    /// Waits up to `consumer.poll.timeout.ms` for records; `nil` when none came, the task is
    /// stopping, or the poll failed (logged, as Apache does).
    private func pollConsumer() async throws -> (Running, ConsumedBatch)? {
        guard !stopping.load(ordering: .relaxed),
              case .running(let running) = state.withLock({ $0 }) else { return nil }
        let deadline = ContinuousClock.now + running.pollTimeout
        while !Task.isCancelled && !stopping.load(ordering: .relaxed) {
            let slice = min(Self.pollSlice, max(.zero, deadline - .now))
            let batch: ConsumedBatch
            do {
                batch = try await running.consumer.pollBatch(timeout: slice)
            } catch let error as KafkaError where error.code == .clientClosed {
                return nil
            } catch let error as KafkaError where !error.isFatal {
                // Like Apache: a Kafka error during poll is logged and the poll returns nothing.
                logger.warning("Failure during poll", metadata: ["error": "\(error)"])
                return nil
            }
            if !batch.isEmpty { return (running, batch) }
            if ContinuousClock.now >= deadline { break }
        }
        return nil
    }

    public func commit() async throws {
        guard let writer = offsetSyncWriter else { return }
        writer.promoteDelayedOffsetSyncs()
        writer.firePendingOffsetSyncs()
    }

    public func commitRecord(_ record: SourceRecord, metadata: SourceRecordMetadata?) async throws {
        try await commitRecords([AcknowledgedSourceRecord(record: record, metadata: metadata)])
    }

    /// Feeds the offset-sync writer with what was replicated (upstream offset → downstream
    /// offset), a batch at a time; the source partition is decoded once per run of records from
    /// one partition.
    public func commitRecords(_ records: [AcknowledgedSourceRecord]) async throws {
        guard !stopping.load(ordering: .relaxed), let writer = offsetSyncWriter else { return }
        var replicated: [OffsetSync] = []
        replicated.reserveCapacity(records.count)
        var lastSourcePartition: SourcePartition?
        var lastTopicPartition: TopicPartition?
        for acknowledged in records {
            let record = acknowledged.record
            guard let metadata = acknowledged.metadata else {
                logger.debug("No record metadata (filtered by a transformation?): cannot sync offsets", metadata: ["topic": "\(record.topic)"])
                continue
            }
            guard metadata.hasOffset else {
                logger.error("Record metadata has no offset: cannot sync offsets", metadata: ["topic": "\(record.topic)"])
                continue
            }
            guard record.sourcePartition != nil else { continue }
            // Records come in runs per partition: the partition is copied and decoded once per run.
            if lastSourcePartition != record.sourcePartition {
                lastSourcePartition = record.sourcePartition
                lastTopicPartition = lastSourcePartition.flatMap(MirrorSourceOffsets.unwrapPartition)
            }
            guard let topicPartition = lastTopicPartition else { continue }
            replicated.append(OffsetSync(
                topicPartition: topicPartition, upstreamOffset: MirrorSourceOffsets.unwrapOffset(record.sourceOffset),
                downstreamOffset: metadata.offset))
        }
        if !replicated.isEmpty, writer.maybeQueueOffsetSyncs(replicated) {
            writer.firePendingOffsetSyncs()
        }
    }

    /// ``commitRecords(_:)`` for the copy path.
    public func commitCopies(_ acknowledged: [KafkaCopyAcknowledgement]) async throws {
        guard !stopping.load(ordering: .relaxed), case .running(let running) = state.withLock({ $0 }),
              let writer = running.offsetSyncWriter else { return }
        var replicated: [OffsetSync] = []
        replicated.reserveCapacity(acknowledged.count)
        for copy in acknowledged {
            guard copy.targetOffset >= 0 else {
                logger.error("Record metadata has no offset: cannot sync offsets", metadata: ["topic": "\(running.lanes[copy.lane].targetTopic)"])
                continue
            }
            replicated.append(OffsetSync(
                topicPartition: running.partitions[copy.lane], upstreamOffset: copy.sourceOffset, downstreamOffset: copy.targetOffset))
        }
        if !replicated.isEmpty, writer.maybeQueueOffsetSyncs(replicated) {
            writer.firePendingOffsetSyncs()
        }
    }

    public func stop() async {
        stopping.store(true, ordering: .relaxed)
        let previous = state.withLock { state -> State in
            defer { state = .stopped }
            return state
        }
        guard case .running(let running) = previous else { return }
        await running.consumer.close()
        await running.offsetSyncProducer?.close(timeout: .seconds(5))
        logger.info("Stopped MirrorSourceTask", metadata: ["partitions": "\(running.partitions.count)"])
    }

    // MARK: Starting

    /// Where a partition without a stored offset starts: the consumer's committed offset when
    /// it has a group, otherwise `auto.offset.reset` (MirrorMaker's default is earliest).
    static func startPosition(_ consumerConfig: [String: String]) -> KafkaOffset {
        if consumerConfig["group.id"] != nil { return .committed }
        switch consumerConfig["auto.offset.reset"]?.lowercased() {
        case "latest", "largest", "end": return .end
        case "none", "error": return .committed
        default: return .beginning
        }
    }

    /// Assigns `partitions`, each at its stored offset + 1 or at `startWithoutOffset`.
    static func initializeConsumer(
        _ consumer: KafkaConsumer, partitions: [TopicPartition], sourceClusterAlias: String,
        startWithoutOffset: KafkaOffset, reader: any OffsetStorageReader, logger: Logger
    ) async throws {
        let wrapped = partitions.map { ($0, MirrorSourceOffsets.wrapPartition($0, sourceClusterAlias: sourceClusterAlias)) }
        let stored = wrapped.isEmpty ? [:] : try await reader.offsets(for: wrapped.map(\.1))
        var assignment: [TopicPartition: KafkaOffset] = [:]
        var uncommitted = 0
        for (partition, sourcePartition) in wrapped {
            let offset = MirrorSourceOffsets.unwrapOffset(stored[sourcePartition])
            if offset < 0 {
                uncommitted += 1
                assignment[partition] = startWithoutOffset
            } else {
                assignment[partition] = .offset(offset + 1)
            }
        }
        try await consumer.assign(assignment)
        logger.info("Starting with previously uncommitted partitions", metadata: [
            "uncommitted": "\(uncommitted)", "partitions": "\(partitions.count)",
        ])
    }

    /// Sends a sync to partition 0 of the offset-syncs topic; failures are logged.
    static func offsetSyncSender(producer: KafkaProducer, topic: String, logger: Logger) -> OffsetSyncWriter.Sender {
        { sync, completion in
            let key: [UInt8]
            do {
                key = try sync.encodeKey()
            } catch {
                logger.error("Cannot encode offset sync", metadata: ["sync": "\(sync)", "error": "\(error)"])
                completion()
                return
            }
            let record = ProducerRecord(topic: topic, partition: 0, key: key, value: sync.encodeValue())
            do {
                try producer.send(record) { result in
                    if case .failure(let error) = result {
                        logger.error("Failure sending offset sync", metadata: ["sync": "\(sync)", "error": "\(error)"])
                    }
                    completion()
                }
            } catch {
                logger.error("Failure sending offset sync", metadata: ["sync": "\(sync)", "error": "\(error)"])
                completion()
            }
        }
    }
}

/// Turns consumed records into source records for the remote topics. Source partitions and
/// remote topic names are computed once per partition and shared by every record.
final class RecordConverter: Sendable {
    let sourceClusterAlias: String
    let policy: any ReplicationPolicy
    private let cache = Mutex<[TopicPartition: (remoteTopic: String, sourcePartition: SourcePartition)]>([:])

    // Apache's schemas: optional bytes for keys, bytes for values; header values optional bytes.
    private let keySchema = Schema.optionalBytes
    private let valueSchema = Schema.bytes
    private let headerSchema = Schema.optionalBytes

    init(sourceClusterAlias: String, policy: any ReplicationPolicy) {
        self.sourceClusterAlias = sourceClusterAlias
        self.policy = policy
    }

    func convert(_ records: [ConsumerRecord]) -> [SourceRecord] {
        var result: [SourceRecord] = []
        result.reserveCapacity(records.count)
        cache.withLock { cache in
            var lastTopic = ""
            var lastPartition: Int32 = -1
            var remoteTopic = ""
            var sourcePartition = SourcePartition()
            for record in records {
                if record.partition != lastPartition || record.topic != lastTopic {
                    let key = TopicPartition(topic: record.topic, partition: record.partition)
                    if let cached = cache[key] {
                        (remoteTopic, sourcePartition) = cached
                    } else {
                        remoteTopic = policy.formatRemoteTopic(sourceClusterAlias: sourceClusterAlias, topic: record.topic)
                        sourcePartition = MirrorSourceOffsets.wrapPartition(key, sourceClusterAlias: sourceClusterAlias)
                        cache[key] = (remoteTopic, sourcePartition)
                    }
                    lastTopic = record.topic
                    lastPartition = record.partition
                }
                result.append(convert(record, remoteTopic: remoteTopic, sourcePartition: sourcePartition))
            }
        }
        return result
    }

    func convert(_ record: ConsumerRecord, remoteTopic: String, sourcePartition: SourcePartition) -> SourceRecord {
        let headers = record.headers.isEmpty ? ConnectHeaders() : ConnectHeaders(record.headers.map { header in
            ConnectHeader(key: header.key, schema: headerSchema, value: header.value.map(ConnectValue.bytes) ?? .null)
        })
        return SourceRecord(
            sourcePartition: sourcePartition,
            sourceOffset: MirrorSourceOffsets.wrapOffset(record.offset),
            topic: remoteTopic,
            kafkaPartition: record.partition,
            keySchema: keySchema, key: record.key.map(ConnectValue.bytes) ?? .null,
            valueSchema: valueSchema, value: record.value.map(ConnectValue.bytes) ?? .null,
            timestamp: record.timestamp >= 0 ? record.timestamp : nil,
            headers: headers)
    }
}
