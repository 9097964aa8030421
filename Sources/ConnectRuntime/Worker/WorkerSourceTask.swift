import ConnectAPI
import ConnectKafka
import Kafka
import Logging
import Synchronization

/// Runs one ``SourceTask`` (Apache's `WorkerSourceTask`): polls it, converts its records,
/// sends them with the task's own producer, and commits source offsets every
/// `offset.flush.interval.ms` — only offsets whose record, and every record before it from the
/// same source partition, Kafka has acknowledged.
///
/// A ``KafkaCopySourceTask`` with byte-array key and value converters takes the copy path
/// instead: its consumed records go to the producer as they are (header values still through
/// the header converter), and their offsets are tracked as numbers per lane; what reaches
/// Kafka and the offsets topic is the same.
final class WorkerSourceTask: WorkerJob {
    let id: ConnectorTaskId
    let control: WatchedValue<TaskControl>
    private let task: any SourceTask
    private let taskConfig: [String: String]
    private let producer: KafkaProducer
    private let converters: TaskConverters
    private let offsetStore: any WorkerOffsetStore
    private let listener: any WorkerStatusListener
    private let flushInterval: Duration
    private let flushTimeout: Duration
    /// `topic.tracking.enable`: report the topics records were written to.
    private let tracksTopics: Bool
    /// Set for the copy path.
    private let copier: Copier?
    private let logger: Logger
    let metrics: TaskMetrics

    /// The copy path's task, and the header converter when it is not a byte-array one.
    private struct Copier: Sendable {
        let task: any KafkaCopySourceTask
        let headerConverter: (any HeaderConverter)?
    }

    /// A record sent and not yet acknowledged.
    struct InFlightRecord: Sendable {
        var record: SourceRecord
        var ticket: SourceRecordOffsets.Ticket?
        var bytes: Int
    }

    /// A copy sent and not yet acknowledged.
    struct InFlightCopy: Sendable {
        var ticket: SubmittedRecords<Int, Int64>.Ticket?
        var lane: Int
        var offset: Int64
        var bytes: Int
    }

    private struct Shared {
        var submitted = SourceRecordOffsets()
        var inFlight = InFlightRecords<InFlightRecord>()
        /// Acknowledged records waiting for the task's `commitRecords`.
        var acknowledged: [AcknowledgedSourceRecord] = []
        /// The copy path's counterparts, by lane and Kafka offset; the lanes are read once,
        /// when the task started.
        var copyLanes: [KafkaCopyLane] = []
        var copies = SubmittedRecords<Int, Int64>()
        var copiesInFlight = InFlightRecords<InFlightCopy>()
        var copiesAcknowledged: [KafkaCopyAcknowledgement] = []
        var sendFailure: KafkaError?
        /// Acknowledged records and bytes not yet added to ``metrics`` (added once per batch).
        var sentRecords = 0
        var sentBytes = 0
    }

    private let shared = Mutex(Shared())

    init(id: ConnectorTaskId, task: any SourceTask, taskConfig: [String: String], targetState: TargetState,
         producer: KafkaProducer, converters: TaskConverters, offsetStore: any WorkerOffsetStore,
         listener: any WorkerStatusListener, worker: DistributedConfig, logger: Logger) {
        self.id = id
        self.task = task
        self.taskConfig = taskConfig
        control = WatchedValue(TaskControl(target: targetState))
        self.producer = producer
        self.converters = converters
        self.offsetStore = offsetStore
        self.listener = listener
        flushInterval = .milliseconds(worker.offsetFlushIntervalMs)
        flushTimeout = .milliseconds(worker.offsetFlushTimeoutMs)
        tracksTopics = worker.topicTrackingEnable
        if let copyTask = task as? any KafkaCopySourceTask, converters.key is ByteArrayConverter,
           converters.value is ByteArrayConverter {
            copier = Copier(task: copyTask, headerConverter: converters.header is ByteArrayConverter ? nil : converters.header)
        } else {
            copier = nil
        }
        var logger = logger
        logger[metadataKey: "task"] = "\(id)"
        self.logger = logger
        metrics = TaskMetrics()
        producer.setDeliveryHandler { [weak self] deliveries in self?.recordDeliveries(deliveries) }
    }

