import Kafka
import KafkaProtocol
import Logging
import MirrorClient

/// The latest checkpoint per consumer group and target partition (Apache's `CheckpointStore`):
/// loaded once from the checkpoints topic when the task starts (KAFKA-15905, so a restarted task
/// keeps its checkpoints monotonic and keeps translating), then updated as checkpoints are emitted.
public struct CheckpointStore: Sendable {
    public private(set) var checkpointsPerConsumerGroup: [String: [TopicPartition: Checkpoint]]

    public init(_ checkpoints: [String: [TopicPartition: Checkpoint]] = [:]) {
        checkpointsPerConsumerGroup = checkpoints
    }

    /// Builds the store from the checkpoints topic's records in log order, keeping only `groups`
    /// (the task's groups). Records that are not checkpoints are skipped with a warning.
    public init(records: [ConsumerRecord], groups: Set<String>, logger: Logger) {
        self.init()
        for record in records {
            guard let key = record.key, let value = record.value else { continue }
            do {
                let checkpoint = try Checkpoint.decode(key: key, value: value)
                if groups.contains(checkpoint.consumerGroupId) {
                    checkpointsPerConsumerGroup[checkpoint.consumerGroupId, default: [:]][checkpoint.topicPartition] = checkpoint
                }
            } catch {
                logger.warning("Ignored an invalid checkpoint record",
                               metadata: ["offset": "\(record.offset)", "error": "\(error)"])
            }
        }
    }

    /// Records checkpoints emitted for `group`.
    public mutating func update(group: String, _ checkpoints: [TopicPartition: Checkpoint]) {
        checkpointsPerConsumerGroup[group, default: [:]].merge(checkpoints) { $1 }
    }

    /// The latest checkpoints of `group`, or `nil` if it has none.
    public func get(_ group: String) -> [TopicPartition: Checkpoint]? {
        checkpointsPerConsumerGroup[group]
    }

    /// Per group, the translated offsets (downstream offset and metadata) of its latest checkpoints.
    public func convertedUpstreamOffsets() -> [String: [TopicPartition: OffsetAndMetadata]] {
        checkpointsPerConsumerGroup.mapValues { checkpoints in
            checkpoints.mapValues { OffsetAndMetadata(offset: $0.downstreamOffset, metadata: $0.metadata) }
        }
    }
}
