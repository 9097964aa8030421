import KafkaProtocol
import MirrorCheckpointConnector
import MirrorClient
import Testing

/// The offset sync history and translation, scenario by scenario as Apache Kafka's
/// `OffsetSyncStoreTest` (3.9) checks them (Apache's history alone: no window of recent syncs),
/// then what the window of recent syncs adds.
@Suite struct OffsetSyncStoreTests {
    let tp = TopicPartition(topic: "topic1", partition: 2)

    /// A store whose initial read applies `initialSyncs`, then is marked read to end.
    func startedStore(mustReadToEnd: Bool = true, initialSyncs: [(Int64, Int64)] = [], check: ((OffsetSyncStore) -> Void)? = nil) -> OffsetSyncStore {
        var store = OffsetSyncStore(recentSyncsPerPartition: 0)
        store.beginInitialRead(mustReadToEnd: mustReadToEnd)
        for (upstream, downstream) in initialSyncs {
            store.handle(OffsetSync(topicPartition: tp, upstreamOffset: upstream, downstreamOffset: downstream))
            check?(store)
        }
        store.markReadToEnd()
        return store
    }

    func translate(_ store: OffsetSyncStore, _ upstream: Int64) -> Int64? {
        store.translateDownstream(group: "group", topicPartition: tp, upstreamOffset: upstream)
    }

    @Test func translatesExactOffsetsAndOneBeyondASync() {
        var store = startedStore()
        store.handle(OffsetSync(topicPartition: tp, upstreamOffset: 100, downstreamOffset: 200))
        // Past the sync: only one record beyond its downstream offset, never dead reckoning.
        #expect(translate(store, 150) == 201)
        store.handle(OffsetSync(topicPartition: tp, upstreamOffset: 150, downstreamOffset: 251))
        #expect(translate(store, 150) == 251)
        // Before any sync: too old to translate.
        #expect(translate(store, 5) == -1)
        // Downstream offsets reset (target topic recreated).
        store.handle(OffsetSync(topicPartition: tp, upstreamOffset: 200, downstreamOffset: 10))
        #expect(translate(store, 200) == 10)
        // Upstream offsets reset (source topic recreated).
        store.handle(OffsetSync(topicPartition: tp, upstreamOffset: 20, downstreamOffset: 20))
        #expect(translate(store, 20) == 20)
    }

