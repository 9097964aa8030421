import ConnectAPI
import ConnectRuntime
import Kafka
import KafkaTestSupport
import Testing

@Suite(.timeLimit(.minutes(3))) struct InternalTopicTests {
    @Test func topicsAreCreatedCompactedWithTheRequestedPartitions() async throws {
        try await withKafkaTestCluster { cluster in
            let kit = StoreTestKit(cluster: cluster)
            let admin = try kit.topicAdmin()

            let offsets = InternalTopic.offsetTopic(uniqueName("offsets"), partitions: 7, replicationFactor: 1, configs: ["cleanup.policy": "delete", "min.compaction.lag.ms": "1000"])
            // Asking for partitions of a config topic has no effect: it always gets one.
            var config = InternalTopic.configTopic(uniqueName("configs"), replicationFactor: 1)
            config.partitions = 4
            let status = InternalTopic.statusTopic(uniqueName("status"), partitions: -1, replicationFactor: -1)
            for topic in [offsets, config, status] { try await admin.initialize(topic) }

            #expect(try await kit.partitionCount(offsets.name) == 7)
            #expect(try await kit.partitionCount(config.name) == 1)
            #expect(try await kit.partitionCount(status.name) >= 1)
            for topic in [offsets, config, status] {
                #expect(try await kit.cleanupPolicy(topic.name) == "compact", "\(topic.name)")
            }
            #expect(try await admin.topicCleanupPolicy(offsets.name) == ["compact"])
            let lag = try await admin.admin.describeConfigs([.topic(offsets.name)])[.topic(offsets.name)]?.first { $0.name == "min.compaction.lag.ms" }
            #expect(lag?.value == "1000")

            // Existing topics are found and checked, also when several workers race to create one.
            #expect(try await admin.createOrFindTopic(offsets.newTopic) == .existing)
            let contested = InternalTopic.statusTopic(uniqueName("contested"), partitions: 2, replicationFactor: 1)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 { group.addTask { try await admin.initialize(contested) } }
                try await group.waitForAll()
            }
            #expect(try await kit.partitionCount(contested.name) == 2)

            // More replicas than brokers: retried (brokers may still be joining), then a clear error.
            let tooReplicated = InternalTopic.configTopic(uniqueName("rf3"), replicationFactor: 3)
            let started = ContinuousClock.now
            let failure = await #expect(throws: KafkaError.self) { try await admin.initialize(tooReplicated, createTimeout: .milliseconds(600)) }
            #expect(ContinuousClock.now - started >= .milliseconds(500))
            #expect(failure?.rdKafkaName == "INVALID_REPLICATION_FACTOR")
            #expect(failure?.message.contains("cannot create topic '\(tooReplicated.name)' with 1 partitions and replication factor 3") == true)
            await admin.close()
        }
    }

    @Test func storesRefuseTopicsThatAreNotCompactedOrHaveSeveralConfigPartitions() async throws {
        try await withKafkaTestCluster { cluster in
            let kit = StoreTestKit(cluster: cluster)
            let admin = try kit.topicAdmin()
            let deleting = uniqueName("deleting")
            let mixed = uniqueName("mixed")
            let wide = uniqueName("wide")
            #expect(try await admin.admin.createTopics([
                NewTopic(name: deleting, numPartitions: 1, replicationFactor: 1, configs: ["cleanup.policy": "delete"]),
                NewTopic(name: mixed, numPartitions: 3, replicationFactor: 1, configs: ["cleanup.policy": "compact,delete"]),
                NewTopic(name: wide, numPartitions: 2, replicationFactor: 1, configs: ["cleanup.policy": "compact"]),
            ]).isEmpty)

            let configStore = kit.configStore(deleting, admin: admin)
            let notCompacted = await #expect(throws: ConfigException.self) { try await configStore.start() }
            #expect(notCompacted?.name == "config.storage.topic")
            #expect(notCompacted?.message.contains("Topic '\(deleting)' supplied via the 'config.storage.topic' property is required to have 'cleanup.policy=compact'") == true)
            #expect(notCompacted?.message.contains("found the topic currently has 'cleanup.policy=delete'") == true)
            await configStore.stop()

            let offsetStore = kit.offsetStore(mixed, admin: admin)
            let alsoDeleting = await #expect(throws: ConfigException.self) { try await offsetStore.start() }
            #expect(alsoDeleting?.name == "offset.storage.topic")
            #expect(alsoDeleting?.message.contains("'cleanup.policy=compact,delete'") == true)
            await offsetStore.stop()

            let statusStore = kit.statusStore(deleting, admin: admin)
            let statusError = await #expect(throws: ConfigException.self) { try await statusStore.start() }
            #expect(statusError?.name == "status.storage.topic")
            await statusStore.stop()

            let wideStore = kit.configStore(wide, admin: admin)
            let severalPartitions = await #expect(throws: ConfigException.self) { try await wideStore.start() }
            #expect(severalPartitions?.message.contains("Topic '\(wide)' supplied via the 'config.storage.topic' property is required to have a single partition") == true)
            #expect(severalPartitions?.message.contains("but found 2 partitions") == true)
            await wideStore.stop()

            // A store that refused to start writes nothing.
            await #expect(throws: KafkaError.self) { try await wideStore.putSessionKey(SessionKey(key: [1], algorithm: "HmacSHA256", creationTimestamp: 1)) }
            #expect(try await kit.readAll(wide).isEmpty)
            await admin.close()
        }
    }
}
