import ConnectAPI
import Foundation
import Kafka
import KafkaProtocol
import KafkaTestSupport
import MirrorClient
import MirrorSourceConnector
import Testing

@Suite("MirrorSource against two brokers", .serialized)
struct MirrorSourceIntegrationTests {
    /// Records for `orders`: keys, values, headers (one null), a tombstone, explicit partitions
    /// and timestamps.
    static func orderRecords(_ range: Range<Int>, topic: String = "orders") -> [ProducerRecord] {
        // Recent timestamps: noida-db applies retention by record timestamp.
        let base = Int64(Date().timeIntervalSince1970 * 1000) - 60_000
        return range.map { index in
            ProducerRecord(
                topic: topic, partition: Int32(index % 3), key: mirrorSourceBytes("key-\(index)"),
                value: index % 7 == 6 ? nil : mirrorSourceBytes("value-\(index)"),
                headers: [KafkaHeader(key: "h1", value: mirrorSourceBytes("x\(index)")), KafkaHeader(key: "h2", value: nil)],
                timestamp: base + Int64(index))
        }
    }

    static func startTasks(
        _ connector: MirrorSourceConnector, maxTasks: Int, target: MirrorSourceClients, offsets: MirrorSourceTestOffsets,
        mode: MirrorSourceTestDriver.Mode = .records
    ) async throws -> [MirrorSourceTestDriver] {
        var drivers: [MirrorSourceTestDriver] = []
        for config in try await connector.taskConfigs(maxTasks: maxTasks) {
            let task = MirrorSourceTask()
            try await task.start(config, context: MirrorSourceTestTaskContext(configs: config, offsetStorageReader: offsets))
            drivers.append(try MirrorSourceTestDriver(task: task, target: target, offsets: offsets, mode: mode))
        }
        return drivers
    }

    static func stop(_ drivers: [MirrorSourceTestDriver]) async {
        for driver in drivers {
            await driver.task.stop()
            await driver.close()
        }
    }