    @Test func noTranslationBeforeTheInitialReadEnds() {
        var store = OffsetSyncStore(recentSyncsPerPartition: 0)
        store.beginInitialRead(mustReadToEnd: true)
        #expect(translate(store, 100) == nil)
        store.handle(OffsetSync(topicPartition: tp, upstreamOffset: 100, downstreamOffset: 200))
        for offset: Int64 in [0, 100, 200] { #expect(translate(store, offset) == nil) }
        store.markReadToEnd()
        #expect(store.isReadToEnd)
        #expect(translate(store, 0) == -1)
        #expect(translate(store, 100) == 200)
        #expect(translate(store, 200) == 201)
    }

    @Test func noTranslationWithoutASyncForThePartition() {
        var store = startedStore()
        #expect(translate(store, 0) == nil)
        store.handle(OffsetSync(topicPartition: TopicPartition(topic: "other", partition: 2), upstreamOffset: 0, downstreamOffset: 0))
        #expect(translate(store, 0) == nil)
    }

    @Test func pastOffsetsAfterAnInitialReadThatMustReadToEnd() {
        let lag = 10
        var store = startedStore(initialSyncs: stride(from: Int64(0), through: Int64(1000), by: lag).map { ($0, $0) }) { store in
            expectSparseSyncInvariant(store)
        }
        // Only the last sync of the initial read survives it.
        expectSparseSync(store, 1000, previous: -1)
        for offset in stride(from: Int64(1000 + lag), through: Int64(10_000), by: lag) {
            store.handle(OffsetSync(topicPartition: tp, upstreamOffset: offset, downstreamOffset: offset))
            expectSparseSyncInvariant(store)
        }
        // The last sync of the initial read is still there (nothing older can be translated) ...
        expectSparseSync(store, 1000, previous: -1)
        // ... and offsets behind the newest sync translate with a precision falling with age.
        let expected: [(Int64, Int64)] = [
            (4840, 1000), (6760, 4840), (8680, 6760), (9160, 8680), (9640, 9160),
            (9880, 9640), (9940, 9880), (9970, 9940), (9990, 9970), (10_000, 9990),
        ]
        for (sync, previous) in expected { expectSparseSync(store, sync, previous: previous) }
        expectRewindClearsHistory(&store)
    }

    @Test func pastOffsetsAfterAnInitialReadOfTheWholeHistory() {
        let lag = 10
        var store = startedStore(mustReadToEnd: false, initialSyncs: stride(from: Int64(0), through: Int64(1000), by: lag).map { ($0, $0) }) { store in
            expectSparseSyncInvariant(store)
        }
        expectSparseSync(store, 480, previous: 0)
        expectSparseSync(store, 720, previous: 480)
        expectSparseSync(store, 1000, previous: 990)
        for offset in stride(from: Int64(1000), through: Int64(10_000), by: lag) {
            store.handle(OffsetSync(topicPartition: tp, upstreamOffset: offset, downstreamOffset: offset))
            expectSparseSyncInvariant(store)
        }
        let expected: [(Int64, Int64)] = [
            (3840, 0), (7680, 3840), (8640, 7680), (9120, 8640), (9600, 9120),
            (9840, 9600), (9900, 9840), (9960, 9900), (9990, 9960), (10_000, 9990),
        ]
        for (sync, previous) in expected { expectSparseSync(store, sync, previous: previous) }
        expectRewindClearsHistory(&store)
    }

    @Test func consistentlySpacedSyncsExpireAtMostOneSyncEach() {
        let iterations: Int64 = 100
        let maxStep = Int64.max / iterations
        var step: Int64 = 1
        while step < maxStep {
            for first: Int64 in 0..<30 {
                expectBoundedExpirations(first: first, steps: Array(repeating: step, count: Int(iterations)), maximum: 1)
            }
            step = step * 2 + 1
        }
    }

    /// The bounds hold for Apache's random streams (`new Random(0L)`), which are reproduced
    /// exactly; they are not guaranteed for every stream (steps of 0 can expire one more).
    @Test func randomlySpacedSyncsExpireBoundedNumbers() {
        var random = JavaRandom(seed: 0)
        let iterations = 1 << 10
        for n in 1..<(64 - 10) {
            // Steps differing by at most n bits expire at most n + 2 syncs at once.
            let mask = (Int64(1) << Int64(n)) - 1
            expectBoundedExpirations(first: 0, steps: (0..<iterations).map { _ in random.nextLong() & mask }, maximum: n + 2)
            let lagMax: Int64 = 1 << 16
            expectBoundedExpirations(first: 0, steps: (0..<iterations).map { _ in (random.nextLong() & mask) + lagMax }, maximum: n + 2)
        }
    }

    @Test func droppedSyncsExpireAtMostTwo() {
        var random = JavaRandom(seed: 0)
        // Half the gaps are offset.lag.max, half twice that, as if a sync in between was dropped.
        let steps: [Int64] = (0..<10_000).map { _ in (random.nextDouble() < 0.5 ? 2 : 1) * 100 }
        expectBoundedExpirations(first: 0, steps: steps, maximum: 2)
    }

    @Test func keepsSixtyFourSlotsOrderedNewestFirst() {
        var store = startedStore()
        for offset in stride(from: Int64(0), through: 100_000, by: 7) {
            store.handle(OffsetSync(topicPartition: tp, upstreamOffset: offset, downstreamOffset: offset * 2))
        }
        #expect(store.sync(for: tp, slot: 0)?.upstreamOffset == 99_995)
        #expect(store.sync(for: tp, slot: 63)?.upstreamOffset == 0)
        #expect(store.sync(for: tp, slot: 64) == nil)
        let upstream = (0..<64).compactMap { store.sync(for: tp, slot: $0)?.upstreamOffset }
        #expect(upstream == upstream.sorted(by: >))
        // Roughly exponential spacing: more than a handful of distinct syncs are kept.
        #expect(Set(upstream).count > 10)
        #expect(store.distinctSyncCount(for: tp) == Set(upstream).count)
        #expect(store.distinctSyncCount(for: TopicPartition(topic: "none", partition: 0)) == 0)
    }

    // MARK: Helpers

    func expectRewindClearsHistory(_ store: inout OffsetSyncStore, sourceLocation: SourceLocation = #_sourceLocation) {
        store.handle(OffsetSync(topicPartition: tp, upstreamOffset: 1500, downstreamOffset: 11_000))
        expectSparseSyncInvariant(store, sourceLocation: sourceLocation)
        #expect(translate(store, 1499) == -1, sourceLocation: sourceLocation)
        #expect(translate(store, 1500) == 11_000, sourceLocation: sourceLocation)
        #expect(translate(store, 2000) == 11_001, sourceLocation: sourceLocation)
    }

    /// `sync` is stored exactly, and the sync stored before it is `previous` (-1: none).
    func expectSparseSync(_ store: OffsetSyncStore, _ sync: Int64, previous: Int64, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(translate(store, sync - 1) == (previous == -1 ? -1 : previous + 1), "before \(sync)", sourceLocation: sourceLocation)
        #expect(translate(store, sync) == sync, sourceLocation: sourceLocation)
        #expect(translate(store, sync + 1) == sync + 1, sourceLocation: sourceLocation)
        #expect(translate(store, sync + 2) == sync + 1, sourceLocation: sourceLocation)
    }

    func expectBoundedExpirations(first: Int64, steps: [Int64], maximum: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        var store = startedStore()
        store.handle(OffsetSync(topicPartition: tp, upstreamOffset: first, downstreamOffset: first))
        var offset = first
        var lastCount = 1
        for step in steps {
            offset += step
            precondition(offset >= 0, "test offsets overflowed")
            store.handle(OffsetSync(topicPartition: tp, upstreamOffset: offset, downstreamOffset: offset))
            guard store.sync(for: tp, slot: 0)?.upstreamOffset == offset, store.sync(for: tp, slot: 63)?.upstreamOffset == first else {
                Issue.record("latest or earliest sync missing after \(offset)", sourceLocation: sourceLocation)
                return
            }
            let count = store.distinctSyncCount(for: tp)
            let expired = lastCount - count + 1
            guard expired <= maximum else {
                Issue.record("expired \(expired) > \(maximum) syncs after \(offset) (step \(step), first \(first), \(steps.count) steps)", sourceLocation: sourceLocation)
                return
            }
            lastCount = count
        }
    }

    /// Invariants B and C of the stored syncs.
    func expectSparseSyncInvariant(_ store: OffsetSyncStore, sourceLocation: SourceLocation = #_sourceLocation) {
        for j in 0..<OffsetSyncStore.syncsPerPartition {
            for i in 0..<j {
                guard let jUpstream = store.sync(for: tp, slot: j)?.upstreamOffset,
                      let iUpstream = store.sync(for: tp, slot: i)?.upstreamOffset
                else {
                    Issue.record("missing slots", sourceLocation: sourceLocation)
                    return
                }
                if iUpstream == jUpstream { continue }
                let lower = jUpstream &+ (Int64(1) &<< Int64(max(i - 2, 0)))
                if lower < 0 { continue }
                if iUpstream < lower {
                    Issue.record("invariant C(\(i),\(j)): \(iUpstream) < \(lower)", sourceLocation: sourceLocation)
                    return
                }
                let upper = jUpstream &+ (Int64(1) &<< Int64(j)) &- (Int64(1) &<< Int64(i))
                if upper < 0 { continue }
                if iUpstream > upper {
                    Issue.record("invariant B(\(i),\(j)): \(iUpstream) > \(upper)", sourceLocation: sourceLocation)
                    return
                }
            }
        }
    }
}

/// The window of recent syncs: translation stays within one sync interval of the group's
/// position while Apache's history alone may fall far behind.
@Suite struct OffsetSyncStoreRecentWindowTests {
    let tp = TopicPartition(topic: "orders", partition: 0)

