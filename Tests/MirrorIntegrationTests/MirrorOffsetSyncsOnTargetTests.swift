import ConnectAPI
import Kafka
import KafkaProtocol
import KafkaTestSupport
import MirrorCheckpointConnector
import MirrorClient
import MirrorSourceConnector
import Testing

/// `offset-syncs.topic.location=target` (KIP-716), as Apache's testOffsetSyncsTopicsOnTarget:
/// the source task writes its offset syncs to `mm2-offset-syncs.<source alias>.internal` on the
/// target cluster, nothing offset-sync related appears on the source, and the checkpoint task
/// reads the syncs from the target and emits checkpoints with them.
@Suite(.serialized) struct MirrorOffsetSyncsOnTargetTests {
    @Test func offsetSyncsLiveOnTheTargetAndFeedCheckpoints() async throws {
        try await withKafkaTestClusters(count: 2) { clusters in
            let source = MirrorSourceClients(bootstrapServers: clusters[0].bootstrapServers)
            let target = MirrorSourceClients(bootstrapServers: clusters[1].bootstrapServers)
            let kit = MirrorTestKit(source: clusters[0], target: clusters[1])
            let onTarget = ["offset-syncs.topic.location": "target", "offset.lag.max": "5"]
            try await source.createTopic("orders", partitions: 2)
            try await source.produce((0..<40).map { i in
                ProducerRecord(topic: "orders", partition: Int32(i % 2), key: nil, value: mirrorSourceBytes("order-\(i)"))
            })

            // Replicate everything with the offset syncs going to the target.
            let connector = MirrorSourceConnector()
            try await connector.start(mirrorSourceProps(source: clusters[0], target: clusters[1], onTarget),
                                      context: MirrorSourceTestConnectorContext())
            let syncsTopic = "mm2-offset-syncs.primary.internal"
            #expect(try await target.partitionCount(syncsTopic) == 1)
            #expect(try await target.dynamicConfig(syncsTopic)["cleanup.policy"] == "compact")
            let drivers = try await MirrorSourceIntegrationTests.startTasks(
                connector, maxTasks: 1, target: target, offsets: MirrorSourceTestOffsets())
            try await drivers[0].replicate(40)
            await MirrorSourceIntegrationTests.stop(drivers)
            await connector.stop()

            let syncs = try await kit.readAll(kit.target, syncsTopic).map { record in
                try OffsetSync.decode(key: record.key ?? [], value: record.value ?? [])
            }
            let orders0 = TopicPartition(topic: "orders", partition: 0)
            let orders1 = TopicPartition(topic: "orders", partition: 1)
            #expect(Set(syncs.map(\.topicPartition)) == [orders0, orders1], "\(syncs)")
            #expect(syncs.contains(OffsetSync(topicPartition: orders1, upstreamOffset: 19, downstreamOffset: 19)),
                    "the last record's sync is flushed by commit(): \(syncs)")
            let sourceTopics = try await topicNames(source)
            #expect(!sourceTopics.contains { $0.hasPrefix("mm2-offset-syncs") }, "offset-sync topics on the source: \(sourceTopics)")

            // A group on the source; the checkpoint task, told the same location, reads the syncs on the target.
            try await kit.commit(kit.source, group: "app", [orders0: 12, orders1: 20])
            let props = MirrorCheckpointTaskConfig.taskProperties(connector: kit.connectorProps(["offset-syncs.topic.location": "target"]), groups: ["app"], index: 0)
            let task = MirrorCheckpointTask()
            try await task.start(props, context: TestSourceTaskContext(configs: props))
            var records: [SourceRecord] = []
            for _ in 0..<20 where records.isEmpty {
                records = try await task.poll()
            }
            await task.stop()
            var checkpoints: [TopicPartition: Checkpoint] = [:]
            for record in records {
                guard case .bytes(let key) = record.key, case .bytes(let value) = record.value else { continue }
                let checkpoint = try Checkpoint.decode(key: key, value: value)
                checkpoints[checkpoint.topicPartition] = checkpoint
            }
            // Each translation follows the newest sync at or before the group's offset (+1 when past it).
            let expected = [(orders0, Int64(12)), (orders1, Int64(20))].map { partition, offset in
                let sync = syncs.filter { $0.topicPartition == partition && $0.upstreamOffset <= offset }
                    .max { $0.upstreamOffset < $1.upstreamOffset }
                let downstream = sync.map { $0.downstreamOffset + ($0.upstreamOffset < offset ? 1 : 0) } ?? -1
                return (TopicPartition(topic: "primary.orders", partition: partition.partition), downstream)
            }
            #expect(checkpoints.mapValues(\.downstreamOffset) == Dictionary(uniqueKeysWithValues: expected), "\(syncs)")
            #expect(checkpoints[TopicPartition(topic: "primary.orders", partition: 1)]?.downstreamOffset == 20)
            let partition0 = checkpoints[TopicPartition(topic: "primary.orders", partition: 0)]?.downstreamOffset ?? -1
            #expect(partition0 <= 12 && 12 - partition0 <= 5, "within offset.lag.max: \(partition0)")
        }
    }

    func topicNames(_ clients: MirrorSourceClients) async throws -> Set<String> {
        let admin = try clients.admin()
        let result = await Result { try await admin.describeTopics(nil) }
        await admin.close()
        return Set(try result.get().map(\.name))
    }
}
