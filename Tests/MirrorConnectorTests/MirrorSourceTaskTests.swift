import Testing
import Synchronization
import ConnectAPI
import Kafka
import KafkaProtocol
import MirrorClient
import MirrorCommon
import MirrorSourceConnector

private func tp(_ topic: String, _ partition: Int32) -> TopicPartition {
    TopicPartition(topic: topic, partition: partition)
}

/// Records what an ``OffsetSyncWriter`` hands to its sender; completions run when released.
private final class SyncRecorder: Sendable {
    private let state = Mutex<(sent: [OffsetSync], completions: [@Sendable () -> Void])>(([], []))

    var sender: OffsetSyncWriter.Sender {
        { sync, completion in
            self.state.withLock { state in
                state.sent.append(sync)
                state.completions.append(completion)
            }
        }
    }

    var sent: [OffsetSync] { state.withLock { $0.sent } }

    func completeAll() {
        let completions = state.withLock { state in
            defer { state.completions.removeAll() }
            return state.completions
        }
        for completion in completions { completion() }
    }
}

private func step(_ state: inout OffsetSyncWriter.PartitionState, _ upstream: Int64, _ downstream: Int64) -> Bool {
    state.update(upstreamOffset: upstream, downstreamOffset: downstream)
}

private func sync(_ partition: TopicPartition, _ upstream: Int64, _ downstream: Int64) -> OffsetSync {
    OffsetSync(topicPartition: partition, upstreamOffset: upstream, downstreamOffset: downstream)
}

@Suite("OffsetSyncWriter")
struct OffsetSyncWriterTests {
    @Test func partitionStateRules() {
        var state = OffsetSyncWriter.PartitionState(maxOffsetLag: 50)
        // First sync of this lifetime.
        #expect(step(&state, 0, 0))
        state.reset()
        #expect(!step(&state, 1, 1))
        #expect(!step(&state, 2, 2))
        // Upstream gap (e.g. transaction marker).
        #expect(step(&state, 4, 3))
        state.reset()
        #expect(!step(&state, 5, 4))
        // Downstream went backwards (target truncated).
        #expect(step(&state, 6, 1))
        state.reset()
        // Downstream >= last sync + 1 + offset.lag.max.
        #expect(!step(&state, 7, 51))
        #expect(step(&state, 8, 52))
        #expect(state.lastSyncDownstreamOffset == 52)
        // Without reset the flag stays up.
        #expect(step(&state, 9, 53))
    }

    @Test func lagZeroSyncsEveryRecord() {
        var state = OffsetSyncWriter.PartitionState(maxOffsetLag: 0)
        for offset in Int64(0)..<5 {
            #expect(step(&state, offset, offset))
            state.reset()
        }
    }

    @Test func delayedSyncsArePromotedOnCommit() {
        let recorder = SyncRecorder()
        let writer = OffsetSyncWriter(maxOffsetLag: 100, sender: recorder.sender)
        let partition = tp("orders", 0)
        #expect(writer.maybeQueueOffsetSync(partition, upstreamOffset: 10, downstreamOffset: 0))
        writer.firePendingOffsetSyncs()
        #expect(recorder.sent == [sync(partition, 10, 0)])

        #expect(!writer.maybeQueueOffsetSync(partition, upstreamOffset: 11, downstreamOffset: 1))
        #expect(!writer.maybeQueueOffsetSync(partition, upstreamOffset: 12, downstreamOffset: 2))
        #expect(writer.delayedOffsetSyncs == [sync(partition, 12, 2)], "only the newest delayed sync is kept")
        #expect(writer.pendingOffsetSyncs.isEmpty)
        writer.firePendingOffsetSyncs()
        #expect(recorder.sent.count == 1)

        writer.promoteDelayedOffsetSyncs()
        #expect(writer.delayedOffsetSyncs.isEmpty)
        #expect(writer.pendingOffsetSyncs == [sync(partition, 12, 2)])
        writer.firePendingOffsetSyncs()
        #expect(recorder.sent == [sync(partition, 10, 0), sync(partition, 12, 2)])
    }

