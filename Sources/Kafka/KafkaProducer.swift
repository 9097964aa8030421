import CRdKafka
import Logging
import Synchronization

/// A Kafka producer: asynchronous sends with per-record delivery results, flush,
/// idempotence and transactions (`transactional.id`).
///
/// Thread-safe. Deliveries are reported on the client's main-queue thread (or, with
/// ``DeliveryReportServing/owner(idle:)``, mostly on the thread that calls
/// ``serveDeliveryReports()``); the `async` APIs resume the caller there. Blocking librdkafka
/// calls (flush, transactions, close) run on dispatch threads, never on the cooperative pool.
public final class KafkaProducer: Sendable {
    /// Which thread serves delivery reports (and client error callbacks).
    public enum DeliveryReportServing: Sendable {
        /// A thread of the producer's own, always waiting for reports (the default).
        case producerThread
        /// The owner, by calling ``serveDeliveryReports()`` between sends, as a copy loop that
        /// polls its producer does; ``flush(timeout:)`` and ``close(timeout:)`` serve while they
        /// wait. Reports then cost no thread hand-off, and a record's memory is freed by the
        /// thread that allocated it. Reports the owner leaves waiting longer than `idle` (it is
        /// blocked elsewhere) are served by the producer's thread; one thread serves at a time,
        /// so reports keep their order.
        case owner(idle: Duration)

        var mainQueueServing: MainQueueServing {
            switch self {
            case .producerThread: .pollerThread
            case .owner(let idle): .ownerFirst(idle: idle)
            }
        }
    }

    public let configuration: KafkaConfiguration
    let client: RDKafkaClient
    private let topics: RDKafkaTopicHandles

    /// Creates the producer. Nothing is sent to a broker until the first send.
    ///
    /// - Throws: ``KafkaError/Code/configuration`` for unknown, unsupported or invalid properties.
    /// Where librdkafka's defaults differ from Java's producer, Java's apply (see
    /// ``withJavaDefaults(_:)``).
    public init(
        configuration: KafkaConfiguration, deliveryReports: DeliveryReportServing = .producerThread,
        logger: Logger = Logger(label: "kafka.producer")
    ) throws {
        self.configuration = configuration
        let topics = RDKafkaTopicHandles()
        self.topics = topics
        client = try RDKafkaClient(
            kind: .producer,
            configuration: Self.withJavaDefaults(configuration),
            logger: logger,
            mainQueue: deliveryReports.mainQueueServing,
            drainOnDrop: { rk in
                Self.purgeAndServe(rk)
                topics.destroyAll()
            },
            configure: { conf in rd_kafka_conf_set_dr_msg_cb(conf, deliveryReportCallback) }
        )
    }

    /// The configuration with Java's producer defaults where it is silent and librdkafka's
    /// differ:
    /// - keyed records without a partition go where Java's producer puts them
    ///   (`partitioner=murmur2_random`; librdkafka's CRC32 would disagree with Java clients, and
    ///   Connect's offsets topic depends on agreeing);
    /// - `enable.idempotence=true` (Java 3.0+) unless the configuration conflicts with it (acks
    ///   other than all, `retries=0`, more than 5 requests in flight), as Java then leaves it
    ///   off: without it, a retried batch can land after a later one.
    public static func withJavaDefaults(_ configuration: KafkaConfiguration) -> KafkaConfiguration {
        var settings = configuration
        if settings["partitioner"] == nil { settings.properties["partitioner"] = "murmur2_random" }
        if settings["enable.idempotence"] == nil {
            let acks = settings["acks"] ?? settings["request.required.acks"]
            let retries = settings["retries"] ?? settings["message.send.max.retries"]
            let inFlight = settings["max.in.flight.requests.per.connection"] ?? settings["max.in.flight"]
            let conflicts = (acks.map { !["all", "-1"].contains($0.trimmingCharacters(in: .whitespaces).lowercased()) } ?? false)
                || retries.map { Int($0.trimmingCharacters(in: .whitespaces)) == 0 } == true
                || inFlight.map { (Int($0.trimmingCharacters(in: .whitespaces)) ?? 0) > 5 } == true
            if !conflicts { settings.properties["enable.idempotence"] = "true" }
        }
        return settings
    }

