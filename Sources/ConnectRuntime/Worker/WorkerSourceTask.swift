import ConnectAPI
import Kafka
import Logging
import Synchronization

/// Runs one ``SourceTask`` (Apache's `WorkerSourceTask`): polls it, converts its records,
/// sends them with the task's own producer, and commits source offsets every
/// `offset.flush.interval.ms` — only offsets whose record, and every record before it from the
/// same source partition, Kafka has acknowledged.
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
    private let logger: Logger
    let metrics: TaskMetrics

    private struct Shared {
        var submitted = SubmittedRecords()
        /// Acknowledged records waiting for the task's `commitRecord`.
        var acknowledged: [(SourceRecord, SourceRecordMetadata)] = []
        var sendFailure: KafkaError?
        /// Acknowledged records and bytes not yet added to ``metrics`` (added once per batch,
        /// so the delivery-report thread takes one lock per record, not two).
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
        var logger = logger
        logger[metadataKey: "task"] = "\(id)"
        self.logger = logger
        metrics = TaskMetrics()
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
            try await pollLoop()
        } catch {
            logger.error("Task failed", metadata: ["error": "\(error)"])
            await finish(started: started)
            await listener.taskStateChanged(id, to: .failed, trace: statusTrace(error))
            return
        }
        await finish(started: started)
    }

    /// Polls and sends until asked to stop; pausing stops polling but keeps committing.
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
            let polled: [SourceRecord]?
            do {
                polled = try await untilStopped { [task] in try await task.poll() }
            } catch let retriable as RetriableError {
                logger.warning("Retriable error from poll, polling again", metadata: ["error": "\(retriable)"])
                polled = []
            }
            guard let records = polled else { return }
            try await send(records)
            try await deliverAcknowledgements()
            if ContinuousClock.now >= nextFlush {
                try await commitOffsets()
                nextFlush = ContinuousClock.now + flushInterval
            }
        }
    }

    private func send(_ records: [SourceRecord]) async throws {
        guard !records.isEmpty else { return }
        let started = ContinuousClock.now
        let producerRecords = try records.map(convert)
        // One lock for the whole batch: a failure reported since the last batch stops it, and
        // every record is submitted before its send (so its acknowledgement finds it).
        let tickets = try shared.withLock { state -> [SubmittedRecords.Ticket?] in
            if let failure = state.sendFailure { throw failure }
            return records.map { state.submitted.submit(partition: $0.sourcePartition, offset: $0.sourceOffset) }
        }
        for index in records.indices {
            let record = records[index]
            let producerRecord = producerRecords[index]
            let ticket = tickets[index]
            let bytes = (producerRecord.key?.count ?? 0) + (producerRecord.value?.count ?? 0)
            while true {
                do {
                    try producer.send(producerRecord) { [self] result in
                        shared.withLock { state in
                            switch result {
                            case .success(let metadata):
                                if let ticket { state.submitted.acknowledge(ticket) }
                                state.acknowledged.append((record, SourceRecordMetadata(
                                    topic: metadata.topic, partition: metadata.partition,
                                    offset: metadata.offset, timestamp: metadata.timestamp)))
                                state.sentRecords += 1
                                state.sentBytes += bytes
                            case .failure(let error):
                                state.sendFailure = state.sendFailure ?? error
                            }
                        }
                    }
                    break
                } catch let error as KafkaError where error.code == .queueFull {
                    if let failure = shared.withLock({ $0.sendFailure }) { throw failure }
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
        }
        metrics.recordBatch(records.count, duration: ContinuousClock.now - started)
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
            throw ConnectError("Failed to convert a record of \(id) for topic \(record.topic): \(error)", underlying: error)
        }
    }

    /// Hands acknowledged records to the task's `commitRecord`, in acknowledgement order.
    private func deliverAcknowledgements() async throws {
        let (acknowledged, sentRecords, sentBytes) = shared.withLock { state in
            defer {
                state.acknowledged.removeAll(keepingCapacity: true)
                state.sentRecords = 0
                state.sentBytes = 0
            }
            return (state.acknowledged, state.sentRecords, state.sentBytes)
        }
        if sentRecords > 0 { metrics.recordSent(records: sentRecords, bytes: sentBytes) }
        if tracksTopics {
            // Apache records a topic once Kafka acknowledged a record written to it.
            for topic in Set(acknowledged.map(\.1.topic)) { listener.taskUsedTopic(id, topic: topic) }
        }
        for (record, metadata) in acknowledged {
            try await task.commitRecord(record, metadata: metadata)
        }
        if let failure = shared.withLock({ $0.sendFailure }) { throw failure }
    }

    /// Writes the committable offsets to the offset store, then lets the task commit.
    private func commitOffsets() async throws {
        let offsets = shared.withLock { $0.submitted.takeCommittable() }
        guard !offsets.isEmpty else {
            // Nothing new to write, but the task still commits (as Apache's worker does): MM2's
            // source task sends its delayed offset syncs there.
            try await task.commit()
            return
        }
        let started = ContinuousClock.now
        do {
            try await withTimeout(flushTimeout) { [offsetStore, id] in
                try await offsetStore.writeOffsets(connector: id.connector, offsets.mapValues { Optional($0) })
            }
        } catch {
            shared.withLock { $0.submitted.restore(offsets) }
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
