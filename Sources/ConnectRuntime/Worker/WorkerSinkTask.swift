import ConnectAPI
import Kafka
import KafkaProtocol
import Logging
import Synchronization

/// Runs one ``SinkTask`` (Apache's `WorkerSinkTask`): a consumer in group `connect-<name>`
/// subscribed to the connector's `topics` or `topics.regex`, records converted and handed to
/// `put`, and offsets the task reports from `preCommit` committed to the group every
/// `offset.flush.interval.ms`, when the task asks, and at shutdown.
///
/// Offsets are "next offset to read", as Kafka commits them. librdkafka rebalances the group
/// in the background, so `open`/`close` follow the assignment as observed between polls.
final class WorkerSinkTask: WorkerJob {
    let id: ConnectorTaskId
    let control: WatchedValue<TaskControl>
    private let task: any SinkTask
    private let taskConfig: [String: String]
    private let consumer: KafkaConsumer
    private let topics: [String]
    private let converters: TaskConverters
    private let listener: any WorkerStatusListener
    private let flushInterval: Duration
    /// `topic.tracking.enable`: report the topics records were consumed from.
    private let tracksTopics: Bool
    private let logger: Logger
    let metrics = TaskMetrics()

    private struct Shared {
        var assignment: Set<SinkTopicPartition> = []
        var commitRequested = false
        var rewinds: [SinkTopicPartition: Int64] = [:]
        var pauseRequests: Set<SinkTopicPartition> = []
        var resumeRequests: Set<SinkTopicPartition> = []
        var retryBackoffMs: Int64 = 0
    }

    private let shared = Mutex(Shared())

    /// The consumer group of a sink connector, as Apache names it.
    static func consumerGroup(connector: String) -> String { "connect-\(connector)" }

    init(id: ConnectorTaskId, task: any SinkTask, taskConfig: [String: String], targetState: TargetState,
         consumer: KafkaConsumer, topics: [String], converters: TaskConverters,
         listener: any WorkerStatusListener, worker: DistributedConfig, logger: Logger) {
        self.id = id
        self.task = task
        self.taskConfig = taskConfig
        control = WatchedValue(TaskControl(target: targetState))
        self.consumer = consumer
        self.topics = topics
        self.converters = converters
        self.listener = listener
        flushInterval = .milliseconds(worker.offsetFlushIntervalMs)
        tracksTopics = worker.topicTrackingEnable
        var logger = logger
        logger[metadataKey: "task"] = "\(id)"
        self.logger = logger
    }

    func execute() async {
        var started = false
        var consumed: [SinkTopicPartition: Int64] = [:]
        do {
            let context = Context(owner: self)
            guard try await untilStopped({ [task, taskConfig] in try await task.start(taskConfig, context: context) }) != nil else {
                await finish(started: true, consumed: consumed)
                return
            }
            started = true
            try await consumer.subscribe(topics: topics)
            try await pollLoop(consumed: &consumed)
        } catch {
            logger.error("Task failed", metadata: ["error": "\(error)"])
            await finish(started: started, consumed: consumed)
            await listener.taskStateChanged(id, to: .failed, trace: statusTrace(error))
            return
        }
        await finish(started: started, consumed: consumed)
    }

    private func pollLoop(consumed: inout [SinkTopicPartition: Int64]) async throws {
        var nextCommit = ContinuousClock.now + flushInterval
        var reportedState: TargetState?
        var pausedForTarget = false
        while !control.value.stopping {
            let state = control.value.target
            if state != reportedState {
                reportedState = state
                await listener.taskStateChanged(id, to: state == .started ? .running : .paused, trace: nil)
            }
            try await applyContextRequests(pauseAll: state != .started, pausedForTarget: &pausedForTarget)
            let polled: [ConsumerRecord]?
            do {
                polled = try await untilStopped { [consumer] in try await consumer.poll(timeout: .milliseconds(500)) }
            } catch let error as KafkaError where error.isRetriable {
                // E.g. a subscribed topic that does not exist yet: Java's consumer waits too.
                logger.debug("Retriable consumer error; polling again", metadata: ["error": "\(error)"])
                polled = []
            }
            guard let records = polled else { return }
            if !records.isEmpty {
                let started = ContinuousClock.now
                let sinkRecords = try records.map(convert)
                if tracksTopics {
                    // Apache records a topic when it converts a record consumed from it.
                    for topic in Set(records.map(\.topic)) { listener.taskUsedTopic(id, topic: topic) }
                }
                try await putWithRetry(sinkRecords)
                for record in records {
                    consumed[SinkTopicPartition(topic: record.topic, partition: record.partition)] = record.offset + 1
                    metrics.recordSent(bytes: (record.key?.count ?? 0) + (record.value?.count ?? 0))
                }
                metrics.recordBatch(records.count, duration: ContinuousClock.now - started)
            }
            let requested = shared.withLock { state in
                defer { state.commitRequested = false }
                return state.commitRequested
            }
            if requested || ContinuousClock.now >= nextCommit {
                await commit(consumed)
                nextCommit = ContinuousClock.now + flushInterval
            }
        }
    }

    /// Hands a batch to `put`, redelivering it after the context's timeout while the task
    /// throws ``RetriableError``.
    private func putWithRetry(_ records: [SinkRecord]) async throws {
        while true {
            do {
                try await task.put(records)
                return
            } catch let retriable as RetriableError {
                let backoff = shared.withLock { $0.retryBackoffMs }
                logger.warning("Retriable error from put; redelivering", metadata: ["error": "\(retriable)"])
                if try await untilStopped({ try await Task.sleep(for: .milliseconds(max(backoff, 100))) }) == nil {
                    throw retriable
                }
            }
        }
    }