    /// Queues a record for sending; `onDelivery` is called exactly once with the broker's
    /// acknowledgement or the final error (after librdkafka's retries).
    ///
    /// - Throws: ``KafkaError/Code/queueFull`` when the local queue is full (retry once
    ///   deliveries complete), ``KafkaError/Code/clientClosed``, or a fatal error. When this
    ///   throws, `onDelivery` is not called.
    public func send(
        _ record: ProducerRecord,
        onDelivery: @escaping @Sendable (Result<RecordMetadata, KafkaError>) -> Void
    ) throws {
        // Retained for librdkafka; released exactly once: by the delivery report, or below.
        let context = Unmanaged.passRetained(DeliveryContext(topic: record.topic, completion: onDelivery))
        do {
            try client.withHandle { rk in
                try Self.produce(record, topic: topics.handle(for: record.topic, rk: rk), context: context.toOpaque(), rk: rk)
            }
        } catch {
            context.release()
            throw error
        }
    }

    /// Sets where the outcomes of ``send(_:tag:)`` go: `handler` receives them in batches (the
    /// delivery reports librdkafka served in one go), one batch at a time, in delivery order
    /// (per partition, the order the records were sent). It runs on the client's main-queue
    /// thread, on the thread of ``flush(timeout:)`` or ``close(timeout:)``, which hand over
    /// what they served before returning, or on the thread of ``serveDeliveryReports()``. Set
    /// it once, before the first tagged send.
    public func setDeliveryHandler(_ handler: @escaping @Sendable ([Delivery]) -> Void) {
        client.callbacks.taggedDeliveries.setHandler(handler)
    }

    /// Queues a record whose outcome goes to the delivery handler (see
    /// ``setDeliveryHandler(_:)``) under `tag`, the caller's own number for it: the send path
    /// for high rates, with no allocation per record besides librdkafka's copy.
    ///
    /// - Parameter tag: any value below 2⁶³.
    /// - Throws: as ``send(_:onDelivery:)``, and ``KafkaError/Code/invalidArgument`` without a
    ///   delivery handler or for a tag of 2⁶³ or more. When this throws, no delivery is reported.
    public func send(_ record: ProducerRecord, tag: UInt64) throws {
        if let error = sendTagged(CollectionOfOne(record), firstTag: tag).error { throw error }
    }

    /// Queues `records` in order, the first under `firstTag` and each next one under the next
    /// tag, like that many calls of ``send(_:tag:)`` but lending the client once; it stops at
    /// the first record that cannot be queued.
    ///
    /// - Returns: how many records were queued (a prefix of `records`), and why the next one was
    ///   not: ``KafkaError/Code/queueFull`` (send the rest once deliveries complete) or an error
    ///   as ``send(_:tag:)`` throws. No delivery is reported for records that were not queued.
    public func send(_ records: ArraySlice<ProducerRecord>, firstTag: UInt64) -> (queued: Int, error: KafkaError?) {
        sendTagged(records, firstTag: firstTag)
    }

    /// Queues a copy of each record of `range` in `batch` for `topic`: same partition, key,
    /// value, headers and timestamp (when the record has one; otherwise the send time), tagged
    /// like ``send(_:firstTag:)``. The bytes go straight from the consumer's memory into the
    /// producer's, with no copy in Swift.
    ///
    /// - Parameter headerValues: rewrites each header value (name, value; `nil` for null) on
    ///   the way, as a header converter would; `nil` copies headers as they are. An error it
    ///   throws stops the sends at that record, like a failed send.
    /// - Returns: as ``send(_:firstTag:)``.
    public func send(
        copiesOf batch: ConsumedBatch, _ range: Range<Int>, to topic: String, firstTag: UInt64,
        headerValues: ((String, [UInt8]?) throws -> [UInt8]?)? = nil
    ) -> (queued: Int, error: KafkaError?) {
        var rkt: OpaquePointer?
        return sendTagged(count: range.count, firstTag: firstTag) { offset, context, rk in
            if rkt == nil { rkt = try topics.handle(for: topic, rk: rk) }
            try Self.produceCopy(batch.messages[range.lowerBound + offset], topic: rkt!, topicName: topic,
                                 context: context, rk: rk, headerValues: headerValues)
        }
    }

