import ConnectAPI
import Kafka

/// A source task whose records are Kafka records copied unchanged: same key, value, headers,
/// timestamp and partition number, only the topic changes (MirrorSourceTask).
///
/// Besides ``SourceTask/poll()``, such a task can hand the worker the consumed records
/// themselves (``pollCopies()``). When the task's key and value converters are
/// `ByteArrayConverter` (as MirrorMaker 2 requires), the worker then produces the copies
/// straight from the consumer's memory and tracks offsets as numbers, instead of building a
/// ``SourceRecord`` and a producer record per record. What lands in Kafka and in the offsets
/// topic is what `poll()` would have given: header values still go through the task's header
/// converter, and each record's source partition and offset are ``KafkaCopyLane/sourcePartition``
/// and ``sourceOffset(lane:offset:)``. Acknowledgements go to ``commitCopies(_:)`` instead of
/// `commitRecords`.
public protocol KafkaCopySourceTask: SourceTask {
    /// Where the records of each source partition go, indexed by ``KafkaCopyBatch/lanes``.
    /// Fixed once the task started.
    var copyLanes: [KafkaCopyLane] { get }

    /// Like ``SourceTask/poll()``, but returns the consumed records as they are.
    func pollCopies() async throws -> KafkaCopyBatch

    /// The source offset of the record at Kafka offset `offset` of `lane`'s partition, as
    /// ``SourceRecord/sourceOffset`` of that record would be.
    func sourceOffset(lane: Int, offset: Int64) -> SourceOffset

    /// Copies Kafka acknowledged, in acknowledgement order (per lane, the order they were
    /// polled): ``SourceTask/commitRecords(_:)`` for copies.
    func commitCopies(_ acknowledged: [KafkaCopyAcknowledgement]) async throws
}

/// One source partition of a ``KafkaCopySourceTask``.
public struct KafkaCopyLane: Sendable, Hashable {
    /// Connect's source partition of the lane's records (their key in the offsets topic).
    public var sourcePartition: SourcePartition
    /// The topic the records are copied to, into the partition they came from.
    public var targetTopic: String

    public init(sourcePartition: SourcePartition, targetTopic: String) {
        self.sourcePartition = sourcePartition
        self.targetTopic = targetTopic
    }
}

/// The records of one ``KafkaCopySourceTask/pollCopies()``.
public struct KafkaCopyBatch: Sendable {
    public var records: ConsumedBatch
    /// The lane of each of `records.runs`, in the same order.
    public var lanes: [Int]

    /// - Parameter lanes: one per partition run; the worker fails the task otherwise.
    public init(records: ConsumedBatch, lanes: [Int]) {
        self.records = records
        self.lanes = lanes
    }
}

/// A copy Kafka acknowledged: the consumed record's offset and where its copy landed.
public struct KafkaCopyAcknowledgement: Sendable, Hashable {
    public var lane: Int
    /// The offset the record was consumed at.
    public var sourceOffset: Int64
    /// The copy's offset in the target partition (-1 if the broker did not say).
    public var targetOffset: Int64

    public init(lane: Int, sourceOffset: Int64, targetOffset: Int64) {
        self.lane = lane
        self.sourceOffset = sourceOffset
        self.targetOffset = targetOffset
    }
}
