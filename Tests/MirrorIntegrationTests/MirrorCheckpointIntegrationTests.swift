import ConnectAPI
import Kafka
import KafkaProtocol
import KafkaTestSupport
import MirrorCheckpointConnector
import MirrorClient
import Testing

/// MirrorCheckpointConnector and MirrorCheckpointTask driven directly against two real clusters:
/// offset syncs written to the source's `mm2-offset-syncs.backup.internal`, a source group
/// committing offsets, checkpoints read back through ``MirrorClusterClient``.
@Suite(.serialized) struct MirrorCheckpointIntegrationTests {
    static let orders0 = TopicPartition(topic: "orders", partition: 0)
    static let orders1 = TopicPartition(topic: "orders", partition: 1)
    static let remote0 = TopicPartition(topic: "primary.orders", partition: 0)
    static let remote1 = TopicPartition(topic: "primary.orders", partition: 1)

    /// Topics on both sides, offset syncs, and groups: `app` (checkpointed), `console-consumer-1`
    /// (excluded group), `internal-only` (offsets only on a topic the topic filter rejects).
    func prepare(_ kit: MirrorTestKit) async throws {
        try await kit.createTopics(kit.source, [
            NewTopic(name: "orders", numPartitions: 2, replicationFactor: 1),
            NewTopic(name: "state.internal", numPartitions: 1, replicationFactor: 1),
            NewTopic(name: "mm2-offset-syncs.backup.internal", numPartitions: 1, replicationFactor: 1, configs: ["cleanup.policy": "compact"]),
        ])
        try await kit.createTopics(kit.target, [NewTopic(name: "primary.orders", numPartitions: 2, replicationFactor: 1)])
        try await kit.writeOffsetSyncs([
            OffsetSync(topicPartition: Self.orders0, upstreamOffset: 0, downstreamOffset: 0),
            OffsetSync(topicPartition: Self.orders0, upstreamOffset: 10, downstreamOffset: 5),
            OffsetSync(topicPartition: Self.orders0, upstreamOffset: 20, downstreamOffset: 12),
            OffsetSync(topicPartition: Self.orders1, upstreamOffset: 0, downstreamOffset: 100),
        ])
        try await kit.commit(kit.source, group: "app", [Self.orders0: 15, Self.orders1: 0])
        try await kit.commit(kit.source, group: "console-consumer-1", [Self.orders0: 3])
        try await kit.commit(kit.source, group: "internal-only", [TopicPartition(topic: "state.internal", partition: 0): 0])
    }

    /// Polls `task` until a poll returns records (each poll is one round with 1 s intervals).
    func pollRecords(_ task: MirrorCheckpointTask, rounds: Int = 20) async throws -> [SourceRecord] {
        for _ in 0..<rounds {
            let records = try await task.poll()
            if !records.isEmpty { return records }
        }
        Issue.record("no checkpoints after \(rounds) rounds")
        return []
    }

    func checkpoints(_ records: [SourceRecord]) throws -> [TopicPartition: Checkpoint] {
        var result: [TopicPartition: Checkpoint] = [:]
        for record in records {
            guard case .bytes(let key) = record.key, case .bytes(let value) = record.value else { continue }
            let checkpoint = try Checkpoint.decode(key: key, value: value)
            result[checkpoint.topicPartition] = checkpoint
        }
        return result
    }

    @Test func connectorSelectsGroupsAndTaskEmitsTranslatedCheckpoints() async throws {
        try await withKafkaTestClusters(count: 2) { clusters in
            let kit = MirrorTestKit(source: clusters[0], target: clusters[1])
            try await prepare(kit)
            let context = TestConnectorContext()
            let connector = MirrorCheckpointConnector()
            let taskConfigs = try await withRunningConnector(connector, props: kit.connectorProps(["tasks.max": "4"]), context: context) {
                // start listed the groups already.
                let configs = try await connector.taskConfigs(maxTasks: 4)
                // A new group shows up at the next refresh and asks for new task configs.
                let before = context.reconfigurations.withLock { $0 }
                try await kit.commit(kit.source, group: "late", [Self.orders1: 1])
                try await kit.eventually("the new group") { try await connector.taskConfigs(maxTasks: 4).count == 2 }
                #expect(context.reconfigurations.withLock { $0 } > before)
                return configs
            }
            #expect(taskConfigs.map { $0["task.assigned.groups"] } == ["app"])
            #expect(taskConfigs.first?["task.index"] == "0")
            let topic = try await kit.topicDescription(kit.target, "primary.checkpoints.internal")
            #expect(topic.partitions == 1)
            #expect(topic.cleanupPolicy == "compact")

            let task = MirrorCheckpointTask()
            let taskProps = try #require(taskConfigs.first)
            try await task.start(taskProps, context: TestSourceTaskContext(configs: taskProps))
            let first = try await pollRecords(task)
            // 15 is past the sync 10->5: one beyond its downstream offset; 0 is exactly synced.
            #expect(try checkpoints(first).mapValues(\.downstreamOffset) == [Self.remote0: 6, Self.remote1: 100])
            #expect(try checkpoints(first).mapValues(\.upstreamOffset) == [Self.remote0: 15, Self.remote1: 0])
            #expect(first.allSatisfy { $0.topic == "primary.checkpoints.internal" && $0.kafkaPartition == 0 })
            #expect(first.map { $0.sourcePartition?.description ?? "" }.sorted() == [
                #"{"partition":0,"topic":"primary.orders","group":"app"}"#,
                #"{"partition":1,"topic":"primary.orders","group":"app"}"#,
            ])
            try await kit.deliver(first, to: kit.target)

