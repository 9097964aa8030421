import Kafka
import KafkaGroupClient
import Logging
import Synchronization

/// A Kafka topic read as a log, like Apache's `KafkaBasedLog`: every record from the beginning
/// of every partition is handed, in order, to a callback, and writes go through a producer.
///
/// - ``start(timeout:)`` looks up the partitions, assigns all of them from the beginning
///   (no consumer group), starts the read loop and returns once the records present at start
///   have been consumed.
/// - The read loop is one task owned by the log; ``stop()`` cancels and awaits it and closes
///   the clients. The callback runs on that task, one record at a time; tombstones arrive with
///   a `nil` value.
/// - ``readToEnd(timeout:)`` captures the end offsets when called and returns once every
///   record before them has been handed to the callback, so a write acknowledged before it
///   is visible in whatever the callback builds.
///
/// The producer uses `acks=all`, one request in flight (order kept on retries) and Java's
/// key hashing (`partitioner=murmur2_random`), so a key lands on the partition Apache's
/// producer would choose.
public final class KafkaBasedLog: Sendable {
    private enum Phase {
        case new, starting, running, stopped
    }

    private struct State {
        var phase: Phase = .new
        var producer: KafkaProducer?
        var consumer: KafkaConsumer?
        var partitions: [TopicPartition] = []
        var loop: Task<Void, Never>?
    }

    public let topic: String
    private let producerConfiguration: KafkaConfiguration?
    private let consumerConfiguration: KafkaConfiguration
    private let topicAdmin: TopicAdmin
    private let partitionLookupTimeout: Duration
    private let logger: Logger
    private let consume: @Sendable (ConsumerRecord) -> Void
    private let progress = ReadProgress()
    private let state = Mutex(State())

    /// - Parameters:
    ///   - producerConfiguration: client properties of the producer, or `nil` for a read-only log.
    ///   - consumerConfiguration: client properties of the consumer; `group.id` is ignored
    ///     (the log never joins a group or commits).
    ///   - topicAdmin: used to look up the topic's partitions; not closed by the log.
    ///   - partitionLookupTimeout: how long ``start(timeout:)`` waits for the topic to appear
    ///     (Apache waits 30 s).
    ///   - consume: called for each record, in offset order per partition, on the read loop.
    public init(
        topic: String,
        producerConfiguration: KafkaConfiguration?,
        consumerConfiguration: KafkaConfiguration,
        topicAdmin: TopicAdmin,
        partitionLookupTimeout: Duration = .seconds(30),
        logger: Logger,
        consume: @escaping @Sendable (ConsumerRecord) -> Void
    ) {
        self.topic = topic
        self.producerConfiguration = producerConfiguration.map(Self.producerSettings)
        self.consumerConfiguration = Self.consumerSettings(consumerConfiguration)
        self.topicAdmin = topicAdmin
        self.partitionLookupTimeout = partitionLookupTimeout
        self.logger = logger.taggedWithTopic(topic)
        self.consume = consume
    }

    /// The log of an internal-topic store: its producer and consumer share
    /// `clientConfiguration`, with `client.id` set to `clientId` when one is given.
    public convenience init(
        storeTopic topic: String, clientConfiguration: KafkaConfiguration, clientId: String?, topicAdmin: TopicAdmin,
        logger: Logger, consume: @escaping @Sendable (ConsumerRecord) -> Void
    ) {
        var clients = clientConfiguration
        if let clientId { clients["client.id"] = clientId }
        self.init(topic: topic, producerConfiguration: clients, consumerConfiguration: clients,
                  topicAdmin: topicAdmin, logger: logger, consume: consume)
    }

    deinit {
        // A log dropped without stop(): end the loop; the clients are released with it.
        state.withLock { $0.loop?.cancel() }
    }

    /// The client properties the producer gets: `acks=all`, one in-flight request, Java's key
    /// hashing, no idempotence (as Apache's internal-topic producers) and no transactions.
    static func producerSettings(_ configuration: KafkaConfiguration) -> KafkaConfiguration {
        var settings = configuration
        settings["transactional.id"] = nil
        settings["acks"] = "all"
        settings["max.in.flight.requests.per.connection"] = "1"
        settings["enable.idempotence"] = "false"
        return settings
    }