    /// Both ways a worker runs the task: Connect records (`poll`), and copies of the consumed
    /// records (`pollCopies`, as with byte-array converters) give the same records, offsets and syncs.
    @Test(arguments: MirrorSourceTestDriver.Mode.allCases)
    func replicatesRecordsTopicsAndOffsetSyncs(mode: MirrorSourceTestDriver.Mode) async throws {
        try await withKafkaTestClusters(count: 2) { clusters in
            let source = MirrorSourceClients(bootstrapServers: clusters[0].bootstrapServers)
            let target = MirrorSourceClients(bootstrapServers: clusters[1].bootstrapServers)
            try await source.createTopic("orders", partitions: 3, configs: ["cleanup.policy": "compact"])
            try await source.createTopic("heartbeats", partitions: 1)
            try await source.createTopic("ignored", partitions: 2)
            try await source.createTopic("backup.orders", partitions: 1)
            let records = Self.orderRecords(0..<60)
            try await source.produce(records)

            let connector = MirrorSourceConnector()
            let context = MirrorSourceTestConnectorContext()
            try await connector.start(
                mirrorSourceProps(source: clusters[0], target: clusters[1], ["topics": "orders, backup\\..*", "topics.exclude": "heartbeats"]),
                context: context)
            // Heartbeats are replicated despite the exclusion; backup.orders came from the target (a cycle).
            #expect(connector.knownSourceTopicPartitions.map { "\($0)" } == ["heartbeats-0", "orders-0", "orders-1", "orders-2"])
            #expect(try await target.partitionCount("primary.orders") == 3)
            #expect(try await target.partitionCount("primary.heartbeats") == 1)
            #expect(try await target.partitionCount("primary.ignored") == nil)
            #expect(try await target.dynamicConfig("primary.orders")["cleanup.policy"] == "compact")
            #expect(try await source.partitionCount("mm2-offset-syncs.backup.internal") == 1)
            #expect(try await source.dynamicConfig("mm2-offset-syncs.backup.internal")["cleanup.policy"] == "compact")

            let configs = try await connector.taskConfigs(maxTasks: 2)
            #expect(configs.map { $0["task.assigned.partitions"] } == ["heartbeats-0,orders-1", "orders-0,orders-2"])
            #expect(configs.map { $0["task.index"] } == ["0", "1"])

            let offsets = MirrorSourceTestOffsets()
            let drivers = try await Self.startTasks(connector, maxTasks: 2, target: target, offsets: offsets, mode: mode)
            #expect(drivers.map { $0.task.copyLanes.map(\.targetTopic) } == [["primary.heartbeats", "primary.orders"], ["primary.orders", "primary.orders"]])
            // orders-1 holds 20 records (task 0), orders-0 and orders-2 40 (task 1).
            try await drivers[0].replicate(20)
            try await drivers[1].replicate(40)

            let replicated = try await target.readAll("primary.orders", partitions: 3, count: 60)
            #expect(replicated.count == 60)
            for partition in Int32(0)..<3 {
                let expected = records.filter { $0.partition == partition }
                let actual = replicated.filter { $0.partition == partition }.sorted { $0.offset < $1.offset }
                #expect(actual.map(\.key) == expected.map(\.key))
                #expect(actual.map(\.value) == expected.map(\.value))
                #expect(actual.map(\.headers) == expected.map(\.headers))
                #expect(actual.map(\.timestamp) == expected.map(\.timestamp))
                #expect(actual.map(\.offset) == Array(0..<Int64(expected.count)))
            }
            #expect(offsets.all[MirrorSourceOffsets.wrapPartition(TopicPartition(topic: "orders", partition: 2), sourceClusterAlias: "primary")]
                == ["offset": 19])

            // Offset syncs: the first per partition at once, the last one flushed by commit().
            let syncRecords = try await source.readAll("mm2-offset-syncs.backup.internal", partitions: 1, count: 6)
            #expect(syncRecords.count == 6)
            let syncs = try syncRecords.map { try OffsetSync.decode(key: $0.key ?? [], value: $0.value ?? []) }
            for partition in Int32(0)..<3 {
                let tp = TopicPartition(topic: "orders", partition: partition)
                #expect(syncs.filter { $0.topicPartition == tp } == [
                    OffsetSync(topicPartition: tp, upstreamOffset: 0, downstreamOffset: 0),
                    OffsetSync(topicPartition: tp, upstreamOffset: 19, downstreamOffset: 19),
                ])
            }
            // Byte-exact: key = STRING topic + INT32 partition, value = INT64 upstream + INT64 downstream.
            let first = try #require(syncRecords.first { $0.key == [0, 6] + mirrorSourceBytes("orders") + [0, 0, 0, 1] })
            #expect(first.value == [0, 0, 0, 0, 0, 0, 0, 0] + [0, 0, 0, 0, 0, 0, 0, 0])
            let last = try #require(syncRecords.last { $0.key == [0, 6] + mirrorSourceBytes("orders") + [0, 0, 0, 1] })
            #expect(last.value == [0, 0, 0, 0, 0, 0, 0, 19, 0, 0, 0, 0, 0, 0, 0, 19])

            await Self.stop(drivers)
            await connector.stop()
        }
    }

    @Test func restartResumesFromStoredOffsets() async throws {
        try await withKafkaTestClusters(count: 2) { clusters in
            let source = MirrorSourceClients(bootstrapServers: clusters[0].bootstrapServers)
            let target = MirrorSourceClients(bootstrapServers: clusters[1].bootstrapServers)
            try await source.createTopic("orders", partitions: 3)
            try await source.produce(Self.orderRecords(0..<30))

            let props = mirrorSourceProps(source: clusters[0], target: clusters[1], ["emit.offset-syncs.enabled": "false"])
            let connector = MirrorSourceConnector()
            try await connector.start(props, context: MirrorSourceTestConnectorContext())
            let offsets = MirrorSourceTestOffsets()
            var drivers = try await Self.startTasks(connector, maxTasks: 1, target: target, offsets: offsets)
            try await drivers[0].replicate(30)
            #expect(drivers[0].task.offsetSyncWriter == nil)
            await Self.stop(drivers)
            #expect(try await source.partitionCount("mm2-offset-syncs.backup.internal") == nil)

            try await source.produce(Self.orderRecords(30..<45))
            drivers = try await Self.startTasks(connector, maxTasks: 1, target: target, offsets: offsets)
            try await drivers[0].replicate(15)
            // Nothing more arrives: the restarted task did not re-read replicated records.
            #expect(try await drivers[0].step() == 0)
            await Self.stop(drivers)
            await connector.stop()

            #expect(try await target.endOffsetSum("primary.orders", partitions: 3) == 45)
            let replicated = try await target.readAll("primary.orders", partitions: 3, count: 45)
            #expect(replicated.count == 45)
            #expect(Set(replicated.compactMap(\.key)).count == 45)
        }
    }

    @Test func latestResetSkipsExistingRecords() async throws {
        try await withKafkaTestClusters(count: 2) { clusters in
            let source = MirrorSourceClients(bootstrapServers: clusters[0].bootstrapServers)
            let target = MirrorSourceClients(bootstrapServers: clusters[1].bootstrapServers)
            try await source.createTopic("orders", partitions: 1)
            try await source.produce(Self.orderRecords(0..<5).map { var r = $0; r.partition = 0; return r })
            let connector = MirrorSourceConnector()
            try await connector.start(
                mirrorSourceProps(source: clusters[0], target: clusters[1], ["source.consumer.auto.offset.reset": "latest"]),
                context: MirrorSourceTestConnectorContext())
            let drivers = try await Self.startTasks(connector, maxTasks: 1, target: target, offsets: MirrorSourceTestOffsets())
            // The end position is resolved by the first fetches; give them time before producing.
            let settled = ContinuousClock.now + .seconds(2)
            while ContinuousClock.now < settled {
                #expect(try await drivers[0].step() == 0)
            }
            try await source.produce(Self.orderRecords(5..<8).map { var r = $0; r.partition = 0; return r })
            try await drivers[0].replicate(3)
            await Self.stop(drivers)
            await connector.stop()
            #expect(try await target.endOffsetSum("primary.orders", partitions: 1) == 3)
            let replicated = try await target.readAll("primary.orders", partitions: 1, count: 3)
            #expect(replicated.compactMap(\.key) == (5..<8).map { mirrorSourceBytes("key-\($0)") })
        }
    }

    @Test func refreshPicksUpNewTopicsPartitionsAndConfigs() async throws {
        try await withKafkaTestClusters(count: 2) { clusters in
            let source = MirrorSourceClients(bootstrapServers: clusters[0].bootstrapServers)
            let target = MirrorSourceClients(bootstrapServers: clusters[1].bootstrapServers)
            try await source.createTopic("orders", partitions: 3, configs: ["cleanup.policy": "compact", "retention.ms": "3600000"])

            let connector = MirrorSourceConnector()
            let context = MirrorSourceTestConnectorContext()
            try await connector.start(mirrorSourceProps(source: clusters[0], target: clusters[1], [
                "refresh.topics.enabled": "true", "refresh.topics.interval.seconds": "1",
                "sync.topic.configs.enabled": "true", "sync.topic.configs.interval.seconds": "1",
                "sync.topic.acls.enabled": "true", "sync.topic.acls.interval.seconds": "1",
            ]), context: context)
            #expect(try await target.dynamicConfig("primary.orders") == ["cleanup.policy": "compact", "retention.ms": "3600000"])

            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await connector.run() }

                try await source.createTopic("payments", partitions: 2)
                try await mirrorSourceEventually("the new topic") {
                    context.reconfigurations > 0 && connector.knownSourceTopicPartitions.contains { $0.topic == "payments" }
                }
                #expect(try await target.partitionCount("primary.payments") == 2)
                #expect(try await connector.taskConfigs(maxTasks: 10).count == 5)

                let admin = try source.admin()
                #expect(try await admin.createPartitions(["orders": 5]).isEmpty)
                let alterFailures = try await admin.alterConfigs([.topic("orders"): ["cleanup.policy": "compact", "retention.ms": "7200000"]])
                #expect(alterFailures.isEmpty)
                await admin.close()
                // A target-side value of an excluded property survives config syncs.
                let targetAdmin = try target.admin()
                _ = try await targetAdmin.alterConfigs([.topic("primary.orders"): [
                    "cleanup.policy": "compact", "retention.ms": "3600000", "min.insync.replicas": "1",
                ]])
                await targetAdmin.close()

                try await mirrorSourceEventually("the added partitions") {
                    try await target.partitionCount("primary.orders") == 5
                }
                #expect(connector.knownSourceTopicPartitions.filter { $0.topic == "orders" }.count == 5)
                try await mirrorSourceEventually("the synced config") {
                    try await target.dynamicConfig("primary.orders")["retention.ms"] == "7200000"
                }
                #expect(try await target.dynamicConfig("primary.orders") == [
                    "cleanup.policy": "compact", "retention.ms": "7200000", "min.insync.replicas": "1",
                ])
                group.cancelAll()
                try? await group.waitForAll()
            }
            await connector.stop()
        }
    }

    /// Not a benchmark (see bench/): reports how long 100k small records take through the task
    /// compared with a bare consume->produce loop on the same brokers.
    @Test func replicates100kSmallRecords() async throws {
        try await withKafkaTestClusters(count: 2) { clusters in
            let source = MirrorSourceClients(bootstrapServers: clusters[0].bootstrapServers)
            let target = MirrorSourceClients(bootstrapServers: clusters[1].bootstrapServers)
            let count = 100_000
            try await source.createTopic("bench", partitions: 3)
            try await target.createTopic("bare.bench", partitions: 3)
            let value = [UInt8](repeating: 0x61, count: 100)
            try await source.produce((0..<count).map {
                ProducerRecord(topic: "bench", partition: Int32($0 % 3), key: mirrorSourceBytes("k\($0)"), value: value)
            })

            let connector = MirrorSourceConnector()
            try await connector.start(mirrorSourceProps(source: clusters[0], target: clusters[1]), context: MirrorSourceTestConnectorContext())
            let mirrorStart = ContinuousClock.now
            let drivers = try await Self.startTasks(connector, maxTasks: 1, target: target, offsets: MirrorSourceTestOffsets())
            try await drivers[0].replicate(count, timeout: .seconds(120))
            let mirror = ContinuousClock.now - mirrorStart
            await Self.stop(drivers)
            await connector.stop()

            // The bare loop runs second, so any broker warm-up favours it, not the task.
            let bareStart = ContinuousClock.now
            let consumer = try source.consumer()
            try await consumer.assign(Dictionary(uniqueKeysWithValues: (0..<3).map {
                (TopicPartition(topic: "bench", partition: Int32($0)), KafkaOffset.beginning)
            }))
            let producer = try target.producer()
            var bareCount = 0
            while bareCount < count {
                for record in try await consumer.poll(timeout: .milliseconds(200)) {
                    let outgoing = ProducerRecord(topic: "bare.bench", partition: record.partition, key: record.key,
                                                  value: record.value, headers: record.headers, timestamp: record.timestamp)
                    while true {
                        do {
                            try producer.send(outgoing) { _ in }
                            break
                        } catch let error as KafkaError where error.code == .queueFull {
                            try await Task.sleep(for: .milliseconds(1))
                        }
                    }
                    bareCount += 1
                }
            }
            try await producer.flush(timeout: .seconds(60))
            let bare = ContinuousClock.now - bareStart
            await consumer.close()
            await producer.close()

            let replicated = try await target.readAll("primary.bench", partitions: 3, count: count, timeout: .seconds(60))
            #expect(replicated.count == count)
            let pollTime = drivers[0].pollTime.withLock { $0 }
            print("MirrorSource 100k x 100 B: task+driver \(mirror) (in poll \(pollTime)), bare consume->produce \(bare), ratio \(bare / mirror)")
        }
    }
}