            // The group moves onto a sync: exact translation; the unchanged partition stays quiet.
            try await kit.commit(kit.source, group: "app", [Self.orders0: 20, Self.orders1: 0])
            let second = try await pollRecords(task)
            #expect(try checkpoints(second).mapValues(\.downstreamOffset) == [Self.remote0: 12])
            try await kit.deliver(second, to: kit.target)

            // New syncs arriving while the task runs are used.
            try await kit.writeOffsetSyncs([OffsetSync(topicPartition: Self.orders1, upstreamOffset: 40, downstreamOffset: 140)])
            try await kit.commit(kit.source, group: "app", [Self.orders0: 20, Self.orders1: 45])
            let third = try await pollRecords(task)
            #expect(try checkpoints(third).mapValues(\.downstreamOffset) == [Self.remote1: 141])
            try await kit.deliver(third, to: kit.target)
            await task.stop()

            // What a consumer failing over to backup would use.
            let client = try MirrorClusterClient(properties: ["bootstrap.servers": kit.target.bootstrapServers], logger: MirrorTestKit.logger)
            let translated = await Result { try await client.remoteConsumerOffsets(consumerGroupId: "app", remoteClusterAlias: "primary", timeout: .seconds(15)) }
            await client.close()
            #expect(try translated.get() == [Self.remote0: OffsetAndMetadata(offset: 12), Self.remote1: OffsetAndMetadata(offset: 141)])
            #expect(try await RemoteClusterUtils.translateOffsets(
                properties: ["bootstrap.servers": kit.target.bootstrapServers], remoteClusterAlias: "primary",
                consumerGroupId: "console-consumer-1", timeout: .seconds(15), logger: MirrorTestKit.logger).isEmpty)
        }
    }

    @Test func restartedTaskReusesItsCheckpoints() async throws {
        try await withKafkaTestClusters(count: 2) { clusters in
            let kit = MirrorTestKit(source: clusters[0], target: clusters[1])
            try await prepare(kit)
            try await kit.createTopics(kit.target, [
                NewTopic(name: "primary.checkpoints.internal", numPartitions: 1, replicationFactor: 1, configs: ["cleanup.policy": "compact"]),
            ])
            let props = MirrorCheckpointTaskConfig.taskProperties(connector: kit.connectorProps(), groups: ["app"], index: 0)
            let task = MirrorCheckpointTask()
            try await task.start(props, context: TestSourceTaskContext(configs: props))
            let first = try await pollRecords(task)
            #expect(try checkpoints(first).mapValues(\.downstreamOffset) == [Self.remote0: 6, Self.remote1: 100])
            try await kit.deliver(first, to: kit.target)
            await task.stop()

            // A restarted task loads those checkpoints: unchanged offsets are not emitted again ...
            let restarted = MirrorCheckpointTask()
            try await restarted.start(props, context: TestSourceTaskContext(configs: props))
            for _ in 0..<3 {
                #expect(try await restarted.poll().isEmpty)
            }
            // ... and a moved group is.
            try await kit.commit(kit.source, group: "app", [Self.orders0: 21, Self.orders1: 0])
            let moved = try await pollRecords(restarted)
            #expect(try checkpoints(moved).mapValues(\.downstreamOffset) == [Self.remote0: 13])
            await restarted.stop()
        }
    }

    @Test func groupOffsetsSyncToIdleTargetGroupsAndNeverMoveBack() async throws {
        try await withKafkaTestClusters(count: 2) { clusters in
            let kit = MirrorTestKit(source: clusters[0], target: clusters[1])
            try await prepare(kit)
            let props = MirrorCheckpointTaskConfig.taskProperties(
                connector: kit.connectorProps(["sync.group.offsets.enabled": "true", "sync.group.offsets.interval.seconds": "1"]),
                groups: ["app"], index: 0)
            let task = MirrorCheckpointTask()
            try await task.start(props, context: TestSourceTaskContext(configs: props))

            // The group does not exist on the target: it gets the translated offsets.
            try await kit.eventually("offsets of the absent target group") {
                _ = try await task.poll()
                return try await kit.committed(kit.target, group: "app") == [Self.remote0: 6, Self.remote1: 100]
            }

            // An empty target group ahead of the translation keeps its offset; one behind moves forward.
            try await kit.commit(kit.target, group: "app", [Self.remote0: 50, Self.remote1: 10])
            try await kit.commit(kit.source, group: "app", [Self.orders0: 20, Self.orders1: 0])
            try await kit.eventually("the lagging partition to move forward") {
                _ = try await task.poll()
                return try await kit.committed(kit.target, group: "app")[Self.remote1] == 100
            }
            for _ in 0..<3 { _ = try await task.poll() }
            #expect(try await kit.committed(kit.target, group: "app") == [Self.remote0: 50, Self.remote1: 100])
            await task.stop()
        }
    }

    /// While the application runs on the target its group is left alone (the broker would refuse
    /// the write anyway: `CheckpointEmitter.offsetsToSync` is checked for that in unit tests);
    /// once its members leave, the group is EMPTY and gets the translated offsets.
    @Test func targetGroupIsSyncedOnceItsMembersLeave() async throws {
        try await withKafkaTestClusters(count: 2) { clusters in
            let kit = MirrorTestKit(source: clusters[0], target: clusters[1])
            try await prepare(kit)
            let consumer = try KafkaConsumer(configuration: KafkaConfiguration(kit.clients(kit.target).merging([
                "group.id": "app", "auto.offset.reset": "earliest", "enable.auto.commit": "false",
            ]) { $1 }), logger: MirrorTestKit.logger)
            try await consumer.subscribe(topics: ["primary.orders"])
            let admin = try kit.admin(kit.target)
            let props = MirrorCheckpointTaskConfig.taskProperties(
                connector: kit.connectorProps(["sync.group.offsets.enabled": "true", "sync.group.offsets.interval.seconds": "1"]),
                groups: ["app"], index: 0)
            let task = MirrorCheckpointTask()
            let result = await Result {
                try await kit.eventually("the target group to become active") {
                    _ = try await consumer.poll(timeout: .milliseconds(200))
                    return try await admin.describeConsumerGroups(["app"], timeout: .seconds(5)).first?.state == .stable
                }
                try await task.start(props, context: TestSourceTaskContext(configs: props))
                #expect(try await !pollRecords(task).isEmpty)
                for _ in 0..<3 {
                    _ = try await consumer.poll(timeout: .milliseconds(100))
                    _ = try await task.poll()
                }
                #expect(try await kit.committed(kit.target, group: "app").isEmpty)
                await consumer.close()
                #expect(try await admin.describeConsumerGroups(["app"], timeout: .seconds(5)).first?.state == .empty)
                try await kit.eventually("offsets of the now empty target group") {
                    _ = try await task.poll()
                    return try await kit.committed(kit.target, group: "app") == [Self.remote0: 6, Self.remote1: 100]
                }
            }
            await task.stop()
            await admin.close()
            await consumer.close()
            try result.get()
        }
    }

    @Test func noCheckpointsUntilTheOffsetSyncsTopicExists() async throws {
        try await withKafkaTestClusters(count: 2) { clusters in
            let kit = MirrorTestKit(source: clusters[0], target: clusters[1])
            try await kit.createTopics(kit.source, [NewTopic(name: "orders", numPartitions: 2, replicationFactor: 1)])
            try await kit.commit(kit.source, group: "app", [Self.orders0: 15])
            let props = MirrorCheckpointTaskConfig.taskProperties(connector: kit.connectorProps(), groups: ["app"], index: 0)
            let task = MirrorCheckpointTask()
            try await task.start(props, context: TestSourceTaskContext(configs: props))
            for _ in 0..<2 { #expect(try await task.poll().isEmpty) }
            // MirrorSourceConnector creates the topic and writes syncs later.
            try await kit.createTopics(kit.source, [
                NewTopic(name: "mm2-offset-syncs.backup.internal", numPartitions: 1, replicationFactor: 1, configs: ["cleanup.policy": "compact"]),
            ])
            try await kit.writeOffsetSyncs([OffsetSync(topicPartition: Self.orders0, upstreamOffset: 15, downstreamOffset: 3)])
            let records = try await pollRecords(task)
            #expect(try checkpoints(records).mapValues(\.downstreamOffset) == [Self.remote0: 3])
            await task.stop()
        }
    }
}
