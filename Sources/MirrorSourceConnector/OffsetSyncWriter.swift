import KafkaProtocol
import MirrorClient
import Synchronization

/// Decides when MirrorSourceTask records an upstream/downstream offset pair in the offset-syncs
/// topic and limits how many such writes are in flight, like Apache Kafka's `OffsetSyncWriter`.
///
/// A sync is sent at once ("pending") when it is the first for the partition in this task's
/// lifetime, when the downstream offset is `offset.lag.max` or more past the last sync (+1),
/// when upstream offsets skipped (gaps, transaction markers, filtered records) or when
/// downstream offsets went backwards. Otherwise it is "delayed": the newest delayed sync per
/// partition is promoted on the task's `commit()`. At most ``maxOutstanding`` syncs are in
/// flight; the rest wait as pending, in order.
///
/// Beyond Apache Kafka: a pending sync is not replaced by a newer one of the same partition
/// (Apache keeps only the newest), so a burst of replication still leaves a sync every
/// `offset.lag.max` records and translation stays that precise. Only past ``maxPending``
/// waiting syncs does a newer sync replace its partition's newest pending one, as Apache does.
///
/// Thread-safe; the sender is called outside the lock.
public final class OffsetSyncWriter: Sendable {
    /// Hands a sync to the producer; `completion` must be called exactly once when the send
    /// finished (acknowledged or failed), which frees its in-flight slot.
    public typealias Sender = @Sendable (_ sync: OffsetSync, _ completion: @escaping @Sendable () -> Void) -> Void

    public static let defaultMaxOutstanding = 10
    public static let defaultMaxPending = 10_000

    /// The per-partition bookkeeping of Apache's `OffsetSyncWriter.PartitionState`.
    public struct PartitionState: Hashable, Sendable {
        public var previousUpstreamOffset: Int64 = -1
        public var previousDownstreamOffset: Int64 = -1
        public var lastSyncDownstreamOffset: Int64 = -1
        public var maxOffsetLag: Int64
        public var shouldSyncOffsets = false

        public init(maxOffsetLag: Int64) {
            self.maxOffsetLag = maxOffsetLag
        }

        /// Records a replicated pair; `true` when a sync should be sent now.
        public mutating func update(upstreamOffset: Int64, downstreamOffset: Int64) -> Bool {
            let noPreviousSync = lastSyncDownstreamOffset == -1
            // A translated offset lands one past the last sync, hence the +1.
            let translatedTooStale = downstreamOffset - (lastSyncDownstreamOffset + 1) >= maxOffsetLag
            let skippedUpstream = upstreamOffset - previousUpstreamOffset != 1
            let downstreamWentBack = downstreamOffset < previousDownstreamOffset
            if noPreviousSync || translatedTooStale || skippedUpstream || downstreamWentBack {
                lastSyncDownstreamOffset = downstreamOffset
                shouldSyncOffsets = true
            }
            previousUpstreamOffset = upstreamOffset
            previousDownstreamOffset = downstreamOffset
            return shouldSyncOffsets
        }

        public mutating func reset() {
            shouldSyncOffsets = false
        }
    }

    /// Syncs by partition, in first-insertion order (Java's `LinkedHashMap`).
    struct OrderedSyncs: Sendable {
        private(set) var order: [TopicPartition] = []
        private(set) var byPartition: [TopicPartition: OffsetSync] = [:]

        var isEmpty: Bool { order.isEmpty }
        var values: [OffsetSync] { order.compactMap { byPartition[$0] } }

        mutating func put(_ sync: OffsetSync) {
            if byPartition.updateValue(sync, forKey: sync.topicPartition) == nil {
                order.append(sync.topicPartition)
            }
        }

        mutating func remove(_ partition: TopicPartition) {
            if byPartition.removeValue(forKey: partition) != nil {
                order.removeAll { $0 == partition }
            }
        }

        mutating func removeFirst() -> OffsetSync? {
            guard !order.isEmpty else { return nil }
            return byPartition.removeValue(forKey: order.removeFirst())
        }

        mutating func removeAll() {
            order.removeAll(keepingCapacity: true)
            byPartition.removeAll(keepingCapacity: true)
        }
    }

    /// Syncs waiting to be sent, first in first out.
    struct PendingSyncs: Sendable {
        private var syncs: [OffsetSync] = []
        private var head = 0

        var isEmpty: Bool { head == syncs.count }
        var count: Int { syncs.count - head }
        var values: [OffsetSync] { Array(syncs[head...]) }

