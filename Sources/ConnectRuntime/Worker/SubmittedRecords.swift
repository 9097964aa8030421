import ConnectAPI

/// The source offsets a task may commit: for each source partition, the offset of the newest
/// record such that it and every record submitted before it from that partition have been
/// acknowledged by Kafka (Apache's `SubmittedRecords`). Offsets of records still in flight
/// are never committed, so a crash never skips an unwritten record.
struct SubmittedRecords: Sendable {
    /// One record sent to Kafka and not yet covered by a committable offset.
    struct Submitted: Sendable {
        let partition: OffsetMap
        let offset: OffsetMap
        var acknowledged = false
    }

    /// A handle that identifies one submitted record when its acknowledgement arrives.
    struct Ticket: Hashable, Sendable {
        fileprivate let partition: OffsetMap
        fileprivate let sequence: UInt64
    }

    private var pending: [OffsetMap: [(sequence: UInt64, record: Submitted)]] = [:]
    private var committable: [OffsetMap: OffsetMap] = [:]
    private var nextSequence: UInt64 = 0

    /// Number of records sent but not yet acknowledged or committable.
    private(set) var inFlight = 0

    /// Records a record just handed to the producer. Records without a source partition or
    /// offset (allowed by the API) are never committed and return `nil`.
    mutating func submit(partition: OffsetMap?, offset: OffsetMap?) -> Ticket? {
        guard let partition, let offset else { return nil }
        nextSequence += 1
        pending[partition, default: []].append((nextSequence, Submitted(partition: partition, offset: offset)))
        inFlight += 1
        return Ticket(partition: partition, sequence: nextSequence)
    }

    /// Marks a record acknowledged and advances its partition's committable offset over every
    /// acknowledged record at the head of the queue.
    mutating func acknowledge(_ ticket: Ticket) {
        guard var queue = pending[ticket.partition],
              let index = queue.firstIndex(where: { $0.sequence == ticket.sequence }) else { return }
        queue[index].record.acknowledged = true
        var advanced = 0
        while let head = queue.first, head.record.acknowledged {
            committable[ticket.partition] = head.record.offset
            queue.removeFirst()
            advanced += 1
        }
        inFlight -= advanced
        pending[ticket.partition] = queue.isEmpty ? nil : queue
    }

    /// Takes the offsets that became committable since the last call.
    mutating func takeCommittable() -> [OffsetMap: OffsetMap] {
        defer { committable.removeAll() }
        return committable
    }

    /// Puts back offsets whose flush failed, unless newer ones arrived meanwhile.
    mutating func restore(_ offsets: [OffsetMap: OffsetMap]) {
        committable.merge(offsets) { newer, _ in newer }
    }
}
