import Kafka
import KafkaTestSupport
import Testing

/// Bad input gets a clear typed error, never a crash or a hang.
@Suite(.timeLimit(.minutes(2))) struct BadInputTests {
    @Test func unreachableBrokerTimesOutWithTheConnectionErrorInTheMessage() async throws {
        // A port nobody listens on.
        let admin = try KafkaAdminClient(configuration: ["bootstrap.servers": "127.0.0.1:1", "default.api.timeout.ms": "2000"])
        let error = await #expect(throws: KafkaError.self) { try await admin.describeCluster() }
        #expect(error?.code == .timedOut)
        #expect(error?.message.contains("Connection refused") == true, "\(String(describing: error))")
        await admin.close()

        let producer = try KafkaProducer(configuration: ["bootstrap.servers": "127.0.0.1:1", "delivery.timeout.ms": "1500"])
        let delivery = await #expect(throws: KafkaError.self) { try await producer.send(ProducerRecord(topic: "t", value: [1])) }
        #expect(delivery?.code == .timedOut)
        await producer.close()
    }

    @Test func missingTopicsAreReportedAsUnknown() async throws {
        try await withKafkaTestCluster { cluster in
            let clients = Clients(cluster: cluster)
            let missing = TopicPartition(topic: uniqueName("missing"), partition: 0)
            let admin = try clients.admin()
            let described = await #expect(throws: KafkaError.self) { try await admin.describeTopics([missing.topic]) }
            #expect(described?.code == .unknownTopicOrPartition)
            await admin.close()

            let consumer = try clients.consumer(["default.api.timeout.ms": "5000"])
            let marks = await #expect(throws: KafkaError.self) { try await consumer.watermarks(missing) }
            #expect(marks?.code == .unknownTopicOrPartition)
            await consumer.close()
        }
    }

    @Test func closedClientsRefuseFurtherUse() async throws {
        try await withKafkaTestCluster { cluster in
            let clients = Clients(cluster: cluster)
            let producer = try clients.producer()
            await producer.close()
            await producer.close()  // idempotent
            let send = #expect(throws: KafkaError.self) { try producer.send(ProducerRecord(topic: "t", value: [1])) { _ in } }
            #expect(send?.code == .clientClosed)
            let flush = await #expect(throws: KafkaError.self) { try await producer.flush() }
            #expect(flush?.code == .clientClosed)

            let consumer = try clients.consumer()
            await consumer.close()
            let poll = await #expect(throws: KafkaError.self) { try await consumer.poll() }
            #expect(poll?.code == .clientClosed)
            let pause = #expect(throws: KafkaError.self) { try consumer.pause([TopicPartition(topic: "t", partition: 0)]) }
            #expect(pause?.code == .clientClosed)

            let admin = try clients.admin()
            await admin.close()
            let list = await #expect(throws: KafkaError.self) { try await admin.listConsumerGroups() }
            #expect(list?.code == .clientClosed)
        }
    }

    @Test func groupOperationsWithoutGroupIdAreRefused() async throws {
        let consumer = try KafkaConsumer(configuration: ["bootstrap.servers": "127.0.0.1:1"])
        let error = await #expect(throws: KafkaError.self) { try await consumer.subscribe(topics: ["t"]) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("group.id") == true)
        await consumer.close()
    }
}
