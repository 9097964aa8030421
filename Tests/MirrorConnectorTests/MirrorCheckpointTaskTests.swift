import ConnectAPI
import Kafka
import KafkaProtocol
import MirrorCheckpointConnector
import MirrorClient
import Testing

/// The checkpoint task's decisions (``CheckpointEmitter``), its records and its configuration,
/// as Apache Kafka's `MirrorCheckpointTaskTest` (3.9) checks them.
@Suite struct MirrorCheckpointTaskTests {
    static let acceptAll = TopicFilter(include: try! PatternList([".*"], property: "topics"), exclude: try! PatternList([], property: "topics.exclude"))

    func emitter(syncs: OffsetSyncStore = OffsetSyncStore(recentSyncsPerPartition: 0), checkpoints: CheckpointStore = CheckpointStore(),
                 policy: any ReplicationPolicy = DefaultReplicationPolicy(), filter: TopicFilter = acceptAll) -> CheckpointEmitter {
        CheckpointEmitter(sourceClusterAlias: "source1", targetClusterAlias: "target2", replicationPolicy: policy,
                          topicFilter: filter, offsetSyncStore: syncs, checkpointStore: checkpoints)
    }

    func syncStore(_ syncs: [(TopicPartition, Int64, Int64)], mustReadToEnd: Bool = true) -> OffsetSyncStore {
        // Apache's history alone, as in Apache's MirrorCheckpointTaskTest.
        var store = OffsetSyncStore(recentSyncsPerPartition: 0)
        store.beginInitialRead(mustReadToEnd: mustReadToEnd)
        store.markReadToEnd()
        for (tp, upstream, downstream) in syncs {
            store.handle(OffsetSync(topicPartition: tp, upstreamOffset: upstream, downstreamOffset: downstream))
        }
        return store
    }

