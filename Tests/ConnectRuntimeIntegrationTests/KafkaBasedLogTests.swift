import ConnectRuntime
import Kafka
import KafkaTestSupport
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(3))) struct KafkaBasedLogTests {
    @Test func readsEveryPartitionInOrderDeliversTombstonesAndStops() async throws {
        try await withKafkaTestCluster { cluster in
            let kit = StoreTestKit(cluster: cluster)
            let admin = try kit.topicAdmin()
            let topic = uniqueName("log")
            try await admin.initialize(InternalTopic.statusTopic(topic, partitions: 3, replicationFactor: 1))
            let existing = (0..<30).map { (key: "key-\($0 % 7)", value: Optional("value-\($0)")) }
            try await kit.produce(topic, existing)

            let consumed = Mutex<[ConsumerRecord]>([])
            let log = KafkaBasedLog(
                topic: topic, producerConfiguration: kit.clients, consumerConfiguration: kit.clients.merging(["group.id": "ignored"]),
                topicAdmin: admin, logger: kit.logger, consume: { record in consumed.withLock { $0.append(record) } }
            )
            try await log.start(timeout: .seconds(20))
            #expect(log.partitionCount == 3)
            // Everything present at start was delivered before start returned, in offset order per partition.
            var records = consumed.withLock { $0 }
            #expect(records.count == 30)
            for partition in Int32(0)..<3 {
                let offsets = records.filter { $0.partition == partition }.map(\.offset)
                #expect(offsets == Array(0..<Int64(offsets.count)))
            }

            // Acknowledged writes, a tombstone among them, are consumed by the next read to the end.
            let acknowledged = try await log.send([(key: Array("key-1".utf8), value: Array("last".utf8)), (key: Array("key-2".utf8), value: nil)])
            #expect(acknowledged.count == 2)
            try await log.readToEnd(timeout: .seconds(10))
            records = consumed.withLock { $0 }
            #expect(records.count == 32)
            let tombstone = try #require(records.last { text($0.key) == "key-2" })
            #expect(tombstone.value == nil)
            #expect(text(records.last { text($0.key) == "key-1" }?.value) == "last")
            // Same keys land on the same partitions (Java's hashing), so order per key holds.
            #expect(tombstone.partition == javaPartition(key: Array("key-2".utf8), partitions: 3))

            await log.stop()
            await log.stop()
            let stopped = await #expect(throws: KafkaError.self) { try await log.readToEnd(timeout: .seconds(1)) }
            #expect(stopped?.code == .clientClosed)
            await #expect(throws: KafkaError.self) { try await log.send(key: nil, value: nil) }

            // A read-only log reads but refuses to write.
            let reader = KafkaBasedLog(topic: topic, producerConfiguration: nil, consumerConfiguration: kit.clients, topicAdmin: admin, logger: kit.logger) { _ in }
            try await reader.start()
            let readOnly = await #expect(throws: KafkaError.self) { try await reader.send(key: nil, value: [1]) }
            #expect(readOnly?.code == .invalidArgument)
            await reader.stop()

            // A missing topic is reported, not waited for forever.
            let missing = KafkaBasedLog(topic: uniqueName("missing"), producerConfiguration: nil, consumerConfiguration: kit.clients, topicAdmin: admin, partitionLookupTimeout: .milliseconds(500), logger: kit.logger) { _ in }
            let notFound = await #expect(throws: KafkaError.self) { try await missing.start() }
            #expect(notFound?.code == .unknownTopicOrPartition)
            await admin.close()
        }
    }

    /// An idle reader unassigns its partitions and only checks their end offsets; records another
    /// client writes later (here to partitions that were empty when the log started, the case librdkafka 2.0
    /// could leave unread) still reach the callback without any readToEnd.
    @Test func anIdleLogStillSeesWhatOthersWriteLater() async throws {
        try await withKafkaTestCluster { cluster in
            let kit = StoreTestKit(cluster: cluster)
            let admin = try kit.topicAdmin()
            let topic = uniqueName("idle")
            try await admin.initialize(InternalTopic.statusTopic(topic, partitions: 3, replicationFactor: 1))
            let consumed = Mutex<[ConsumerRecord]>([])
            let log = KafkaBasedLog(
                topic: topic, producerConfiguration: nil, consumerConfiguration: kit.clients,
                topicAdmin: admin, logger: kit.logger, consume: { record in consumed.withLock { $0.append(record) } })
            try await log.start(timeout: .seconds(20))
            for round in 0..<3 {
                // Long enough to go idle (several end-offset checks) before the next writes.
                try await Task.sleep(for: .milliseconds(700))
                try await kit.produce(topic, (0..<9).map { (key: "key-\($0)", value: Optional("round-\(round)")) })
                let expected = 9 * (round + 1)
                let deadline = ContinuousClock.now + .seconds(10)
                while consumed.withLock({ $0.count }) < expected, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                let records = consumed.withLock { $0 }
                #expect(records.count == expected, "round \(round): \(records.count) records read in the background")
                #expect(Set(records.map(\.partition)).count == 3, "every partition is read")
            }
            await log.stop()
            await admin.close()
        }
    }
}