    /// The client properties the consumer gets: assign-only from the earliest offset, no
    /// commits, and Java's default `read_uncommitted` unless the caller chose otherwise.
    static func consumerSettings(_ configuration: KafkaConfiguration) -> KafkaConfiguration {
        var settings = configuration
        settings["group.id"] = nil
        settings["group.instance.id"] = nil
        settings["auto.offset.reset"] = "earliest"
        settings["enable.auto.commit"] = "false"
        if settings["isolation.level"] == nil { settings["isolation.level"] = "read_uncommitted" }
        return settings
    }

    // MARK: Lifecycle

    /// Creates the clients, assigns every partition from the beginning, starts the read loop
    /// and reads to the end. The topic must exist (see ``TopicAdmin/initialize(_:createTimeout:)``).
    ///
    /// - Parameter timeout: bounds the initial read to the end; `nil` waits as long as it takes.
    /// - Throws: ``KafkaError`` if the topic never appears, a client cannot be created, or the
    ///   initial read times out. The log is stopped then.
    public func start(timeout: Duration? = nil) async throws {
        try state.withLock { state throws(KafkaError) in
            guard state.phase == .new else {
                throw KafkaError(.invalidArgument, "the log of topic '\(topic)' was already started")
            }
            state.phase = .starting
        }
        logger.info("Starting KafkaBasedLog")
        do {
            let partitionIds = try await topicAdmin.partitions(of: topic, timeout: partitionLookupTimeout)
            let partitions = partitionIds.map { TopicPartition(topic: topic, partition: $0) }
            let producer = try producerConfiguration.map { try KafkaProducer(configuration: $0, logger: logger) }
            let consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: logger)
            let stillStarting = state.withLock { state in
                state.producer = producer
                state.consumer = consumer
                state.partitions = partitions
                return state.phase == .starting
            }
            guard stillStarting else { throw KafkaError(.clientClosed, "the log of topic '\(topic)' was stopped while starting") }
            // Each partition starts at its first offset, given explicitly: the read loop assigns
            // and unassigns the partitions at offsets it tracks itself (see readLoop).
            let firstOffsets = try await lowWatermarks(consumer: consumer, partitions: partitions, deadline: timeout.map { .now + $0 })
            try await consumer.assign(Dictionary(uniqueKeysWithValues: partitions.map { ($0, KafkaOffset.offset(firstOffsets[$0.partition] ?? 0)) }))

            let loop = Task { [consume, progress, logger] in
                await Self.readLoop(
                    consumer: consumer, partitions: partitions, firstOffsets: firstOffsets, consume: consume, progress: progress,
                    logger: logger)
            }
            let running = state.withLock { state in
                guard state.phase == .starting else { return false }
                state.loop = loop
                state.phase = .running
                return true
            }
            guard running else {
                loop.cancel()
                await loop.value
                throw KafkaError(.clientClosed, "the log of topic '\(topic)' was stopped while starting")
            }
            try await readToEnd(timeout: timeout)
            logger.info("Started KafkaBasedLog", metadata: ["kafka.partitions": "\(partitions.count)"])
        } catch {
            await stop()
            throw error
        }
    }

    /// Stops the read loop, fails pending ``readToEnd(timeout:)`` calls and closes the
    /// clients; the producer first delivers what it can within `closeTimeout` (bounded, so a
    /// worker whose brokers are gone still shuts down). Idempotent.
    public func stop(closeTimeout: Duration = .seconds(5)) async {
        let (loop, producer, consumer) = state.withLock { state in
            defer {
                state.phase = .stopped
                state.loop = nil
                state.producer = nil
                state.consumer = nil
            }
            return (state.loop, state.producer, state.consumer)
        }
        loop?.cancel()
        await loop?.value
        progress.close(KafkaError(.clientClosed, "the log of topic '\(topic)' was stopped"))
        await producer?.close(timeout: closeTimeout)
        await consumer?.close()
        if loop != nil { logger.info("Stopped KafkaBasedLog") }
    }

    /// The number of partitions being read (0 before ``start(timeout:)``).
    public var partitionCount: Int {
        state.withLock { $0.partitions.count }
    }

    // MARK: Reading

    /// Returns once every record up to the end offsets captured now has been handed to the
    /// callback. Queued sends are flushed first, as in Apache.
    ///
    /// - Throws: ``KafkaError`` with code `timedOut` after `timeout`, or `clientClosed` if the
    ///   log is not running.
    public func readToEnd(timeout: Duration? = nil) async throws {
        let (producer, consumer, partitions) = try state.withLock { state throws(KafkaError) in
            guard state.phase == .running, let consumer = state.consumer else {
                throw KafkaError(.clientClosed, "the log of topic '\(topic)' is not running")
            }
            return (state.producer, consumer, state.partitions)
        }
        let deadline = timeout.map { ContinuousClock.now + $0 }
        let what = "reading topic '\(topic)' to its end"
        if let producer { try await producer.flush(timeout: storeTimeRemaining(until: deadline).map { max($0, .milliseconds(1)) }) }
        let targets = try await endOffsets(consumer: consumer, partitions: partitions, deadline: deadline, what: what)
        let progress = self.progress
        try await withStoreTimeout(storeTimeRemaining(until: deadline), what) {
            try await progress.wait(for: targets)
        }
    }

    /// The end offset of every partition that has records to read, retrying retriable
    /// failures until `deadline`, as Apache's read loop does.
    private func endOffsets(consumer: KafkaConsumer, partitions: [TopicPartition], deadline: ContinuousClock.Instant?, what: String) async throws -> [Int32: Int64] {
        try await watermarks(consumer: consumer, partitions: partitions, deadline: deadline, what: what)
            .filter { $0.value.high > $0.value.low }.mapValues(\.high)
    }

    /// The first offset of every partition.
    private func lowWatermarks(consumer: KafkaConsumer, partitions: [TopicPartition], deadline: ContinuousClock.Instant?) async throws -> [Int32: Int64] {
        try await watermarks(consumer: consumer, partitions: partitions, deadline: deadline, what: "reading the first offsets of topic '\(topic)'")
            .mapValues(\.low)
    }

    private func watermarks(
        consumer: KafkaConsumer, partitions: [TopicPartition], deadline: ContinuousClock.Instant?, what: String
    ) async throws -> [Int32: (low: Int64, high: Int64)] {
        while true {
            let limit = storeTimeRemaining(until: deadline).map { max($0, .milliseconds(1)) }
            do {
                return try await withThrowingTaskGroup(of: (Int32, Int64, Int64).self) { group in
                    for partition in partitions {
                        group.addTask {
                            let (low, high) = try await consumer.watermarks(partition, timeout: limit)
                            return (partition.partition, low, high)
                        }
                    }
                    var watermarks: [Int32: (low: Int64, high: Int64)] = [:]
                    for try await (partition, low, high) in group {
                        watermarks[partition] = (low, high)
                    }
                    return watermarks
                }
            } catch let error as KafkaError where error.isRetriable {
                if let deadline, ContinuousClock.now >= deadline {
                    var failure = error
                    failure.message = "\(what) timed out: \(error.message)"
                    throw failure
                }
                logger.warning("Cannot read end offsets; retrying", metadata: ["kafka.error": "\(error)"])
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// How often an idle reader checks the end offsets for records written by others.
    static let idleCheckInterval: Duration = .milliseconds(100)
    static let activePoll: Duration = .milliseconds(100)

    /// Hands every record to `consume`, in order. Once a poll finds nothing and nobody waits in
    /// ``readToEnd(timeout:)``, the reader goes idle: it unassigns its partitions and, every
    /// ``idleCheckInterval``, asks the brokers for the end offsets; it assigns the partitions
    /// again, at the offsets it has read up to, when one has grown or a `readToEnd` starts
    /// waiting (which wakes it at once). Brokers without long polls (noida-db answers an empty
    /// fetch at once, whatever `fetch.max.wait.ms`) would otherwise keep a core busy per idle
    /// log. Records written by other workers are seen within about ``idleCheckInterval``,
    /// however slowly the broker answers. (Pausing partitions instead was not reliable with
    /// librdkafka 2.0: a partition paused early could stay unread.)
    private static func readLoop(
        consumer: KafkaConsumer,
        partitions: [TopicPartition],
        firstOffsets: [Int32: Int64],
        consume: @Sendable (ConsumerRecord) -> Void,
        progress: ReadProgress,
        logger: Logger
    ) async {
        var backoff = Duration.milliseconds(100)
        /// The next offset to read, per partition.
        var next = firstOffsets
        var assigned = true
        while !Task.isCancelled {
            do {
                if !assigned {
                    await progress.waitForReader(timeout: idleCheckInterval)
                    if Task.isCancelled { return }
                    if !progress.hasWaiters {
                        let ends = try await endOffsets(consumer: consumer, partitions: partitions)
                        guard ends.contains(where: { $0.value > next[$0.key] ?? 0 }) else { continue }
                    }
                    try await consumer.assign(Dictionary(uniqueKeysWithValues: partitions.map {
                        ($0, KafkaOffset.offset(next[$0.partition] ?? 0))
                    }))
                    assigned = true
                }
                // A batch poll waits out its whole timeout unless the batch fills up, so wait
                // for one record (returns as soon as it arrives), then take what else is there.
                var records = try await consumer.poll(timeout: activePoll, maxRecords: 1)
                if !records.isEmpty { records += try await consumer.poll(timeout: .zero) }
                for record in records {
                    consume(record)
                    next[record.partition] = record.offset + 1
                }
                let waiting = progress.hasWaiters
                if waiting || records.isEmpty {
                    // The consumer's position also moves past offsets that hold no record for
                    // us (transaction markers), which record offsets alone would never reach.
                    for (partition, position) in try await consumer.position(partitions) {
                        next[partition.partition] = max(next[partition.partition] ?? 0, position)
                    }
                }
                progress.advance(next)
                backoff = .milliseconds(100)
                if records.isEmpty && !waiting {
                    try await consumer.assign([:])
                    assigned = false
                }
            } catch let error as KafkaError where error.code == .clientClosed {
                return
            } catch {
                if Task.isCancelled { return }
                logger.error("Error reading the log; retrying", metadata: ["kafka.error": "\(error)"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(1))
            }
        }
    }

    /// The end offset of every partition: one ListOffsets request per broker for all of them
    /// (timestamp -1 asks for the latest offset), bounded at 5 s.
    private static func endOffsets(consumer: KafkaConsumer, partitions: [TopicPartition]) async throws -> [Int32: Int64] {
        let latest = try await consumer.offsetsForTimes(
            Dictionary(uniqueKeysWithValues: partitions.map { ($0, Int64(-1)) }), timeout: .seconds(5))
        var ends: [Int32: Int64] = [:]
        for (partition, end) in latest { ends[partition.partition] = end ?? 0 }
        return ends
    }

    // MARK: Writing

    /// Queues a record; `onDelivery` is called exactly once with the acknowledgement or the
    /// final error.
    ///
    /// - Throws: ``KafkaError`` when the record cannot be queued (`queueFull`, `clientClosed`,
    ///   or `invalidArgument` for a read-only log).
    public func send(key: [UInt8]?, value: [UInt8]?, onDelivery: @escaping @Sendable (Result<RecordMetadata, KafkaError>) -> Void) throws {
        try requireProducer().send(ProducerRecord(topic: topic, key: key, value: value), onDelivery: onDelivery)
    }

    /// Sends a record and waits for its acknowledgement.
    @discardableResult
    public func send(key: [UInt8]?, value: [UInt8]?) async throws -> RecordMetadata {
        let acknowledged = try await send([(key: key, value: value)])
        guard let metadata = acknowledged.first else { throw KafkaError(.broker, "no acknowledgement for a record sent to '\(topic)'") }
        return metadata
    }

    /// Queues the records in order and waits until all are acknowledged; throws the first
    /// delivery error. Waiting reacts to cancellation (the records stay queued).
    @discardableResult
    public func send(_ records: [(key: [UInt8]?, value: [UInt8]?)]) async throws -> [RecordMetadata] {
        let producer = try requireProducer()
        let batch = DeliveryBatch(count: records.count)
        queueing: for (index, record) in records.enumerated() {
            let producerRecord = ProducerRecord(topic: topic, key: record.key, value: record.value)
            while true {
                do {
                    try producer.send(producerRecord) { batch.complete(index, $0) }
                    continue queueing
                } catch let error as KafkaError where error.code == .queueFull {
                    do {
                        try await Task.sleep(for: .milliseconds(5))
                    } catch {
                        batch.abandon(error)
                        break queueing
                    }
                } catch {
                    batch.abandon(error)
                    break queueing
                }
            }
        }
        return try await batch.wait()
    }

    /// Waits until every queued record is acknowledged or failed.
    public func flush(timeout: Duration? = nil) async throws {
        try await requireProducer().flush(timeout: timeout)
    }

    private func requireProducer() throws -> KafkaProducer {
        try state.withLock { state throws(KafkaError) in
            guard let producer = state.producer, state.phase == .running || state.phase == .starting else {
                if producerConfiguration == nil {
                    throw KafkaError(.invalidArgument, "the log of topic '\(topic)' is read-only")
                }
                throw KafkaError(.clientClosed, "the log of topic '\(topic)' is not running")
            }
            return producer
        }
    }
}

/// How far the read loop has handed records to the callback, and the ``KafkaBasedLog/readToEnd(timeout:)``
/// calls waiting for it.
final class ReadProgress: Sendable {
    private struct Waiter {
        var targets: [Int32: Int64]
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        /// The next offset to hand over, per partition.
        var positions: [Int32: Int64] = [:]
        var waiters: [Int: Waiter] = [:]
        var nextWaiter = 0
        var closedError: KafkaError?
    }

    private let state = Mutex(State())
    /// Wakes an idle read loop when a reader starts waiting.
    private let readerArrived = AsyncWakeUp()

    var hasWaiters: Bool { state.withLock { !$0.waiters.isEmpty } }

    /// Returns when a ``wait(for:)`` call starts waiting (or has been waiting), or after `timeout`.
    func waitForReader(timeout: Duration) async {
        if hasWaiters { return }
        await readerArrived.wait(timeout: timeout)
    }

    /// Records that everything before `positions` was handed over, and releases waiters.
    func advance(_ positions: [Int32: Int64]) {
        let released = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            for (partition, position) in positions where position > state.positions[partition] ?? -1 {
                state.positions[partition] = position
            }
            let done = state.waiters.filter { Self.reached($0.value.targets, state.positions) }
            for id in done.keys { state.waiters[id] = nil }
            return done.values.map(\.continuation)
        }
        for continuation in released { continuation.resume() }
    }

    /// Waits until every partition in `targets` reached its offset.
    func wait(for targets: [Int32: Int64]) async throws {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { state -> Result<Void, any Error>? in
                    if let error = state.closedError { return .failure(error) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if Self.reached(targets, state.positions) { return .success(()) }
                    state.waiters[id] = Waiter(targets: targets, continuation: continuation)
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) } else { readerArrived.notify() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Fails current and future waiters with `error`.
    func close(_ error: KafkaError) {
        let waiters = state.withLock { state in
            state.closedError = error
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.continuation.resume(throwing: error) }
    }

    private static func reached(_ targets: [Int32: Int64], _ positions: [Int32: Int64]) -> Bool {
        targets.allSatisfy { positions[$0.key] ?? -1 >= $0.value }
    }
}

extension Logger {
    /// This logger with `kafka.topic` set to `topic` (how the stores and their logs tag lines).
    func taggedWithTopic(_ topic: String) -> Logger {
        var logger = self
        logger[metadataKey: "kafka.topic"] = "\(topic)"
        return logger
    }
}
