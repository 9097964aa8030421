import CRdKafka
import Synchronization

/// A producer's `rd_kafka_topic_t` handles by topic name: created on a topic's first send and
/// destroyed together by ``destroyAll()``, which the client's drain calls before
/// `rd_kafka_destroy`.
///
/// Producing through a handle (`RD_KAFKA_VTYPE_RKT`) spares librdkafka its per-record look-up
/// of the topic by name, which takes the client's write lock, contended by its broker threads.
final class RDKafkaTopicHandles: Sendable {
    private struct State {
        var handles: [String: SendablePointer] = [:]
        var destroyed = false
    }

    private let state = Mutex(State())

    /// The handle of `topic`, created if needed. Call only while lending the client's handle
    /// (``RDKafkaClient/withHandle(_:)``), so that ``destroyAll()`` cannot run meanwhile.
    ///
    /// - Throws: ``KafkaError/Code/invalidArgument`` for a name librdkafka refuses (over 512 bytes).
    func handle(for topic: String, rk: OpaquePointer) throws(KafkaError) -> OpaquePointer {
        try state.withLock { state throws(KafkaError) -> SendablePointer in
            if let existing = state.handles[topic] { return existing }
            guard !state.destroyed else { throw KafkaError(.clientClosed, "the Kafka producer was closed") }
            guard let created = rd_kafka_topic_new(rk, topic, nil) else {
                throw KafkaError.rdKafka(rd_kafka_last_error(), "cannot send to topic '\(topic)'")
            }
            let handle = SendablePointer(pointer: created)
            state.handles[topic] = handle
            return handle
        }.pointer
    }

    /// Destroys every handle; later look-ups fail. Called once no send can be running.
    func destroyAll() {
        state.withLock { state in
            for handle in state.handles.values { rd_kafka_topic_destroy(handle.pointer) }
            state.handles.removeAll()
            state.destroyed = true
        }
    }
}