    func execute() async {
        var started = false
        do {
            let context = Context(configs: taskConfig, offsetStorageReader: Reader(connector: id.connector, store: offsetStore))
            guard try await untilStopped({ [task, taskConfig] in try await task.start(taskConfig, context: context) }) != nil else {
                await finish(started: true)
                return
            }
            started = true
            if let copier {
                let lanes = copier.task.copyLanes
                shared.withLock { $0.copyLanes = lanes }
                logger.info("Task \(id) copies consumed Kafka records as they are (byte-array key and value converters)")
            }
            // One watcher for the task's whole run (not one per poll): a stop cancels the loop,
            // which interrupts a poll that waits; what was polled and not yet sent is simply not
            // committed, and `finish` below flushes and commits the rest outside the loop.
            _ = try await untilStopped { [self] in try await pollLoop() }
        } catch {
            logger.error("Task failed", metadata: ["error": "\(error)"])
            await finish(started: started)
            await listener.taskStateChanged(id, to: .failed, trace: statusTrace(error))
            return
        }
        await finish(started: started)
    }

    /// Polls and sends until asked to stop (or cancelled by the stop); pausing stops polling but
    /// keeps committing.
    private func pollLoop() async throws {
        var nextFlush = ContinuousClock.now + flushInterval
        var reportedState: TargetState?
        while !control.value.stopping {
            let state = control.value.target
            if state != reportedState {
                if state != .started {
                    // Paused means nothing more reaches Kafka: let what was sent land first.
                    try? await producer.flush(timeout: flushTimeout)
                    try await deliverAcknowledgements()
                }
                reportedState = state
                await listener.taskStateChanged(id, to: state == .started ? .running : .paused, trace: nil)
            }
            if state != .started {
                try await commitOffsets()
                try await control.wait { $0.target == .started || $0.stopping }
                continue
            }
            if let copier {
                if let batch = try await pollRetrying(copier.task.pollCopies) { try await sendCopies(batch, copier: copier) }
            } else {
                if let records = try await pollRetrying(task.poll) { try await send(records) }
            }
            try await deliverAcknowledgements()
            if ContinuousClock.now >= nextFlush {
                try await commitOffsets()
                nextFlush = ContinuousClock.now + flushInterval
            }
        }
    }

    /// The task's poll; `nil` after a retriable error (logged; the loop polls again).
    private func pollRetrying<T>(_ poll: () async throws -> T) async throws -> T? {
        do {
            return try await poll()
        } catch let retriable as RetriableError {
            logger.warning("Retriable error from poll, polling again", metadata: ["error": "\(retriable)"])
            return nil
        }
    }

    /// Converts and sends a batch. Each record waits in ``InFlightRecords`` under the tag it
    /// was sent with until its delivery report comes (``recordDeliveries(_:)``).
    private func send(_ records: [SourceRecord]) async throws {
        guard !records.isEmpty else { return }
        let started = ContinuousClock.now
        let producerRecords = try records.map(convert)
        // One lock for the whole batch: a failure reported since the last batch stops it, and
        // every record is registered before its send (so its delivery report finds it).
        let firstTag = try shared.withLock { state throws -> UInt64 in
            if let failure = state.sendFailure { throw failure }
            let first = state.inFlight.nextTag
            for (record, producerRecord) in zip(records, producerRecords) {
                let ticket = state.submitted.submit(partition: record.sourcePartition, offset: record.sourceOffset)
                let bytes = (producerRecord.key?.count ?? 0) + (producerRecord.value?.count ?? 0)
                state.inFlight.add(InFlightRecord(record: record, ticket: ticket, bytes: bytes))
            }
            return first
        }
        let endTag = firstTag + UInt64(producerRecords.count)
        var next = 0
        while next < producerRecords.count {
            let (queued, error) = producer.send(producerRecords[next...], firstTag: firstTag + UInt64(next))
            next += queued
            if let error { try await awaitRoom(after: error, unsent: (firstTag + UInt64(next))..<endTag) }
        }
        metrics.recordBatch(records.count, duration: ContinuousClock.now - started)
    }