    @Test func stalenessTriggersAnImmediateSync() {
        let recorder = SyncRecorder()
        let writer = OffsetSyncWriter(maxOffsetLag: 10, sender: recorder.sender)
        let partition = tp("orders", 1)
        for offset in Int64(0)...20 {
            if writer.maybeQueueOffsetSync(partition, upstreamOffset: offset, downstreamOffset: offset) {
                writer.firePendingOffsetSyncs()
            }
        }
        recorder.completeAll()
        #expect(recorder.sent == [sync(partition, 0, 0), sync(partition, 11, 11)])
        #expect(writer.delayedOffsetSyncs == [sync(partition, 20, 20)])
        #expect(writer.partitionStates[partition]?.lastSyncDownstreamOffset == 11)
    }

    @Test func batchesQueueTheSameSyncsAsOneCallPerRecord() {
        // Runs of records from three partitions, with gaps, rewinds and stale stretches.
        var pairs: [OffsetSync] = []
        var upstream: [Int32: Int64] = [0: 0, 1: 100, 2: 7]
        var downstream: [Int32: Int64] = [0: 0, 1: 0, 2: 0]
        var random = SystemRandomNumberGenerator()
        for run in 0..<60 {
            let partition = Int32(run % 3)
            for _ in 0..<Int.random(in: 1...40, using: &random) {
                upstream[partition]! += Int.random(in: 0..<10, using: &random) == 0 ? 3 : 1
                downstream[partition]! += Int.random(in: 0..<50, using: &random) == 0 ? -2 : 1
                pairs.append(sync(tp("orders", partition), upstream[partition]!, downstream[partition]!))
            }
        }
        let oneByOne = SyncRecorder()
        let single = OffsetSyncWriter(maxOffsetLag: 25, sender: oneByOne.sender)
        for pair in pairs {
            single.maybeQueueOffsetSync(pair.topicPartition, upstreamOffset: pair.upstreamOffset, downstreamOffset: pair.downstreamOffset)
        }
        let batched = SyncRecorder()
        let batch = OffsetSyncWriter(maxOffsetLag: 25, sender: batched.sender)
        for chunk in stride(from: 0, to: pairs.count, by: 37) {
            batch.maybeQueueOffsetSyncs(Array(pairs[chunk..<min(chunk + 37, pairs.count)]))
        }
        #expect(batch.pendingOffsetSyncs == single.pendingOffsetSyncs)
        #expect(batch.delayedOffsetSyncs == single.delayedOffsetSyncs)
        #expect(batch.partitionStates == single.partitionStates)
        #expect(!single.pendingOffsetSyncs.isEmpty && !single.delayedOffsetSyncs.isEmpty)
    }

    @Test func atMostTenInFlight() {
        let recorder = SyncRecorder()
        let writer = OffsetSyncWriter(maxOffsetLag: 100, sender: recorder.sender)
        for partition in Int32(0)..<15 {
            writer.maybeQueueOffsetSync(tp("t", partition), upstreamOffset: 0, downstreamOffset: 0)
        }
        writer.firePendingOffsetSyncs()
        #expect(recorder.sent.count == 10)
        #expect(writer.outstandingOffsetSyncs == 10)
        #expect(writer.pendingOffsetSyncs.map(\.topicPartition.partition) == [10, 11, 12, 13, 14])
        // A newer sync for a pending partition waits behind it (Apache replaced it in place,
        // losing syncs in bursts).
        writer.maybeQueueOffsetSync(tp("t", 12), upstreamOffset: 5, downstreamOffset: 1)
        #expect(writer.pendingOffsetSyncs.map(\.upstreamOffset) == [0, 0, 0, 0, 0, 5])
        recorder.completeAll()
        #expect(writer.outstandingOffsetSyncs == 0)
        writer.firePendingOffsetSyncs()
        #expect(recorder.sent.count == 16)
        #expect(recorder.sent[12] == sync(tp("t", 12), 0, 0))
        #expect(recorder.sent.last == sync(tp("t", 12), 5, 1))
    }