    /// Syncs every `interval` records up to `last`, as a source task with `offset.lag.max`
    /// writes them (downstream offsets `shift` below upstream ones).
    func store(window: Int, interval: Int64 = 51, last: Int64 = 600, shift: Int64 = 0) -> OffsetSyncStore {
        var store = OffsetSyncStore(recentSyncsPerPartition: window)
        store.beginInitialRead(mustReadToEnd: false)
        for upstream in stride(from: Int64(0), through: last, by: Int(interval)) {
            store.handle(OffsetSync(topicPartition: tp, upstreamOffset: upstream, downstreamOffset: upstream - shift))
        }
        store.markReadToEnd()
        return store
    }

    func translate(_ store: OffsetSyncStore, _ upstream: Int64) -> Int64? {
        store.translateDownstream(group: "g", topicPartition: tp, upstreamOffset: upstream)
    }

    @Test func translationBehindTheNewestSyncStaysWithinOneInterval() throws {
        let windowed = store(window: 256)
        let apacheOnly = store(window: 0)
        var apacheWorst: Int64 = 0
        for group in Int64(0)...600 {
            let translated = try #require(translate(windowed, group))
            #expect(translated <= group, "skips records at \(group)")
            #expect(group - translated <= 50, "re-reads \(group - translated) at \(group)")
            let apache = try #require(translate(apacheOnly, group))
            #expect(translated >= apache, "worse than Apache's history at \(group)")
            apacheWorst = max(apacheWorst, group - apache)
        }
        // The comparison is meaningful: Apache's history alone re-reads more somewhere.
        #expect(apacheWorst > 50)
    }

