import KafkaProtocol
import MirrorClient

/// The offset syncs the checkpoint task has read, and offset translation over them (Apache's
/// `OffsetSyncStore`, with the sync history of KAFKA-14666 / KAFKA-15202).
///
/// Per source partition it keeps ``syncsPerPartition`` slots: slot 0 holds the latest sync and
/// older slots hold older syncs spaced roughly exponentially, so that group offsets behind the
/// newest sync can still be translated. For slots `i <= j` the store keeps
/// `syncs[j].upstream <= syncs[i].upstream < syncs[j].upstream + 2^j - 2^i` (invariant B) and,
/// for distinct neighbours, `syncs[i].upstream >= syncs[i+1].upstream + 2^max(i-2,0)` (invariant C).
///
/// Beyond Apache Kafka: the last ``recentSyncsPerPartition`` syncs of each partition are also
/// kept in full, so a group up to that many syncs behind the newest one translates to within
/// `offset.lag.max` of its position instead of the coarser exponential history. Both come from
/// the same log and are reset together, so translation never skips a record either way.
///
/// Nothing is translated before the syncs topic was read to its end once
/// (``markReadToEnd()``). While that first read runs and ``initializationMustReadToEnd`` is set
/// (no earlier checkpoints could be loaded), each sync replaces the whole history, so the first
/// translations never use syncs older than the last one before the restart.
public struct OffsetSyncStore: Sendable {
    /// One slot per bit of an offset.
    public static let syncsPerPartition = 64
    /// How many of the newest syncs per partition are kept in full by default (about 40 bytes
    /// each; with `offset.lag.max=100` they cover the last ~25,000 records of a partition).
    public static let defaultRecentSyncsPerPartition = 256

    /// A stored sync with the identity of the record it came from: two records with equal
    /// contents are still two syncs (Apache compares sync objects by reference).
    private struct Slot: Sendable, Equatable {
        var sync: OffsetSync
        var id: UInt64

        static func == (lhs: Slot, rhs: Slot) -> Bool { lhs.id == rhs.id }
        var upstreamOffset: Int64 { sync.upstreamOffset }
    }

    private var offsetSyncs: [TopicPartition: [Slot]] = [:]
    /// The newest syncs per partition in log order (upstream offsets never decrease: a rewind
    /// resets them), between `recentSyncsPerPartition` and twice that many.
    private var recentSyncs: [TopicPartition: [OffsetSync]] = [:]
    private var handledSyncs: UInt64 = 0
    public private(set) var isReadToEnd = false
    public private(set) var initializationMustReadToEnd = true
    /// How many of the newest syncs per partition are kept in full (0: Apache's history only).
    public let recentSyncsPerPartition: Int

    public init(recentSyncsPerPartition: Int = Self.defaultRecentSyncsPerPartition) {
        self.recentSyncsPerPartition = max(recentSyncsPerPartition, 0)
    }

    /// Prepares the initial read; `mustReadToEnd` is true when earlier checkpoints could not be
    /// loaded (Apache's `start(initializationMustReadToEnd)`).
    public mutating func beginInitialRead(mustReadToEnd: Bool) {
        initializationMustReadToEnd = mustReadToEnd
    }

    /// Records that the syncs topic was read to its end once; translation starts.
    public mutating func markReadToEnd() {
        isReadToEnd = true
    }

    /// Adds a sync read from the offset-syncs topic, in log order.
    public mutating func handle(_ sync: OffsetSync) {
        handledSyncs += 1
        let slot = Slot(sync: sync, id: handledSyncs)
        if let existing = offsetSyncs[sync.topicPartition] {
            var updated = existing
            let reset = update(&updated, original: existing, with: slot)
            offsetSyncs[sync.topicPartition] = updated
            if reset { recentSyncs[sync.topicPartition] = nil }
        } else {
            offsetSyncs[sync.topicPartition] = Array(repeating: slot, count: Self.syncsPerPartition)
        }
        if recentSyncsPerPartition > 0 {
            var recent = recentSyncs.removeValue(forKey: sync.topicPartition) ?? []
            // Downstream offsets going back (target topic truncated or recreated) make older
            // syncs point into a log that is gone: start over.
            if let last = recent.last, sync.downstreamOffset < last.downstreamOffset { recent.removeAll() }
            recent.append(sync)
            if recent.count >= 2 * recentSyncsPerPartition { recent.removeFirst(recent.count - recentSyncsPerPartition) }
            recentSyncs[sync.topicPartition] = recent
        }
    }

