import CRdKafka
import KafkaProtocol

/// Owns an `rd_kafka_topic_partition_list_t` for the length of one call.
final class RDKafkaTopicPartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(capacity: Int = 4) {
        pointer = rd_kafka_topic_partition_list_new(Int32(clamping: max(1, capacity)))
    }

    convenience init(_ offsets: [TopicPartition: Int64]) {
        self.init(capacity: offsets.count)
        for (partition, offset) in offsets.sorted(by: { $0.key < $1.key }) { add(partition, offset: offset) }
    }

    convenience init(_ partitions: some Collection<TopicPartition>, offset: Int64 = Int64(RD_KAFKA_OFFSET_INVALID)) {
        self.init(capacity: partitions.count)
        for partition in partitions { add(partition, offset: offset) }
    }

    deinit { rd_kafka_topic_partition_list_destroy(pointer) }

    func add(_ partition: TopicPartition, offset: Int64) {
        let entry = rd_kafka_topic_partition_list_add(pointer, partition.topic, partition.partition)!
        entry.pointee.offset = offset
    }

    var entries: [RDKafkaTopicPartitionEntry] { Self.entries(of: pointer) }

    /// Copies the entries of a list librdkafka owns (e.g. inside a result event).
    static func entries(of list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> [RDKafkaTopicPartitionEntry] {
        guard let list, let elements = list.pointee.elems else { return [] }
        return (0..<Int(list.pointee.cnt)).map { index in
            let element = elements[index]
            return RDKafkaTopicPartitionEntry(
                topicPartition: TopicPartition(topic: String(cString: element.topic), partition: element.partition),
                offset: element.offset,
                metadata: element.metadata.map {
                    String(decoding: UnsafeRawBufferPointer(start: $0, count: element.metadata_size), as: UTF8.self)
                } ?? "",
                error: element.err
            )
        }
    }
}

/// One copied entry of a topic-partition list.
struct RDKafkaTopicPartitionEntry: Sendable {
    var topicPartition: TopicPartition
    var offset: Int64
    var metadata: String
    var error: rd_kafka_resp_err_t

    /// Throws the entry's error, if it has one.
    func check(_ context: String) throws {
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.rdKafka(error, "\(context) for \(topicPartition)")
        }
    }
}

extension rd_kafka_resp_err_t: @retroactive @unchecked Sendable {}