    @Test func windowKeepsOnlyTheNewestSyncs() throws {
        let small = store(window: 4, interval: 10, last: 1000)
        // Far behind the window, the exponential history still translates without skipping.
        let old = try #require(translate(small, 205))
        #expect(old <= 205)
        // Inside the window, within one interval.
        #expect(translate(small, 975) == 971)
    }

    @Test func rewindsResetTheWindow() throws {
        var rewound = store(window: 256, shift: 0)
        // Source topic recreated: upstream offsets start again.
        rewound.handle(OffsetSync(topicPartition: tp, upstreamOffset: 5, downstreamOffset: 700))
        #expect(translate(rewound, 300) == 701)
        #expect(translate(rewound, 3) == -1)

        var truncated = store(window: 256, shift: 0)
        // Target topic recreated: downstream offsets start again; older syncs must not be used.
        truncated.handle(OffsetSync(topicPartition: tp, upstreamOffset: 650, downstreamOffset: 0))
        let translated = try #require(translate(truncated, 660))
        #expect(translated == 1)
        let older = try #require(translate(truncated, 300))
        #expect(older == -1 || older <= 300, "\(older)")
    }
}

/// `java.util.Random`'s generator, to replay the random streams of Apache's tests exactly.
struct JavaRandom {
    private var seed: UInt64

    init(seed: Int64) { self.seed = (UInt64(bitPattern: seed) ^ 0x5_DEEC_E66D) & ((1 << 48) - 1) }

    private mutating func next(_ bits: Int) -> Int32 {
        seed = (seed &* 0x5_DEEC_E66D &+ 0xB) & ((1 << 48) - 1)
        return Int32(truncatingIfNeeded: Int64(seed >> UInt64(48 - bits)))
    }

    mutating func nextLong() -> Int64 {
        (Int64(next(32)) << 32) &+ Int64(next(32))
    }

    mutating func nextDouble() -> Double {
        Double((Int64(next(26)) << 27) + Int64(next(27))) * 0x1.0p-53
    }
}