    /// The copy path's ``send(_:)``: registers each record under its lane and Kafka offset,
    /// then has the producer copy each partition run to its lane's topic.
    private func sendCopies(_ batch: KafkaCopyBatch, copier: Copier) async throws {
        let records = batch.records
        guard !records.isEmpty else { return }
        let started = ContinuousClock.now
        let (firstTag, lanes) = try shared.withLock { state throws -> (UInt64, [KafkaCopyLane]) in
            if let failure = state.sendFailure { throw failure }
            guard batch.lanes.count == records.runs.count, batch.lanes.allSatisfy(state.copyLanes.indices.contains) else {
                throw ConnectError("\(id) polled \(records.runs.count) partition run(s) with lanes \(batch.lanes), but has \(state.copyLanes.count) lane(s)")
            }
            let first = state.copiesInFlight.nextTag
            for (run, lane) in zip(records.runs, batch.lanes) {
                for index in run.range {
                    let offset = records.offset(at: index)
                    let ticket = state.copies.submit(partition: lane, offset: offset)
                    state.copiesInFlight.add(InFlightCopy(ticket: ticket, lane: lane, offset: offset, bytes: records.byteCount(at: index)))
                }
            }
            return (first, state.copyLanes)
        }
        let endTag = firstTag + UInt64(records.count)
        var tag = firstTag
        for (run, lane) in zip(records.runs, batch.lanes) {
            let topic = lanes[lane].targetTopic
            let headerValues = copier.headerConverter.map { converter in
                { [id] (name: String, value: [UInt8]?) throws -> [UInt8]? in
                    do {
                        return try converter.fromConnectHeader(
                            topic: topic, headerKey: name, schema: .optionalBytes, value: value.map(ConnectValue.bytes) ?? .null)
                    } catch {
                        throw Self.conversionFailure(id, topic: topic, error)
                    }
                }
            }
            var next = run.range.lowerBound
            while next < run.range.upperBound {
                let (queued, error) = producer.send(
                    copiesOf: records, next..<run.range.upperBound, to: topic, firstTag: tag, headerValues: headerValues)
                next += queued
                tag += UInt64(queued)
                if let error { try await awaitRoom(after: error, unsent: tag..<endTag) }
            }
        }
        metrics.recordBatch(records.count, duration: ContinuousClock.now - started)
    }

    /// After a send stopped at `error`: returns once the producer may have room again when
    /// its queue was full; otherwise forgets the `unsent` records and throws.
    private func awaitRoom(after error: KafkaError, unsent: Range<UInt64>) async throws {
        guard error.code == .queueFull else {
            abandon(tags: unsent)
            throw error
        }
        if let failure = shared.withLock({ $0.sendFailure }) {
            abandon(tags: unsent)
            throw failure
        }
        do {
            // Room comes as deliveries complete.
            producer.serveDeliveryReports()
            try await Task.sleep(for: .milliseconds(1))
        } catch {
            abandon(tags: unsent)
            throw error
        }
    }

    /// Forgets records that were registered but never reached the producer (no report comes).
    private func abandon(tags: Range<UInt64>) {
        shared.withLock { state in
            for tag in tags {
                if copier != nil { _ = state.copiesInFlight.take(tag) } else { _ = state.inFlight.take(tag) }
            }
        }
    }