        /// Appends `sync`; with `limit` waiting already, replaces the newest pending sync of its
        /// partition instead (or still appends when there is none).
        mutating func put(_ sync: OffsetSync, limit: Int) {
            if count >= limit, let index = syncs[head...].lastIndex(where: { $0.topicPartition == sync.topicPartition }) {
                syncs[index] = sync
            } else {
                syncs.append(sync)
            }
        }

        mutating func removeFirst() -> OffsetSync? {
            guard !isEmpty else { return nil }
            let first = syncs[head]
            head += 1
            if head == syncs.count {
                syncs.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024, head * 2 >= syncs.count {
                syncs.removeFirst(head)
                head = 0
            }
            return first
        }
    }

    struct State: Sendable {
        var partitionStates: [TopicPartition: PartitionState] = [:]
        var delayed = OrderedSyncs()
        var pending = PendingSyncs()
        var outstanding = 0
    }

    public let maxOffsetLag: Int64
    public let maxOutstanding: Int
    public let maxPending: Int
    private let sender: Sender
    private let state = Mutex(State())

    public init(
        maxOffsetLag: Int64, maxOutstanding: Int = OffsetSyncWriter.defaultMaxOutstanding,
        maxPending: Int = OffsetSyncWriter.defaultMaxPending, sender: @escaping Sender
    ) {
        self.maxOffsetLag = maxOffsetLag
        self.maxOutstanding = maxOutstanding
        self.maxPending = max(maxPending, 1)
        self.sender = sender
    }

    /// Records that `upstreamOffset` of `partition` was written at `downstreamOffset`, queueing
    /// a sync (pending or delayed); returns whether syncs are pending.
    @discardableResult
    public func maybeQueueOffsetSync(_ partition: TopicPartition, upstreamOffset: Int64, downstreamOffset: Int64) -> Bool {
        maybeQueueOffsetSyncs([OffsetSync(topicPartition: partition, upstreamOffset: upstreamOffset, downstreamOffset: downstreamOffset)])
    }

    /// ``maybeQueueOffsetSync(_:upstreamOffset:downstreamOffset:)`` for each replicated pair, in
    /// order, under one lock: a run of pairs of one partition looks its state up once and
    /// leaves only its newest unsent pair delayed (as one call per pair would).
    @discardableResult
    public func maybeQueueOffsetSyncs(_ replicated: [OffsetSync]) -> Bool {
        let lag = maxOffsetLag
        return state.withLock { state in
            var start = replicated.startIndex
            while start < replicated.endIndex {
                let partition = replicated[start].topicPartition
                var end = start + 1
                while end < replicated.endIndex, replicated[end].topicPartition == partition { end += 1 }
                var partitionState = state.partitionStates[partition] ?? PartitionState(maxOffsetLag: lag)
                var newestDelayed: OffsetSync?
                for sync in replicated[start..<end] {
                    if partitionState.update(upstreamOffset: sync.upstreamOffset, downstreamOffset: sync.downstreamOffset) {
                        newestDelayed = nil
                        state.delayed.remove(partition)
                        state.pending.put(sync, limit: maxPending)
                        partitionState.reset()
                    } else {
                        newestDelayed = sync
                    }
                }
                if let newestDelayed { state.delayed.put(newestDelayed) }
                state.partitionStates[partition] = partitionState
                start = end
            }
            return !state.pending.isEmpty
        }
    }

    /// Moves every delayed sync to pending (called on the task's `commit()`).
    public func promoteDelayedOffsetSyncs() {
        state.withLock { state in
            for sync in state.delayed.values { state.pending.put(sync, limit: maxPending) }
            state.delayed.removeAll()
        }
    }

    /// Sends pending syncs while fewer than ``maxOutstanding`` are in flight.
    public func firePendingOffsetSyncs() {
        while let sync = state.withLock({ state -> OffsetSync? in
            guard !state.pending.isEmpty, state.outstanding < maxOutstanding else { return nil }
            state.outstanding += 1
            return state.pending.removeFirst()
        }) {
            sender(sync) { self.state.withLock { $0.outstanding -= 1 } }
        }
    }

    // MARK: Inspection

    public var pendingOffsetSyncs: [OffsetSync] { state.withLock { $0.pending.values } }
    public var delayedOffsetSyncs: [OffsetSync] { state.withLock { $0.delayed.values } }
    public var partitionStates: [TopicPartition: PartitionState] { state.withLock { $0.partitionStates } }
    public var outstandingOffsetSyncs: Int { state.withLock { $0.outstanding } }
}