    /// The tagged sends; generic within this module only, so that it is specialized for each
    /// caller's collection (iterating an unspecialized one copied every record).
    private func sendTagged(_ records: some Collection<ProducerRecord>, firstTag: UInt64) -> (queued: Int, error: KafkaError?) {
        // Records come in runs per topic: look the handle up when the topic changes.
        var topicName: String?
        var topic: OpaquePointer?
        var iterator = records.makeIterator()
        return sendTagged(count: records.count, firstTag: firstTag) { _, context, rk in
            let record = iterator.next()!
            if topicName != record.topic || topic == nil {
                topic = try topics.handle(for: record.topic, rk: rk)
                topicName = record.topic
            }
            try Self.produce(record, topic: topic!, context: context, rk: rk)
        }
    }

    /// Lends the client once and calls `produce` for `count` records in order, with each
    /// record's tagged opaque pointer; stops at the first error.
    private func sendTagged(
        count: Int, firstTag: UInt64, _ produce: (Int, UnsafeMutableRawPointer, OpaquePointer) throws -> Void
    ) -> (queued: Int, error: KafkaError?) {
        guard client.callbacks.taggedDeliveries.hasHandler else {
            return (0, KafkaError(.invalidArgument, "tagged send without a delivery handler"))
        }
        var queued = 0
        do {
            try client.withHandle { rk in
                while queued < count {
                    // Below 2⁶³ (checked here) plus a count: no overflow.
                    let tag = firstTag + UInt64(queued)
                    guard let opaque = TaggedDeliveryQueue.opaque(for: tag) else {
                        throw KafkaError(.invalidArgument, "delivery tag \(tag) is too large")
                    }
                    try produce(queued, opaque, rk)
                    queued += 1
                }
            }
        } catch let error as KafkaError {
            return (queued, error)
        } catch {
            return (queued, KafkaError(.invalidArgument, "\(error)"))
        }
        return (queued, nil)
    }