    /// The producer's delivery reports: acknowledged records become committable and wait for
    /// the task's `commitRecords` (or `commitCopies`); the first failure stops the task at its
    /// next batch.
    private func recordDeliveries(_ deliveries: [Delivery]) {
        shared.withLock { state in
            for delivery in deliveries {
                if copier != nil {
                    guard let entry = state.copiesInFlight.take(delivery.tag) else { continue }
                    guard delivery.error == nil else {
                        state.sendFailure = state.sendFailure ?? delivery.error
                        continue
                    }
                    if let ticket = entry.ticket { state.copies.acknowledge(ticket) }
                    state.copiesAcknowledged.append(KafkaCopyAcknowledgement(
                        lane: entry.lane, sourceOffset: entry.offset, targetOffset: delivery.offset))
                    state.sentRecords += 1
                    state.sentBytes += entry.bytes
                    continue
                }
                guard let entry = state.inFlight.take(delivery.tag) else { continue }
                guard delivery.error == nil else {
                    state.sendFailure = state.sendFailure ?? delivery.error
                    continue
                }
                if let ticket = entry.ticket { state.submitted.acknowledge(ticket) }
                let metadata = SourceRecordMetadata(
                    topic: entry.record.topic, partition: delivery.partition, offset: delivery.offset, timestamp: delivery.timestamp)
                state.acknowledged.append(AcknowledgedSourceRecord(record: entry.record, metadata: metadata))
                state.sentRecords += 1
                state.sentBytes += entry.bytes
            }
        }
    }

    private func convert(_ record: SourceRecord) throws -> ProducerRecord {
        do {
            let key = try converters.key.fromConnectData(topic: record.topic, schema: record.keySchema, value: record.key)
            let value = try converters.value.fromConnectData(topic: record.topic, schema: record.valueSchema, value: record.value)
            let headers = try record.headers.map { header in
                KafkaHeader(key: header.key, value: try converters.header.fromConnectHeader(
                    topic: record.topic, headerKey: header.key, schema: header.schema, value: header.value))
            }
            return ProducerRecord(topic: record.topic, partition: record.kafkaPartition, key: key, value: value,
                                  headers: headers, timestamp: record.timestamp)
        } catch {
            throw Self.conversionFailure(id, topic: record.topic, error)
        }
    }

    /// The error that fails the task when a converter rejects a record for `topic`.
    private static func conversionFailure(_ id: ConnectorTaskId, topic: String, _ error: any Error) -> ConnectError {
        ConnectError("Failed to convert a record of \(id) for topic \(topic): \(error)", underlying: error)
    }

    /// Hands acknowledged records to the task's `commitRecords` (or `commitCopies`), in
    /// acknowledgement order.
    private func deliverAcknowledgements() async throws {
        producer.serveDeliveryReports()
        let (acknowledged, copies, lanes, sentRecords, sentBytes) = shared.withLock { state in
            defer {
                state.acknowledged.removeAll(keepingCapacity: true)
                state.copiesAcknowledged.removeAll(keepingCapacity: true)
                state.sentRecords = 0
                state.sentBytes = 0
            }
            return (state.acknowledged, state.copiesAcknowledged, state.copyLanes, state.sentRecords, state.sentBytes)
        }
        if sentRecords > 0 { metrics.recordSent(records: sentRecords, bytes: sentBytes) }
        if tracksTopics {
            // Apache records a topic once Kafka acknowledged a record written to it. Records
            // come in runs per topic: compare with the previous one before hashing.
            var topics: Set<String> = []
            var previous: String?
            for acknowledged in acknowledged {
                guard let topic = acknowledged.metadata?.topic, topic != previous else { continue }
                previous = topic
                topics.insert(topic)
            }
            var previousLane: Int?
            for copy in copies where copy.lane != previousLane {
                previousLane = copy.lane
                topics.insert(lanes[copy.lane].targetTopic)
            }
            for topic in topics { listener.taskUsedTopic(id, topic: topic) }
        }
        if !acknowledged.isEmpty { try await task.commitRecords(acknowledged) }
        if !copies.isEmpty, let copier { try await copier.task.commitCopies(copies) }
        if let failure = shared.withLock({ $0.sendFailure }) { throw failure }
    }