    @Test func renamesTopicsForTheTarget() {
        let emitter = emitter()
        #expect(emitter.renameTopicPartition(TopicPartition(topic: "topic3", partition: 4)) == TopicPartition(topic: "source1.topic3", partition: 4))
        // A topic that came from the target cluster goes back to its name there.
        #expect(emitter.renameTopicPartition(TopicPartition(topic: "target2.topic3", partition: 5)) == TopicPartition(topic: "topic3", partition: 5))
        #expect(emitter.renameTopicPartition(TopicPartition(topic: "source6.topic7", partition: 6))
            == TopicPartition(topic: "source1.source6.topic7", partition: 6))
        let identity = self.emitter(policy: IdentityReplicationPolicy())
        #expect(identity.renameTopicPartition(TopicPartition(topic: "topic3", partition: 4)) == TopicPartition(topic: "topic3", partition: 4))
    }

    @Test func translatesCommittedOffsets() throws {
        let t1 = TopicPartition(topic: "topic1", partition: 2)
        let t2 = TopicPartition(topic: "target2.topic5", partition: 6)
        let emitter = emitter(syncs: syncStore([(t1, 100, 51), (t2, 7, 8)]))
        let c1 = try #require(emitter.checkpoint(group: "group9", topicPartition: t1, offset: OffsetAndMetadata(offset: 100, metadata: "meta")))
        #expect(c1 == Checkpoint(consumerGroupId: "group9", topicPartition: TopicPartition(topic: "source1.topic1", partition: 2),
                                 upstreamOffset: 100, downstreamOffset: 51, metadata: "meta"))
        let c2 = try #require(emitter.checkpoint(group: "group11", topicPartition: t2, offset: OffsetAndMetadata(offset: 7)))
        #expect(c2.topicPartition == TopicPartition(topic: "topic5", partition: 6))
        #expect(c2.downstreamOffset == 8)
        // Past the sync: one beyond its downstream offset.
        #expect(emitter.checkpoint(group: "g", topicPartition: t1, offset: OffsetAndMetadata(offset: 150))?.downstreamOffset == 52)
        // Before the only sync: -1, and no checkpoint emitted for it.
        #expect(emitter.checkpoint(group: "g", topicPartition: t1, offset: OffsetAndMetadata(offset: 99))?.downstreamOffset == -1)
        #expect(emitter.checkpointsForGroup(group: "g", upstreamOffsets: [t1: OffsetAndMetadata(offset: 99)]).isEmpty)
    }

    @Test func noCheckpointWithoutOffsetSyncsOrForFilteredTopics() throws {
        let synced = TopicPartition(topic: "topic1", partition: 0)
        let unsynced = TopicPartition(topic: "topic2", partition: 0)
        let filter = TopicFilter(include: try PatternList(["topic.*"], property: "topics"), exclude: try PatternList(["topic3"], property: "topics.exclude"))
        let excluded = TopicPartition(topic: "topic3", partition: 0)
        var emitter = emitter(syncs: syncStore([(synced, 10, 20), (excluded, 10, 20)]), filter: filter)
        let checkpoints = emitter.emitCheckpoints(group: "g", upstreamOffsets: [
            synced: OffsetAndMetadata(offset: 10), unsynced: OffsetAndMetadata(offset: 10), excluded: OffsetAndMetadata(offset: 10),
        ])
        #expect(checkpoints.keys.sorted() == [TopicPartition(topic: "source1.topic1", partition: 0)])
        #expect(emitter.checkpointStore.get("g")?.count == 1)
    }

    @Test func checkpointsStayMonotonicWhenTheSyncStoreForgets() throws {
        let tp = TopicPartition(topic: "topic1", partition: 0)
        let targetTP = TopicPartition(topic: "source1.topic1", partition: 0)
        var emitter = emitter(syncs: syncStore([(tp, 11, 4), (tp, 12, 5)]))
        let groupOffset: Int64 = 13
        #expect(emitter.offsetSyncStore.translateDownstream(group: "g1", topicPartition: tp, upstreamOffset: groupOffset) == 6)
        #expect(emitter.emitCheckpoints(group: "g1", upstreamOffsets: [tp: OffsetAndMetadata(offset: groupOffset)])[targetTP]?.downstreamOffset == 6)
        // Syncs 13-17 push sync 12 out of the store: the same group offset now translates lower.
        for upstream: Int64 in 13...17 {
            emitter.offsetSyncStore.handle(OffsetSync(topicPartition: tp, upstreamOffset: upstream, downstreamOffset: upstream - 7))
        }
        let retranslated = emitter.offsetSyncStore.translateDownstream(group: "g1", topicPartition: tp, upstreamOffset: groupOffset)
        #expect(retranslated != 6)
        #expect(emitter.emitCheckpoints(group: "g1", upstreamOffsets: [tp: OffsetAndMetadata(offset: groupOffset)]).isEmpty)
        // A rewind of the source group is followed, even downstream.
        let rewound = emitter.emitCheckpoints(group: "g1", upstreamOffsets: [tp: OffsetAndMetadata(offset: groupOffset - 1)])
        #expect(rewound[targetTP]?.upstreamOffset == groupOffset - 1)
        // Repeating the same checkpoint emits nothing.
        #expect(emitter.emitCheckpoints(group: "g1", upstreamOffsets: [tp: OffsetAndMetadata(offset: groupOffset - 1)]).isEmpty)
    }

    @Test func restartReusesExistingCheckpoints() {
        let t1p0 = TopicPartition(topic: "t1", partition: 0)
        let target = TopicPartition(topic: "source1.t1", partition: 0)
        let first = emitter(syncs: syncStore([(t1p0, 100, 100), (t1p0, 200, 200), (t1p0, 300, 300)], mustReadToEnd: false))
        let checkpoints = first.checkpointsForGroup(group: "group1", upstreamOffsets: [t1p0: OffsetAndMetadata(offset: 250)])
        #expect(checkpoints == [target: Checkpoint(consumerGroupId: "group1", topicPartition: target, upstreamOffset: 250, downstreamOffset: 201)])

        // After a restart the syncs topic holds 175, 275, 375, 475 (100 was compacted away); the
        // checkpoint loaded from the checkpoints topic keeps the next ones from going backwards.
        var restartedSyncs = OffsetSyncStore(recentSyncsPerPartition: 0)
        restartedSyncs.beginInitialRead(mustReadToEnd: false)
        for offset in stride(from: Int64(175), through: 475, by: 100) {
            restartedSyncs.handle(OffsetSync(topicPartition: t1p0, upstreamOffset: offset, downstreamOffset: offset))
        }
        restartedSyncs.markReadToEnd()
        let restarted = emitter(syncs: restartedSyncs, checkpoints: CheckpointStore(["group1": checkpoints]))
        #expect(restartedSyncs.translateDownstream(group: "group1", topicPartition: t1p0, upstreamOffset: 250) == 176)
        #expect(restartedSyncs.translateDownstream(group: "group1", topicPartition: t1p0, upstreamOffset: 370) == 176)
        #expect(restarted.checkpointsForGroup(group: "group1", upstreamOffsets: [t1p0: OffsetAndMetadata(offset: 250)]).isEmpty)
        #expect(restarted.checkpointsForGroup(group: "group1", upstreamOffsets: [t1p0: OffsetAndMetadata(offset: 370)]).isEmpty)
        #expect(restarted.checkpointsForGroup(group: "group1", upstreamOffsets: [t1p0: OffsetAndMetadata(offset: 400)])
            == [target: Checkpoint(consumerGroupId: "group1", topicPartition: target, upstreamOffset: 400, downstreamOffset: 376)])
    }

    @Test func checkpointStoreLoadsOnlyTheTasksGroupsAndTheLatestCheckpoint() throws {
        let tp = TopicPartition(topic: "source1.t", partition: 0)
        func record(_ checkpoint: Checkpoint, offset: Int64) throws -> ConsumerRecord {
            ConsumerRecord(topic: "source1.checkpoints.internal", partition: 0, offset: offset, key: try checkpoint.encodeKey(),
                           value: try checkpoint.encodeValue(), headers: [], timestamp: 0, timestampType: .createTime)
        }
        let records = [
            try record(Checkpoint(consumerGroupId: "mine", topicPartition: tp, upstreamOffset: 1, downstreamOffset: 1), offset: 0),
            try record(Checkpoint(consumerGroupId: "other", topicPartition: tp, upstreamOffset: 5, downstreamOffset: 5), offset: 1),
            ConsumerRecord(topic: "x", partition: 0, offset: 2, key: [1, 2], value: [3], headers: [], timestamp: 0, timestampType: .createTime),
            try record(Checkpoint(consumerGroupId: "mine", topicPartition: tp, upstreamOffset: 9, downstreamOffset: 7, metadata: "m"), offset: 3),
        ]
        let store = CheckpointStore(records: records, groups: ["mine"], logger: .init(label: "test"))
        #expect(store.checkpointsPerConsumerGroup.keys.sorted() == ["mine"])
        #expect(store.get("mine")?[tp]?.downstreamOffset == 7)
        #expect(store.convertedUpstreamOffsets() == ["mine": [tp: OffsetAndMetadata(offset: 7, metadata: "m")]])
    }

    @Test func groupOffsetSyncOnlyMovesIdleGroupsForward() {
        let a = TopicPartition(topic: "source1.t", partition: 0)
        let b = TopicPartition(topic: "source1.t", partition: 1)
        let c = TopicPartition(topic: "source1.t", partition: 2)
        let translated = [a: OffsetAndMetadata(offset: 100), b: OffsetAndMetadata(offset: 50), c: OffsetAndMetadata(offset: 10)]
        // A group that does not exist yet takes everything.
        #expect(CheckpointEmitter.offsetsToSync(translated: translated, target: .absent) == translated)
        // An active group is left alone.
        #expect(CheckpointEmitter.offsetsToSync(translated: translated, target: .active(.stable)).isEmpty)
        // An empty group: forward only; new partitions are added.
        let committed = [a: OffsetAndMetadata(offset: 90), b: OffsetAndMetadata(offset: 80)]
        #expect(CheckpointEmitter.offsetsToSync(translated: translated, target: .empty(committed))
            == [a: OffsetAndMetadata(offset: 100), c: OffsetAndMetadata(offset: 10)])
        #expect(CheckpointEmitter.offsetsToSync(translated: [a: OffsetAndMetadata(offset: 90)], target: .empty(committed)).isEmpty)
    }

    @Test func checkpointRecordsGoToPartitionZeroWithApachesSourcePartition() throws {
        let checkpoint = Checkpoint(consumerGroupId: "g", topicPartition: TopicPartition(topic: "source1.t", partition: 3),
                                    upstreamOffset: 10, downstreamOffset: 8, metadata: "md")
        let record = try MirrorCheckpointTask.checkpointRecord(checkpoint, topic: "source1.checkpoints.internal", timestamp: 1234)
        #expect(record.topic == "source1.checkpoints.internal")
        #expect(record.kafkaPartition == 0)
        #expect(record.timestamp == 1234)
        #expect(record.sourcePartition?.keys == ["partition", "topic", "group"])
        #expect(record.sourcePartition?.description == #"{"partition":3,"topic":"source1.t","group":"g"}"#)
        #expect(record.sourceOffset?.description == #"{"offset":0}"#)
        #expect(record.key == .bytes(try checkpoint.encodeKey()))
        #expect(record.value == .bytes(try checkpoint.encodeValue()))
        #expect(record.keySchema == .bytes && record.valueSchema == .bytes)
    }

    @Test func taskConfigParsesItsGroupsAndIndex() throws {
        let props = MirrorCheckpointTaskConfig.taskProperties(connector: makeProps(), groups: ["b", "a"], index: 3)
        #expect(props["task.assigned.groups"] == "b,a")
        #expect(props["task.index"] == "3")
        let config = try MirrorCheckpointTaskConfig(props)
        #expect(config.groups == ["a", "b"])
        #expect(config.taskIndex == 3)
        #expect(try MirrorCheckpointTaskConfig(makeProps()).groups.isEmpty)
        #expect(throws: ConfigException.self) { try MirrorCheckpointTaskConfig(makeProps(["task.index": "x"])) }
    }

    @Test func topicNamesFollowThePolicyAndTheSyncsLocation() throws {
        let config = try MirrorCheckpointConfig(makeProps())
        let policy = DefaultReplicationPolicy()
        #expect(config.checkpointsTopic(policy: policy) == "source1.checkpoints.internal")
        #expect(config.offsetSyncsTopic(policy: policy) == "mm2-offset-syncs.target2.internal")
        let onTarget = try MirrorCheckpointConfig(makeProps(["offset-syncs.topic.location": "target"]))
        #expect(onTarget.offsetSyncsTopic(policy: policy) == "mm2-offset-syncs.source1.internal")
        #expect(config.checkpointsTopic(policy: DefaultReplicationPolicy(separator: "_")) == "source1_checkpoints_internal")
    }

    @Test func startRejectsUnsupportedFilterClassesWithAClearMessage() async throws {
        let task = MirrorCheckpointTask()
        do {
            try await task.start(makeProps(["group.filter.class": "com.example.MyGroupFilter", "topic.filter.class": "com.example.MyTopicFilter"]),
                                 context: NoOffsetsContext())
            Issue.record("start accepted an unsupported topic filter")
        } catch {
            #expect("\(error)".contains("topic.filter.class=com.example.MyTopicFilter is not supported"))
        }
        let config = try MirrorCheckpointConfig(makeProps(["group.filter.class": "com.example.MyGroupFilter"]))
        #expect(throws: ConnectError.self) { try config.groupFilter() }
        // Patterns that do not compile are configuration errors already.
        #expect(throws: ConfigException.self) { try MirrorCheckpointConfig(makeProps(["groups": "("])) }
        #expect(try MirrorCheckpointConfig(makeProps(["group.filter.class": "DefaultGroupFilter"])).groupFilter().shouldReplicateGroup("g"))
    }
}

struct NoOffsetsContext: SourceTaskContext {
    var configs: [String: String] = [:]
    var offsetStorageReader: any OffsetStorageReader { NoOffsets() }

    struct NoOffsets: OffsetStorageReader {
        func offsets(for partitions: [SourcePartition]) async throws -> [SourcePartition: SourceOffset] { [:] }
    }
}