    /// Applies rewinds, pauses and resumes the task asked for, keeps the assignment the task
    /// sees current, and pauses everything while the connector is paused.
    private func applyContextRequests(pauseAll: Bool, pausedForTarget: inout Bool) async throws {
        let assignment = try await consumer.assignment()
        let (rewinds, pauses, resumes, previous) = shared.withLock { state in
            defer {
                state.rewinds.removeAll()
                state.pauseRequests.removeAll()
                state.resumeRequests.removeAll()
            }
            let previous = state.assignment
            state.assignment = Set(assignment.map { SinkTopicPartition(topic: $0.topic, partition: $0.partition) })
            return (state.rewinds, state.pauseRequests, state.resumeRequests, previous)
        }
        let current = Set(assignment.map { SinkTopicPartition(topic: $0.topic, partition: $0.partition) })
        if current != previous {
            let revoked = previous.subtracting(current)
            let added = current.subtracting(previous)
            if !revoked.isEmpty { try await task.close(revoked.sorted()) }
            if !added.isEmpty { try await task.open(added.sorted()) }
        }
        for (partition, offset) in rewinds {
            try await consumer.seek(TopicPartition(topic: partition.topic, partition: partition.partition), to: .offset(offset))
        }
        if !pauses.isEmpty { try consumer.pause(pauses.map { TopicPartition(topic: $0.topic, partition: $0.partition) }) }
        if !resumes.isEmpty { try consumer.resume(resumes.map { TopicPartition(topic: $0.topic, partition: $0.partition) }) }
        if pauseAll != pausedForTarget, !assignment.isEmpty {
            if pauseAll { try consumer.pause(assignment) } else { try consumer.resume(assignment) }
            pausedForTarget = pauseAll
        }
    }

    private func convert(_ record: ConsumerRecord) throws -> SinkRecord {
        do {
            let key = try converters.key.toConnectData(topic: record.topic, bytes: record.key)
            let value = try converters.value.toConnectData(topic: record.topic, bytes: record.value)
            var headers = ConnectHeaders()
            for header in record.headers {
                let converted = try converters.header.toConnectHeader(topic: record.topic, headerKey: header.key, bytes: header.value)
                headers.add(header.key, schema: converted.schema, value: converted.value)
            }
            let timestampType: SinkRecord.TimestampType = switch record.timestampType {
            case .createTime: .createTime
            case .logAppendTime: .logAppendTime
            case .notAvailable: .noTimestampType
            }
            return SinkRecord(
                topic: record.topic, kafkaPartition: record.partition, kafkaOffset: record.offset,
                keySchema: key.schema, key: key.value, valueSchema: value.schema, value: value.value,
                timestamp: record.timestampType == .notAvailable ? nil : record.timestamp,
                timestampType: timestampType, headers: headers)
        } catch {
            throw ConnectError("Failed to convert the record at \(record.topic)-\(record.partition)@\(record.offset) for \(id): \(error)", underlying: error)
        }
    }

    /// Commits what `preCommit` returns for the offsets consumed so far.
    private func commit(_ consumed: [SinkTopicPartition: Int64]) async {
        guard !consumed.isEmpty else { return }
        let started = ContinuousClock.now
        do {
            let approved = try await task.preCommit(consumed)
            guard !approved.isEmpty else { return }
            try await consumer.commit(Dictionary(uniqueKeysWithValues: approved.map {
                (TopicPartition(topic: $0.key.topic, partition: $0.key.partition), OffsetAndMetadata(offset: $0.value))
            }))
            metrics.recordOffsetCommit(success: true, duration: ContinuousClock.now - started)
        } catch {
            logger.warning("Offset commit failed; will retry at the next commit", metadata: ["error": "\(error)"])
            metrics.recordOffsetCommit(success: false, duration: ContinuousClock.now - started)
        }
    }

    private func finish(started: Bool, consumed: [SinkTopicPartition: Int64]) async {
        if started {
            await commit(consumed)
            let assignment = shared.withLock { $0.assignment }
            try? await task.close(assignment.sorted())
            await task.stop()
        }
        await consumer.close()
    }

    private struct Context: SinkTaskContext {
        let owner: WorkerSinkTask

        var configs: [String: String] { owner.taskConfig }
        var assignment: Set<SinkTopicPartition> { owner.shared.withLock { $0.assignment } }

        func requestCommit() { owner.shared.withLock { $0.commitRequested = true } }

        func offset(_ offsets: [SinkTopicPartition: Int64]) {
            owner.shared.withLock { $0.rewinds.merge(offsets) { _, new in new } }
        }

        func timeout(_ milliseconds: Int64) { owner.shared.withLock { $0.retryBackoffMs = milliseconds } }

        func pause(_ partitions: [SinkTopicPartition]) {
            owner.shared.withLock {
                $0.pauseRequests.formUnion(partitions)
                $0.resumeRequests.subtract(partitions)
            }
        }

        func resume(_ partitions: [SinkTopicPartition]) {
            owner.shared.withLock {
                $0.resumeRequests.formUnion(partitions)
                $0.pauseRequests.subtract(partitions)
            }
        }
    }
}