    /// Writes the committable offsets to the offset store, then lets the task commit.
    private func commitOffsets() async throws {
        let (records, copies, lanes) = shared.withLock { ($0.submitted.takeCommittable(), $0.copies.takeCommittable(), $0.copyLanes) }
        var offsets = records
        if let copier {
            for (lane, offset) in copies { offsets[lanes[lane].sourcePartition] = copier.task.sourceOffset(lane: lane, offset: offset) }
        }
        guard !offsets.isEmpty else {
            // Nothing new to write, but the task still commits (as Apache's worker does): MM2's
            // source task sends its delayed offset syncs there.
            try await task.commit()
            return
        }
        let started = ContinuousClock.now
        do {
            try await withTimeout(flushTimeout) { [offsetStore, id, offsets] in
                try await offsetStore.writeOffsets(connector: id.connector, offsets.mapValues { Optional($0) })
            }
        } catch {
            shared.withLock { state in
                state.submitted.restore(records)
                state.copies.restore(copies)
            }
            logger.warning("Offset commit failed; will retry at the next flush", metadata: ["error": "\(error)"])
            metrics.recordOffsetCommit(success: false, duration: ContinuousClock.now - started)
            return
        }
        metrics.recordOffsetCommit(success: true, duration: ContinuousClock.now - started)
        try await task.commit()
    }

    /// Waits (up to the flush timeout) for outstanding sends, commits what they acknowledged,
    /// stops the task and closes the producer.
    private func finish(started: Bool) async {
        do {
            try await producer.flush(timeout: flushTimeout)
        } catch {
            logger.warning("Records still in flight at shutdown; their offsets are not committed", metadata: ["error": "\(error)"])
        }
        if started {
            try? await deliverAcknowledgements()
            try? await commitOffsets()
            await task.stop()
        }
        await producer.close(timeout: flushTimeout)
    }

    private struct Context: SourceTaskContext {
        let configs: [String: String]
        let offsetStorageReader: any OffsetStorageReader
    }

    private struct Reader: OffsetStorageReader {
        let connector: String
        let store: any WorkerOffsetStore

        func offsets(for partitions: [SourcePartition]) async throws -> [SourcePartition: SourceOffset] {
            try await store.offsets(connector: connector, partitions: partitions)
        }
    }
}

/// Runs `operation`, failing with a timeout error when it takes longer than `timeout`.
func withTimeout<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw ConnectError("Timed out after \(timeout)")
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        return first
    }
}

/// The records a source task handed to its producer and whose delivery report has not come,
/// by the tag they were sent with (consecutive numbers). Reports come roughly in order, so
/// the storage is an array with a moving head, compacted as it empties: O(1) per record.
struct InFlightRecords<Entry: Sendable>: Sendable {
    private var entries: [Entry?] = []
    private var head = 0
    /// The tag of `entries[head]`.
    private var headTag: UInt64 = 0

    /// The tag the next added record gets.
    var nextTag: UInt64 { headTag + UInt64(entries.count - head) }

    /// Adds a record under ``nextTag``.
    mutating func add(_ entry: Entry) {
        entries.append(entry)
    }

    /// Removes and returns the record sent with `tag` (`nil` if unknown or already taken).
    mutating func take(_ tag: UInt64) -> Entry? {
        guard tag >= headTag, tag < nextTag else { return nil }
        let index = head + Int(tag - headTag)
        guard let entry = entries[index].take() else { return nil }
        while head < entries.count, entries[head] == nil {
            head += 1
            headTag += 1
        }
        if head == entries.count {
            entries.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024, head * 2 >= entries.count {
            entries.removeFirst(head)
            head = 0
        }
        return entry
    }
}