    /// The downstream offset equivalent to `upstreamOffset` of `topicPartition` (a source
    /// partition): the downstream offset of the latest sync at or before `upstreamOffset`, plus
    /// one if the group is past that sync (records after a sync may have been filtered or not be
    /// replicated yet, so anything more could skip data).
    ///
    /// - Returns: `nil` when there is nothing to translate with (initial read not finished, or no
    ///   sync for the partition); -1 when every known sync is after `upstreamOffset`, so that the
    ///   offset is too old to translate.
    public func translateDownstream(group: String, topicPartition: TopicPartition, upstreamOffset: Int64) -> Int64? {
        guard isReadToEnd, let syncs = offsetSyncs[topicPartition] else { return nil }
        var sync = Self.latestSync(syncs, atOrBefore: upstreamOffset).sync
        if let recent = recentSyncs[topicPartition].flatMap({ Self.latestSync($0, atOrBefore: upstreamOffset) }),
           recent.upstreamOffset > sync.upstreamOffset || sync.upstreamOffset > upstreamOffset {
            sync = recent
        }
        guard sync.upstreamOffset <= upstreamOffset else { return -1 }
        return sync.downstreamOffset + (sync.upstreamOffset == upstreamOffset ? 0 : 1)
    }

    /// The sync in slot `index` for `topicPartition` (0: the latest), for tests and diagnostics.
    public func sync(for topicPartition: TopicPartition, slot index: Int) -> OffsetSync? {
        guard let syncs = offsetSyncs[topicPartition], syncs.indices.contains(index) else { return nil }
        return syncs[index].sync
    }

    /// How many different sync records the slots of `topicPartition` hold (0 without syncs).
    public func distinctSyncCount(for topicPartition: TopicPartition) -> Int {
        guard let syncs = offsetSyncs[topicPartition] else { return 0 }
        return zip(syncs, syncs.dropFirst()).reduce(1) { count, pair in pair.0 == pair.1 ? count : count + 1 }
    }

    /// The partitions that have syncs.
    public var topicPartitions: Set<TopicPartition> { Set(offsetSyncs.keys) }

    // MARK: Sync history

    /// Adds `sync` to the history; returns true when it replaced the whole history.
    private func update(_ syncs: inout [Slot], original: [Slot], with sync: Slot) -> Bool {
        let count = Self.syncsPerPartition
        let onlyLoadLastOffset = !isReadToEnd && initializationMustReadToEnd
        // An upstream rewind (topic recreated, or a new replication flow) invalidates everything.
        let upstreamRewind = sync.upstreamOffset < syncs[0].upstreamOffset
        if onlyLoadLastOffset || upstreamRewind {
            syncs = Array(repeating: sync, count: count)
            return true
        }
        var replacement = sync
        var replacementIndex = 0
        syncs[0] = replacement
        for current in 1..<count {
            let previous = current - 1
            // Prefer promoting an older sync from the original array, keeping more distinct syncs.
            var skipOldValue: Bool
            repeat {
                let oldValue = original[replacementIndex]
                let isRecent = Self.invariantB(syncs[previous], oldValue, previous, current)
                let separatedFromPrevious = Self.invariantC(syncs[previous], oldValue, previous)
                let next = current + 1
                let separatedFromNext = next >= count || Self.invariantC(oldValue, syncs[next], current)
                let nextReplacement = replacementIndex + 1
                let duplicate = nextReplacement < count && oldValue == original[nextReplacement]
                let promote = isRecent && separatedFromPrevious && separatedFromNext
                if promote { replacement = oldValue }
                skipOldValue = duplicate || !separatedFromPrevious
                if promote || skipOldValue { replacementIndex += 1 }
            } while replacementIndex < current && skipOldValue
            // Once invariant B holds here, it holds for every later slot too.
            if Self.invariantB(syncs[previous], syncs[current], previous, current) { break }
            syncs[current] = replacement
        }
        return false
    }

    /// Slot `j` is not too old relative to slot `i`.
    private static func invariantB(_ iSync: Slot, _ jSync: Slot, _ i: Int, _ j: Int) -> Bool {
        let bound = jSync.upstreamOffset &+ (Int64(1) &<< Int64(j)) &- (Int64(1) &<< Int64(i))
        return iSync == jSync || bound < 0 || iSync.upstreamOffset <= bound
    }

    /// Slot `i` is far enough ahead of `jSync` to be worth keeping as a separate sync.
    private static func invariantC(_ iSync: Slot, _ jSync: Slot, _ i: Int) -> Bool {
        let bound = jSync.upstreamOffset &+ (Int64(1) &<< Int64(max(i - 2, 0)))
        return iSync == jSync || (bound >= 0 && iSync.upstreamOffset >= bound)
    }

    /// The newest of `recent` (log order, upstream offsets non-decreasing) at or before
    /// `upstreamOffset`, by binary search.
    private static func latestSync(_ recent: [OffsetSync], atOrBefore upstreamOffset: Int64) -> OffsetSync? {
        var low = 0
        var high = recent.count
        while low < high {
            let middle = (low + high) / 2
            if recent[middle].upstreamOffset <= upstreamOffset { low = middle + 1 } else { high = middle }
        }
        return low > 0 ? recent[low - 1] : nil
    }

    private static func latestSync(_ syncs: [Slot], atOrBefore upstreamOffset: Int64) -> Slot {
        // Newest first: the first sync at or before the offset gives the best translation.
        syncs.first { $0.upstreamOffset <= upstreamOffset } ?? syncs[syncs.count - 1]
    }
}