    @Test func pastMaxPendingANewerSyncReplacesItsPartitionsNewest() {
        let recorder = SyncRecorder()
        let writer = OffsetSyncWriter(maxOffsetLag: 0, maxOutstanding: 1, maxPending: 3, sender: recorder.sender)
        let partition = tp("t", 0)
        for offset in Int64(0)..<4 {
            writer.maybeQueueOffsetSync(partition, upstreamOffset: offset, downstreamOffset: offset)
        }
        // The fourth sync found three waiting: it replaced the newest one (2).
        writer.firePendingOffsetSyncs()
        #expect(recorder.sent == [sync(partition, 0, 0)])
        #expect(writer.pendingOffsetSyncs.map(\.upstreamOffset) == [1, 3])
        // Below the limit again: appended.
        writer.maybeQueueOffsetSync(partition, upstreamOffset: 4, downstreamOffset: 4)
        #expect(writer.pendingOffsetSyncs.map(\.upstreamOffset) == [1, 3, 4])
    }

    @Test func immediateSyncDropsTheDelayedOne() {
        let recorder = SyncRecorder()
        let writer = OffsetSyncWriter(maxOffsetLag: 100, sender: recorder.sender)
        let partition = tp("a", 0)
        writer.maybeQueueOffsetSync(partition, upstreamOffset: 0, downstreamOffset: 0)
        writer.firePendingOffsetSyncs()
        writer.maybeQueueOffsetSync(partition, upstreamOffset: 1, downstreamOffset: 1)
        #expect(writer.delayedOffsetSyncs.count == 1)
        writer.maybeQueueOffsetSync(partition, upstreamOffset: 5, downstreamOffset: 2)
        #expect(writer.delayedOffsetSyncs.isEmpty)
        #expect(writer.pendingOffsetSyncs == [sync(partition, 5, 2)])
    }
}

/// An offset reader over a fixed map.
private struct FixedOffsets: OffsetStorageReader {
    var offsets: [SourcePartition: SourceOffset]
    func offsets(for partitions: [SourcePartition]) async throws -> [SourcePartition: SourceOffset] {
        offsets.filter { partitions.contains($0.key) }
    }
}

private struct FixedTaskContext: SourceTaskContext {
    var configs: [String: String] = [:]
    var offsetStorageReader: any OffsetStorageReader = FixedOffsets(offsets: [:])
}

@Suite("MirrorSourceTask")
struct MirrorSourceTaskTests {
    @Test func commitRecordFeedsTheWriterOnlyWithMetadata() async throws {
        let task = MirrorSourceTask()
        // Not started: nothing happens, nothing traps.
        let record = SourceRecord.bytes(
            sourcePartition: MirrorSourceOffsets.wrapPartition(tp("orders", 0), sourceClusterAlias: "primary"),
            sourceOffset: MirrorSourceOffsets.wrapOffset(7), topic: "primary.orders", kafkaPartition: 0, key: nil, value: [1])
        try await task.commitRecord(record, metadata: nil)
        try await task.commitRecord(record, metadata: SourceRecordMetadata(topic: "primary.orders", partition: 0, offset: 3, timestamp: 1))
        try await task.commit()
        #expect(task.offsetSyncWriter == nil)
        await task.stop()
        #expect(task.version == MirrorPlugin.version)
    }

    @Test func badTaskConfigsFailStart() async {
        let task = MirrorSourceTask()
        let props = makeProps(["task.assigned.partitions": "no-partition-number-x"])
        let error = await #expect(throws: ConnectError.self) { try await task.start(props, context: FixedTaskContext()) }
        #expect(error?.message.contains("no-partition-number-x") == true)
        let policyError = await #expect(throws: ConnectError.self) {
            try await MirrorSourceTask().start(makeProps(["replication.policy.class": "Nope"]), context: FixedTaskContext())
        }
        #expect(policyError?.message.contains("replication.policy.class") == true)
        await task.stop()
    }
}