    /// Sends a record and waits for its acknowledgement. While the local queue is full it
    /// waits for room instead of failing.
    @discardableResult
    public func send(_ record: ProducerRecord) async throws -> RecordMetadata {
        while true {
            do {
                return try await withCheckedThrowingContinuation { continuation in
                    do {
                        try send(record) { continuation.resume(with: $0) }
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
            } catch let error as KafkaError where error.code == .queueFull {
                try await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    /// Waits until every queued record is acknowledged or failed.
    ///
    /// The client's poller thread stays the only one serving delivery reports (unlike
    /// `rd_kafka_flush`, which serves them on the calling thread too: two threads serving could
    /// hand one partition's reports to their callbacks out of order); this call serves a
    /// ``DeliveryReportServing/owner(idle:)`` producer meanwhile. It waits until the out-queue,
    /// which counts a record until its report was served, is empty.
    ///
    /// - Throws: ``KafkaError/Code/timedOut`` if records are still outstanding after `timeout`.
    public func flush(timeout: Duration? = nil) async throws {
        let timeout = timeout ?? client.settings.defaultAPITimeout
        let deadline = ContinuousClock.now + timeout
        while true {
            try client.serveMainQueue()
            let outstanding = try client.withHandle { rk in rd_kafka_outq_len(rk) }
            guard outstanding > 0 else { break }
            guard ContinuousClock.now < deadline else {
                throw client.callbacks.timeoutError("flush (\(outstanding) records outstanding)", after: timeout)
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        // Reports the poller collected but has not handed over yet (it dispatches after its poll returns).
        client.callbacks.taggedDeliveries.dispatch()
    }

    // MARK: Transactions

    /// Registers `transactional.id` with the coordinator and fences older instances.
    public func initTransactions(timeout: Duration? = nil) async throws {
        let ms = (timeout ?? client.settings.defaultAPITimeout).rdKafkaMilliseconds
        try await blocking { rk in try KafkaError.check(rd_kafka_init_transactions(rk, ms), "init transactions") }
    }

    public func beginTransaction() throws {
        try client.withHandle { rk in try KafkaError.check(rd_kafka_begin_transaction(rk), "begin transaction") }
    }

    /// Adds consumer offsets (next offset to read) for `consumerGroupID` to the transaction.
    public func sendOffsetsToTransaction(
        _ offsets: [TopicPartition: Int64], consumerGroupID: String, timeout: Duration? = nil
    ) async throws {
        let ms = (timeout ?? client.settings.defaultAPITimeout).rdKafkaMilliseconds
        try await blocking { rk in
            let list = RDKafkaTopicPartitionList(offsets)
            let metadata = rd_kafka_consumer_group_metadata_new(consumerGroupID)
            defer { rd_kafka_consumer_group_metadata_destroy(metadata) }
            try KafkaError.check(
                rd_kafka_send_offsets_to_transaction(rk, list.pointer, metadata, ms), "send offsets to transaction"
            )
        }
    }

    /// Flushes the transaction's records and commits it.
    ///
    /// librdkafka flushes here with `rd_kafka_flush`, which serves delivery reports on the
    /// calling thread beside the poller: call ``flush(timeout:)`` first when the order of the
    /// reports matters.
    public func commitTransaction(timeout: Duration? = nil) async throws {
        let ms = (timeout ?? client.settings.defaultAPITimeout).rdKafkaMilliseconds
        try await blocking { rk in try KafkaError.check(rd_kafka_commit_transaction(rk, ms), "commit transaction") }
    }

    /// Aborts the transaction: its records become invisible to `read_committed` consumers.
    public func abortTransaction(timeout: Duration? = nil) async throws {
        let ms = (timeout ?? client.settings.defaultAPITimeout).rdKafkaMilliseconds
        try await blocking { rk in try KafkaError.check(rd_kafka_abort_transaction(rk, ms), "abort transaction") }
    }

    /// The fatal error that made this producer unusable, if any (e.g. it was fenced).
    public var fatalError: KafkaError? { client.callbacks.fatalError }

    // MARK: Closing

    /// Serves the delivery reports that arrived (without waiting): their callbacks and the
    /// tagged-delivery handler run on the calling thread. For producers created with
    /// ``DeliveryReportServing/owner(idle:)``; a no-op for the others (their own thread serves),
    /// while another thread serves, and after `close`.
    public func serveDeliveryReports() {
        try? client.serveMainQueue()
    }

    /// Waits up to `timeout` for outstanding deliveries, fails the rest (their callbacks get
    /// an error), and releases the client. Later calls throw ``KafkaError/Code/clientClosed``.
    public func close(timeout: Duration = .seconds(30)) async {
        let ms = timeout.rdKafkaMilliseconds
        await client.close { [topics] rk in
            rd_kafka_flush(rk, ms)
            Self.purgeAndServe(rk)
            topics.destroyAll()
        }
    }

    /// Fails whatever is still queued or in flight and serves those delivery reports, so
    /// every `onDelivery` (and every tagged delivery) is reported before the handle goes away.
    private static func purgeAndServe(_ rk: OpaquePointer) {
        rd_kafka_purge(rk, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
        rd_kafka_flush(rk, 5_000)
        rdKafkaCallbacks(of: rk)?.taggedDeliveries.dispatch()
    }

    private func blocking(_ work: @escaping @Sendable (OpaquePointer) throws -> Void) async throws {
        try await BlockingExecutor.run { [client] in try client.withHandle(work) }
    }

    // MARK: produceva

    /// A non-null pointer for empty keys, values and headers: librdkafka writes a null for a
    /// NULL pointer, and Kafka distinguishes empty from null.
    nonisolated(unsafe) private static let emptyBytes = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

    private static func produce(
        _ record: ProducerRecord, topic: OpaquePointer, context: UnsafeMutableRawPointer, rk: OpaquePointer
    ) throws {
        let headers = try makeHeaders(record.headers)
        let error = withBytes(record.key) { key in
            withBytes(record.value) { value in
                produceva(rk, topic: topic, partition: record.partition ?? RD_KAFKA_PARTITION_UA, key: key, value: value,
                          timestamp: record.timestamp, headers: headers, context: context)
            }
        }
        if let error {
            throw KafkaError.rdKafka(consuming: error, "cannot send to topic '\(record.topic)'")
        }
    }

    /// Produces a copy of a consumed message (see ``send(copiesOf:_:to:firstTag:headerValues:)``).
    private static func produceCopy(
        _ message: UnsafeMutablePointer<rd_kafka_message_t>, topic: OpaquePointer, topicName: String,
        context: UnsafeMutableRawPointer, rk: OpaquePointer, headerValues: ((String, [UInt8]?) throws -> [UInt8]?)?
    ) throws {
        var headers: OpaquePointer?
        if let headerValues {
            var converted: [KafkaHeader] = []
            try ConsumedBatch.forEachHeader(of: message) { name, value in
                converted.append(KafkaHeader(key: name, value: try headerValues(name, value)))
            }
            headers = try makeHeaders(converted)
        } else {
            var source: OpaquePointer?
            if rd_kafka_message_headers(message, &source) == RD_KAFKA_RESP_ERR_NO_ERROR, let source {
                headers = rd_kafka_headers_copy(source)
            }
        }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        let key = message.pointee.key.map { Bytes(pointer: $0, count: message.pointee.key_len) }
        let value = message.pointee.payload.map { Bytes(pointer: $0, count: message.pointee.len) }
        if let error = produceva(rk, topic: topic, partition: message.pointee.partition, key: key, value: value,
                                 timestamp: timestamp >= 0 ? timestamp : nil, headers: headers, context: context) {
            throw KafkaError.rdKafka(consuming: error, "cannot send to topic '\(topicName)'")
        }
    }

    /// `rd_kafka_produceva` with a copy of the bytes; `headers` pass to librdkafka when the
    /// record is queued and are destroyed otherwise. Returns librdkafka's error, if any.
    private static func produceva(
        _ rk: OpaquePointer, topic: OpaquePointer, partition: Int32, key: Bytes?, value: Bytes?, timestamp: Int64?,
        headers: OpaquePointer?, context: UnsafeMutableRawPointer
    ) -> OpaquePointer? {
        // At most 8 arguments; a stack buffer keeps the send path free of heap allocations.
        let error: OpaquePointer? = withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 8) { args in
            var count = 0
            func append(_ type: rd_kafka_vtype_t, _ set: (inout rd_kafka_vu_t) -> Void) {
                var arg = rd_kafka_vu_t()
                arg.vtype = type
                set(&arg)
                args.initializeElement(at: count, to: arg)
                count += 1
            }
            append(RD_KAFKA_VTYPE_RKT) { $0.u.rkt = topic }
            append(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition }
            append(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
            if let key {
                append(RD_KAFKA_VTYPE_KEY) { $0.u.mem.ptr = key.pointer; $0.u.mem.size = key.count }
            }
            append(RD_KAFKA_VTYPE_VALUE) { $0.u.mem.ptr = value?.pointer; $0.u.mem.size = value?.count ?? 0 }
            if let timestamp {
                append(RD_KAFKA_VTYPE_TIMESTAMP) { $0.u.i64 = timestamp }
            }
            if let headers {
                append(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = headers }
            }
            append(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = context }
            defer { args.baseAddress!.deinitialize(count: count) }
            return rd_kafka_produceva(rk, args.baseAddress, count)
        }
        // librdkafka owns the headers once the record is queued.
        if error != nil, let headers { rd_kafka_headers_destroy(headers) }
        return error
    }

    private static func makeHeaders(_ headers: [KafkaHeader]) throws -> OpaquePointer? {
        guard !headers.isEmpty else { return nil }
        let list = rd_kafka_headers_new(headers.count)!
        for header in headers {
            let err = withBytes(header.value) { value in
                rd_kafka_header_add(list, header.key, -1, value?.pointer, value?.count ?? 0)
            }
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                rd_kafka_headers_destroy(list)
                throw KafkaError.rdKafka(err, "cannot add header '\(header.key)'")
            }
        }
        return list
    }

    /// Bytes to send; never a null pointer (see ``emptyBytes``).
    private struct Bytes {
        var pointer: UnsafeMutableRawPointer
        var count: Int
    }

    private static func withBytes<T>(_ bytes: [UInt8]?, _ body: (Bytes?) -> T) -> T {
        guard let bytes else { return body(nil) }
        return bytes.withUnsafeBytes { buffer in
            let pointer = buffer.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) } ?? emptyBytes
            return body(Bytes(pointer: pointer, count: buffer.count))
        }
    }
}

/// The outcome of one tagged send (``KafkaProducer/send(_:tag:)``).
public struct Delivery: Sendable {
    /// The tag the record was sent with.
    public var tag: UInt64
    /// The partition the record went to (or was meant for, when it failed).
    public var partition: Int32
    /// The record's offset, or -1 when it failed (or the broker did not say).
    public var offset: Int64
    /// The record's timestamp as stored, or -1 when unknown.
    public var timestamp: Int64
    /// Why the record was not written, after librdkafka's retries; `nil` on success.
    public var error: KafkaError?
}

/// Collects the delivery reports of tagged sends and hands them to the producer's handler in
/// batches. The delivery callback appends (on whichever thread serves the main queue); after
/// serving, that thread calls ``dispatch()``.
final class TaggedDeliveryQueue: Sendable {
    private struct State {
        var pending: [Delivery] = []
        var handler: (@Sendable ([Delivery]) -> Void)?
    }

    private let state = Mutex(State())
    /// Held while a batch is handed over, so that batches reach the handler one at a time and in order.
    private let dispatching = Mutex(())
    private let handlerSet = Atomic<Bool>(false)

    var hasHandler: Bool { handlerSet.load(ordering: .acquiring) }

    func setHandler(_ handler: @escaping @Sendable ([Delivery]) -> Void) {
        state.withLock { $0.handler = handler }
        handlerSet.store(true, ordering: .releasing)
    }

    /// The opaque pointer a tagged record carries: odd, unlike the (aligned) address of a
    /// ``DeliveryContext``; `nil` for tags of 2⁶³ or more.
    static func opaque(for tag: UInt64) -> UnsafeMutableRawPointer? {
        guard tag < 1 << 63 else { return nil }
        return UnsafeMutableRawPointer(bitPattern: UInt(tag << 1 | 1))
    }

    /// The tag of a tagged record's opaque pointer, or `nil` when it points to a ``DeliveryContext``.
    static func tag(of opaque: UnsafeMutableRawPointer) -> UInt64? {
        let bits = UInt(bitPattern: opaque)
        return bits & 1 == 1 ? UInt64(bits >> 1) : nil
    }

    func append(_ delivery: Delivery) {
        state.withLock { $0.pending.append(delivery) }
    }

    /// Hands what was collected to the handler.
    @Sendable func dispatch() {
        dispatching.withLock { _ in
            let (batch, handler) = state.withLock { state -> ([Delivery], (@Sendable ([Delivery]) -> Void)?) in
                guard !state.pending.isEmpty, let handler = state.handler else { return ([], nil) }
                defer { state.pending.removeAll(keepingCapacity: true) }
                return (state.pending, handler)
            }
            if let handler { handler(batch) }
        }
    }
}

/// What the delivery report needs to complete one send.
private final class DeliveryContext: Sendable {
    let topic: String
    let completion: @Sendable (Result<RecordMetadata, KafkaError>) -> Void

    init(topic: String, completion: @escaping @Sendable (Result<RecordMetadata, KafkaError>) -> Void) {
        self.topic = topic
        self.completion = completion
    }
}

private let deliveryReportCallback: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
    rk, message, _ in
    guard let message, let opaque = message.pointee._private else { return }
    if let tag = TaggedDeliveryQueue.tag(of: opaque) {
        reportTaggedDelivery(tag, message: message, rk: rk)
        return
    }
    let context = Unmanaged<DeliveryContext>.fromOpaque(opaque).takeRetainedValue()
    let err = message.pointee.err
    guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
        var error = KafkaError.rdKafka(err, "delivery to topic '\(context.topic)' failed")
        // The record may have failed because the producer hit a fatal error (e.g. lost
        // idempotence sequence); report that, since no retry by the caller can help.
        if let rk, let fatal = RDKafkaClient.fatalError(of: rk) {
            error = fatal
            error.message = "delivery to topic '\(context.topic)' failed: \(fatal.message)"
        }
        context.completion(.failure(error))
        return
    }
    var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
    let timestamp = rd_kafka_message_timestamp(message, &timestampType)
    context.completion(.success(RecordMetadata(
        topic: context.topic, partition: message.pointee.partition,
        offset: message.pointee.offset, timestamp: timestamp
    )))
}

private func reportTaggedDelivery(_ tag: UInt64, message: UnsafePointer<rd_kafka_message_t>, rk: OpaquePointer?) {
    guard let callbacks = rdKafkaCallbacks(of: rk) else { return }
    let err = message.pointee.err
    var delivery = Delivery(tag: tag, partition: message.pointee.partition, offset: -1, timestamp: -1, error: nil)
    if err == RD_KAFKA_RESP_ERR_NO_ERROR {
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        delivery.offset = message.pointee.offset
        delivery.timestamp = rd_kafka_message_timestamp(message, &timestampType)
    } else {
        let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "?"
        var error = KafkaError.rdKafka(err, "delivery to topic '\(topic)' failed")
        if let rk, let fatal = RDKafkaClient.fatalError(of: rk) {
            error = fatal
            error.message = "delivery to topic '\(topic)' failed: \(fatal.message)"
        }
        delivery.error = error
    }
    callbacks.taggedDeliveries.append(delivery)
}
