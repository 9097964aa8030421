import Foundation
import Kafka
import KafkaTestSupport
import Testing

@Suite(.timeLimit(.minutes(3))) struct AdminTests {
    @Test func topicsPartitionsAndRecords() async throws {
        try await withKafkaTestCluster { cluster in
            let clients = Clients(cluster: cluster)
            let admin = try clients.admin()
            let cluster = try await admin.describeCluster()
            #expect(!cluster.brokers.isEmpty)
            #expect(cluster.brokers.allSatisfy { $0.host == "127.0.0.1" })

            let topic = uniqueName("grow")
            #expect(try await admin.createTopics([NewTopic(name: topic, numPartitions: 3, replicationFactor: 1)]).isEmpty)
            let again = try await admin.createTopics([NewTopic(name: topic, numPartitions: 3, replicationFactor: 1)])
            #expect(again[topic]?.code == .topicAlreadyExists)

            #expect(try await admin.createPartitions([topic: 5]).isEmpty)
            let described = try await admin.describeTopics([topic])
            #expect(described.map(\.partitionCount) == [5])
            #expect(described.first?.replicationFactor == 1)
            #expect(try await admin.describeTopics().contains { $0.name == topic })

            let producer = try clients.producer()
            for index in 0..<10 { try await producer.send(ProducerRecord(topic: topic, partition: 0, value: bytes("\(index)"))) }
            await producer.close()
            let partition = TopicPartition(topic: topic, partition: 0)
            #expect(try await admin.deleteRecords(before: [partition: 4]) == [partition: 4])
            let consumer = try clients.consumer()
            #expect(try await consumer.watermarks(partition) == (low: 4, high: 10))
            await consumer.close()

            #expect(try await admin.deleteTopics([topic]).isEmpty)
            let gone = await #expect(throws: KafkaError.self) { try await admin.describeTopics([topic]) }
            #expect(gone?.code == .unknownTopicOrPartition)
            await admin.close()
        }
    }

    @Test func compactedTopicConfigsReadBack() async throws {
        try await withKafkaTestCluster { cluster in
            let clients = Clients(cluster: cluster)
            let admin = try clients.admin()
            let topic = uniqueName("compacted")
            let configs = ["cleanup.policy": "compact", "min.compaction.lag.ms": "1000", "retention.ms": "86400000"]
            #expect(try await admin.createTopics([NewTopic(name: topic, numPartitions: 1, replicationFactor: 1, configs: configs)]).isEmpty)

            let resource = ConfigResource.topic(topic)
            let entries = try #require(try await admin.describeConfigs([resource])[resource])
            let byName = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0) })
            for (name, value) in configs {
                #expect(byName[name]?.value == value, "\(name)")
                #expect(byName[name]?.isDefault == false, "\(name)")
            }

            #expect(try await admin.alterConfigs([resource: ["cleanup.policy": "compact,delete", "retention.ms": "3600000"]]).isEmpty)
            let altered = try #require(try await admin.describeConfigs([resource])[resource])
            #expect(altered.first { $0.name == "cleanup.policy" }?.value == "compact,delete")
            #expect(altered.first { $0.name == "retention.ms" }?.value == "3600000")

            let missing = await #expect(throws: KafkaError.self) { try await admin.describeConfigs([.topic(uniqueName("missing"))]) }
            #expect(missing?.code == .unknownTopicOrPartition)
            await admin.close()
        }
    }

    @Test func consumerGroupOffsetsListAlterAndReadBack() async throws {
        try await withKafkaTestCluster { cluster in
            let clients = Clients(cluster: cluster)
            let topic = uniqueName("offsets")
            try await clients.createTopic(topic, partitions: 2)
            let producer = try clients.producer()
            for index in 0..<20 { try await producer.send(ProducerRecord(topic: topic, partition: Int32(index % 2), value: bytes("\(index)"))) }
            await producer.close()

            let group = uniqueName("group")
            let p0 = TopicPartition(topic: topic, partition: 0)
            let p1 = TopicPartition(topic: topic, partition: 1)
            let consumer = try clients.consumer(["group.id": group, "enable.auto.commit": "false"])
            try await consumer.subscribe(topics: [topic])
            _ = try await pollRecords(consumer, count: 20)
            try await consumer.commit([p0: OffsetAndMetadata(offset: 7, metadata: "checkpoint"), p1: OffsetAndMetadata(offset: 3)])

            let admin = try clients.admin()
            let listing = try await admin.listConsumerGroups()
            #expect(listing.contains { $0.groupID == group })
            let described = try #require(try await admin.describeConsumerGroups([group]).first)
            #expect(described.state == .stable)
            #expect(described.members.count == 1)
            #expect(Set(described.members.first?.assignment ?? []) == [p0, p1])

            let listed = try await admin.listConsumerGroupOffsets(group)
            #expect(listed == [p0: OffsetAndMetadata(offset: 7, metadata: "checkpoint"), p1: OffsetAndMetadata(offset: 3)])
            #expect(try await admin.listConsumerGroupOffsets(group, partitions: [p1]) == [p1: OffsetAndMetadata(offset: 3)])

            // Kafka refuses to move offsets of a group with active members.
            let active = await #expect(throws: KafkaError.self) {
                try await admin.alterConsumerGroupOffsets(group, offsets: [p0: OffsetAndMetadata(offset: 1)])
            }
            #expect(active != nil)
            await consumer.close()

            try await admin.alterConsumerGroupOffsets(group, offsets: [p0: OffsetAndMetadata(offset: 2), p1: OffsetAndMetadata(offset: 9)])
            #expect(try await admin.listConsumerGroupOffsets(group) == [p0: OffsetAndMetadata(offset: 2), p1: OffsetAndMetadata(offset: 9)])
            let emptyGroup = try #require(try await admin.describeConsumerGroups([group]).first)
            #expect(emptyGroup.state == .empty)

            // A new member of the group resumes from the altered offsets.
            let resumed = try clients.consumer(["group.id": group, "enable.auto.commit": "false"])
            #expect(try await resumed.committed([p0, p1]) == [p0: OffsetAndMetadata(offset: 2), p1: OffsetAndMetadata(offset: 9)])
            try await resumed.subscribe(topics: [topic])
            let rest = try await pollRecords(resumed, count: 9)
            #expect(rest.filter { $0.partition == 0 }.map(\.offset) == Array(2..<10))
            #expect(rest.filter { $0.partition == 1 }.map(\.offset) == [9])
            await resumed.close()
            await admin.close()
        }
    }

    @Test func aclsAreCreatedAndDescribedOrRefusedWithATypedError() async throws {
        try await withKafkaTestCluster { cluster in
            let admin = try Clients(cluster: cluster).admin()
            let binding = AclBinding(resourceType: .topic, resourceName: "orders", principal: "User:mirror", operation: .read, permissionType: .allow)
            do {
                try await admin.createAcls([binding])
                #expect(try await admin.describeAcls(.anyTopic).contains(binding))
            } catch let error as KafkaError {
                // A broker without an authorizer answers SECURITY_DISABLED: typed, not a crash.
                #expect(error.rdKafkaName == "SECURITY_DISABLED", "\(error)")
            }
            await admin.close()
        }
    }
}
