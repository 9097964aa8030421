import ConnectAPI

/// The source offsets a task may commit: for each source partition, the offset of the newest
/// record such that it and every record submitted before it from that partition have been
/// acknowledged by Kafka (Apache's `SubmittedRecords`). Offsets of records still in flight
/// are never committed, so a crash never skips an unwritten record.
///
/// Generic over how partitions and offsets are named: Connect's maps for ``SourceRecord``s
/// (``SourceRecordOffsets``), a lane number and a Kafka offset for copied records.
///
/// Submitting and acknowledging are O(1) (amortized): a ticket names its partition's queue by
/// index and its record by a per-partition sequence number, and the newest committable offset
/// stays in its queue, so acknowledging hashes no offset map and no queue is copied, however
/// many records are in flight. Submitting hashes the source partition only when it differs
/// from the previous record's.
struct SubmittedRecords<Partition: Hashable & Sendable, Offset: Sendable>: Sendable {
    /// A handle that identifies one submitted record when its acknowledgement arrives.
    struct Ticket: Hashable, Sendable {
        fileprivate let queue: Int
        fileprivate let sequence: UInt64
    }

    /// The records of one source partition not yet covered by a committable offset, oldest
    /// first, from `head` on (entries before `head` are resolved and wait for compaction).
    private struct PartitionQueue: Sendable {
        let partition: Partition
        /// The newest offset that became committable since the last ``takeCommittable()``.
        var committable: Offset?
        var offsets: [Offset] = []
        var acknowledged: [Bool] = []
        var head = 0
        /// The sequence number of `offsets[head]`.
        var headSequence: UInt64 = 0

        init(partition: Partition) { self.partition = partition }

        var nextSequence: UInt64 { headSequence + UInt64(offsets.count - head) }

        mutating func append(_ offset: Offset) -> UInt64 {
            let sequence = nextSequence
            offsets.append(offset)
            acknowledged.append(false)
            return sequence
        }

        /// Marks a record acknowledged; returns how many records at the head became resolved
        /// and the offset of the newest of them.
        mutating func acknowledge(_ sequence: UInt64) -> (advanced: Int, offset: Offset?) {
            guard sequence >= headSequence else { return (0, nil) }
            let index = head + Int(sequence - headSequence)
            guard index < offsets.count else { return (0, nil) }
            acknowledged[index] = true
            let start = head
            while head < offsets.count, acknowledged[head] { head += 1 }
            let advanced = head - start
            // Copied once, before the resolved prefix may be dropped below.
            let newest = advanced > 0 ? offsets[head - 1] : nil
            headSequence += UInt64(advanced)
            if head == offsets.count {
                offsets.removeAll(keepingCapacity: true)
                acknowledged.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024, head * 2 >= offsets.count {
                // Amortized O(1): the resolved prefix is dropped once it is half the storage.
                offsets.removeFirst(head)
                acknowledged.removeFirst(head)
                head = 0
            }
            return (advanced, newest)
        }
    }

    private var queueIndex: [Partition: Int] = [:]
    private var queues: [PartitionQueue] = []
    /// The queues holding a ``PartitionQueue/committable`` offset.
    private var committableQueues: [Int] = []
    /// The queue of the last submitted record's partition (records come in runs per partition).
    private var lastQueue: (partition: Partition, index: Int)?

    /// Number of records sent but not yet acknowledged or committable.
    private(set) var inFlight = 0

    /// Records a record just handed to the producer. Records without a source partition or
    /// offset (allowed by the API) are never committed and return `nil`.
    mutating func submit(partition: Partition?, offset: Offset?) -> Ticket? {
        guard let partition, let offset else { return nil }
        let index: Int
        if let last = lastQueue, last.partition == partition {
            index = last.index
        } else {
            if let existing = queueIndex[partition] {
                index = existing
            } else {
                index = queues.count
                queues.append(PartitionQueue(partition: partition))
                queueIndex[partition] = index
            }
            lastQueue = (partition, index)
        }
        inFlight += 1
        return Ticket(queue: index, sequence: queues[index].append(offset))
    }

    /// Marks a record acknowledged and advances its partition's committable offset over every
    /// acknowledged record at the head of the queue.
    mutating func acknowledge(_ ticket: Ticket) {
        guard queues.indices.contains(ticket.queue) else { return }
        let (advanced, newest) = queues[ticket.queue].acknowledge(ticket.sequence)
        guard let newest else { return }
        if queues[ticket.queue].committable == nil { committableQueues.append(ticket.queue) }
        queues[ticket.queue].committable = newest
        inFlight -= advanced
    }

    /// Takes the offsets that became committable since the last call.
    mutating func takeCommittable() -> [Partition: Offset] {
        var offsets: [Partition: Offset] = [:]
        for index in committableQueues {
            offsets[queues[index].partition] = queues[index].committable
            queues[index].committable = nil
        }
        committableQueues.removeAll(keepingCapacity: true)
        return offsets
    }

    /// Puts back offsets whose flush failed, unless newer ones arrived meanwhile.
    mutating func restore(_ offsets: [Partition: Offset]) {
        for (partition, offset) in offsets {
            guard let index = queueIndex[partition], queues[index].committable == nil else { continue }
            queues[index].committable = offset
            committableQueues.append(index)
        }
    }
}

/// ``SubmittedRecords`` of ``SourceRecord``s, by their source partitions and offsets.
typealias SourceRecordOffsets = SubmittedRecords<OffsetMap, OffsetMap>
