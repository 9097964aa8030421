import CRdKafka
import Foundation
import Synchronization

// The only file of the benchmark that talks to librdkafka directly: the "ceiling" loop, a
// consume→produce loop with nothing between the two C clients. Everything it creates (confs,
// handles, topic handle, partition list, messages) is destroyed before it returns.

/// A bare librdkafka consume→produce loop: assigns `partitions` of `sourceTopic` from the
/// beginning, produces every record (same partition, key, value, headers, timestamp) to
/// `targetTopic`, and returns once `expected` records were consumed and every produced record
/// was acknowledged.
///
/// Runs on the calling thread and blocks it: call it from a dedicated `Thread`.
struct RawLibrdkafkaLoop {
    var sourceBootstrap: String
    var targetBootstrap: String
    var sourceTopic: String
    var partitions: [Int32]
    var targetTopic: String
    var expected: Int
    /// librdkafka property names; applied on top of the bootstrap servers.
    var consumerProperties: [String: String]
    var producerProperties: [String: String]
    var timeout: Duration

    /// - Returns: the number of records acknowledged by the target cluster.
    func run() throws -> Int {
        let delivery = DeliveryCounter()
        let unmanagedDelivery = Unmanaged.passRetained(delivery)
        defer { unmanagedDelivery.release() }

        var consumerSettings = consumerProperties
        consumerSettings["bootstrap.servers"] = sourceBootstrap
        let consumer = try makeClient(RD_KAFKA_CONSUMER, consumerSettings, opaque: nil)
        defer { rd_kafka_destroy(consumer) }
        var producerSettings = producerProperties
        producerSettings["bootstrap.servers"] = targetBootstrap
        let producer = try makeClient(RD_KAFKA_PRODUCER, producerSettings, opaque: unmanagedDelivery.toOpaque())
        defer { rd_kafka_destroy(producer) }
        defer { rd_kafka_consumer_close(consumer) }

        // Errors and logs of the consumer arrive through consumer_poll, as messages with `err`.
        rd_kafka_poll_set_consumer(consumer)
        guard let list = rd_kafka_topic_partition_list_new(Int32(partitions.count)) else {
            throw BenchError("rd_kafka_topic_partition_list_new failed")
        }
        for partition in partitions {
            rd_kafka_topic_partition_list_add(list, sourceTopic, partition).pointee.offset = Int64(RD_KAFKA_OFFSET_BEGINNING)
        }
        let assigned = rd_kafka_assign(consumer, list)
        rd_kafka_topic_partition_list_destroy(list)
        guard assigned == RD_KAFKA_RESP_ERR_NO_ERROR else { throw BenchError("assign: \(errorName(assigned))") }

        guard let topicHandle = rd_kafka_topic_new(producer, targetTopic, nil) else {
            throw BenchError("rd_kafka_topic_new(\(targetTopic)) failed")
        }
        defer { rd_kafka_topic_destroy(topicHandle) }

        let deadline = ContinuousClock.now + timeout
        var consumed = 0
        while consumed < expected {
            guard ContinuousClock.now < deadline else {
                throw BenchError("raw loop timed out after \(timeout): consumed \(consumed) of \(expected)")
            }
            rd_kafka_poll(producer, 0)
            guard let message = rd_kafka_consumer_poll(consumer, 100) else { continue }
            defer { rd_kafka_message_destroy(message) }
            let err = message.pointee.err
            if err == RD_KAFKA_RESP_ERR__PARTITION_EOF { continue }
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw BenchError("consume: \(errorName(err))") }
            try produce(copyOf: message, to: topicHandle, producer: producer)
            consumed += 1
        }
        let flushed = rd_kafka_flush(producer, Int32(clamping: timeout.milliseconds))
        guard flushed == RD_KAFKA_RESP_ERR_NO_ERROR else { throw BenchError("flush: \(errorName(flushed))") }
        let (acknowledged, failed, firstError) = delivery.snapshot()
        guard failed == 0 else { throw BenchError("\(failed) deliveries failed, first: \(firstError ?? "?")") }
        return acknowledged
    }

    /// Produces a copy of `message` (same partition, key, value, headers and timestamp),
    /// waiting for room while the local queue is full.
    private func produce(
        copyOf message: UnsafeMutablePointer<rd_kafka_message_t>, to topicHandle: OpaquePointer, producer: OpaquePointer
    ) throws {
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        var sourceHeaders: OpaquePointer?
        let hasHeaders = rd_kafka_message_headers(message, &sourceHeaders) == RD_KAFKA_RESP_ERR_NO_ERROR
        while true {
            // Ownership of a header copy passes to librdkafka only when the produce succeeds.
            let headers = hasHeaders ? sourceHeaders.flatMap { rd_kafka_headers_copy($0) } : nil
            let error: OpaquePointer? = withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 7) { args in
                var count = 0
                func append(_ type: rd_kafka_vtype_t, _ set: (inout rd_kafka_vu_t) -> Void) {
                    var arg = rd_kafka_vu_t()
                    arg.vtype = type
                    set(&arg)
                    args.initializeElement(at: count, to: arg)
                    count += 1
                }
                append(RD_KAFKA_VTYPE_RKT) { $0.u.rkt = topicHandle }
                append(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = message.pointee.partition }
                append(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                if let key = message.pointee.key {
                    append(RD_KAFKA_VTYPE_KEY) { $0.u.mem.ptr = key; $0.u.mem.size = message.pointee.key_len }
                }
                append(RD_KAFKA_VTYPE_VALUE) { $0.u.mem.ptr = message.pointee.payload; $0.u.mem.size = message.pointee.len }
                if timestamp >= 0 { append(RD_KAFKA_VTYPE_TIMESTAMP) { $0.u.i64 = timestamp } }
                if let headers { append(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = headers } }
                defer { args.baseAddress!.deinitialize(count: count) }
                return rd_kafka_produceva(producer, args.baseAddress, count)
            }
            guard let error else { return }
            let code = rd_kafka_error_code(error)
            rd_kafka_error_destroy(error)
            if let headers { rd_kafka_headers_destroy(headers) }
            guard code == RD_KAFKA_RESP_ERR__QUEUE_FULL else { throw BenchError("produce: \(errorName(code))") }
            rd_kafka_poll(producer, 10)
        }
    }

    private func makeClient(_ type: rd_kafka_type_t, _ properties: [String: String], opaque: UnsafeMutableRawPointer?) throws -> OpaquePointer {
        let conf = rd_kafka_conf_new()
        var errorText = [CChar](repeating: 0, count: 512)
        for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
            guard rd_kafka_conf_set(conf, name, value, &errorText, errorText.count) == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                throw BenchError("librdkafka property \(name)=\(value): \(cString(errorText))")
            }
        }
        if type == RD_KAFKA_PRODUCER {
            rd_kafka_conf_set_opaque(conf, opaque)
            rd_kafka_conf_set_dr_msg_cb(conf, rawDeliveryReport)
        }
        // On success the handle owns the conf; on failure it is still ours.
        guard let handle = rd_kafka_new(type, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            throw BenchError("rd_kafka_new: \(cString(errorText))")
        }
        return handle
    }
}

/// Counts delivery reports; written from librdkafka's callback (on the polling thread).
private final class DeliveryCounter: Sendable {
    private struct State {
        var acknowledged = 0
        var failed = 0
        var firstError: String?
    }

    private let state = Mutex(State())

    func record(_ err: rd_kafka_resp_err_t) {
        state.withLock { state in
            if err == RD_KAFKA_RESP_ERR_NO_ERROR {
                state.acknowledged += 1
            } else {
                state.failed += 1
                if state.firstError == nil { state.firstError = errorName(err) }
            }
        }
    }

    func snapshot() -> (acknowledged: Int, failed: Int, firstError: String?) {
        state.withLock { ($0.acknowledged, $0.failed, $0.firstError) }
    }
}

private let rawDeliveryReport: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
    _, message, opaque in
    guard let message, let opaque else { return }
    Unmanaged<DeliveryCounter>.fromOpaque(opaque).takeUnretainedValue().record(message.pointee.err)
}

private func errorName(_ err: rd_kafka_resp_err_t) -> String {
    "\(String(cString: rd_kafka_err2name(err))): \(String(cString: rd_kafka_err2str(err)))"
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

private func cString(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
