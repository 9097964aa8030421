@_spi(Testing) import Kafka
import KafkaProtocol
import Testing

/// Fault injection against librdkafka's embedded mock cluster.
@Suite(.timeLimit(.minutes(1))) struct MockClusterFaultTests {
    private func producer(_ cluster: KafkaMockCluster, _ extra: [String: String] = [:]) throws -> KafkaProducer {
        try KafkaProducer(configuration: KafkaConfiguration([
            "bootstrap.servers": cluster.bootstrapServers,
            "linger.ms": "0",
            "retry.backoff.ms": "50",
            "delivery.timeout.ms": "20000",
        ]).merging(extra))
    }

    private func record(_ topic: String, _ value: String) -> ProducerRecord {
        ProducerRecord(topic: topic, partition: 0, key: Array("k".utf8), value: Array(value.utf8))
    }

    @Test func produceSurvivesTheLeaderGoingDownAndUp() async throws {
        let cluster = try KafkaMockCluster(brokers: 3)
        try cluster.createTopic("orders", partitions: 1, replicationFactor: 3)
        try cluster.setPartitionLeader(TopicPartition(topic: "orders", partition: 0), broker: 1)
        let producer = try producer(cluster)

        let first = try await producer.send(record("orders", "before"))
        #expect(first.offset == 0)

        try cluster.setBrokerDown(1)
        async let delivery = producer.send(record("orders", "during outage"))
        try await Task.sleep(for: .milliseconds(1500))
        try cluster.setBrokerUp(1)
        let second = try await delivery
        #expect(second.partition == 0)
        #expect(second.offset == 1)

        await producer.close()
        await cluster.close()
    }

    @Test func injectedRetriableErrorsAreRetried() async throws {
        let cluster = try KafkaMockCluster(brokers: 1)
        try cluster.createTopic("retried", partitions: 1)
        let producer = try producer(cluster)
        _ = try await producer.send(record("retried", "warm-up"))

        cluster.pushRequestErrors(.produce, [.notEnoughReplicas, .requestTimedOut, .notLeaderOrFollower])
        let metadata = try await producer.send(record("retried", "after three failures"))
        #expect(metadata.offset == 1)
        await producer.close()

        // The same injection without retries fails: the errors above really reached the client.
        let noRetries = try self.producer(cluster, ["retries": "0"])
        _ = try await noRetries.send(record("retried", "warm-up"))
        cluster.pushRequestErrors(.produce, [.notEnoughReplicas])
        let error = await #expect(throws: KafkaError.self) { try await noRetries.send(record("retried", "no retry")) }
        #expect(error?.rdKafkaName == "NOT_ENOUGH_REPLICAS")
        #expect(error?.isRetriable == true)
        await noRetries.close()
        await cluster.close()
    }

    @Test func nonRetriableErrorsSurfaceAsTypedDeliveryErrors() async throws {
        let cluster = try KafkaMockCluster(brokers: 1)
        try cluster.createTopic("denied", partitions: 1)
        let producer = try producer(cluster)
        _ = try await producer.send(record("denied", "warm-up"))

        cluster.pushRequestErrors(.produce, [.topicAuthorizationFailed])
        let error = await #expect(throws: KafkaError.self) { try await producer.send(record("denied", "rejected")) }
        #expect(error?.rdKafkaName == "TOPIC_AUTHORIZATION_FAILED")
        #expect(error?.isRetriable == false)
        #expect(error?.isFatal == false)
        // The producer itself is still usable (librdkafka keeps the topic marked unauthorized
        // until its next metadata refresh, so use another topic).
        try cluster.createTopic("allowed", partitions: 1)
        #expect(try await producer.send(record("allowed", "accepted")).offset == 0)
        await producer.close()
        await cluster.close()
    }

    @Test func fatalIdempotenceErrorsMakeTheProducerUnusable() async throws {
        let cluster = try KafkaMockCluster(brokers: 1)
        try cluster.createTopic("fenced", partitions: 1)
        let producer = try producer(cluster, ["enable.idempotence": "true"])
        _ = try await producer.send(record("fenced", "warm-up"))

        // A sequence gap on the oldest in-flight batch means possible data loss: librdkafka
        // raises a fatal error for idempotent producers.
        cluster.pushRequestErrors(.produce, [.outOfOrderSequenceNumber])
        let error = await #expect(throws: KafkaError.self) { try await producer.send(record("fenced", "fenced")) }
        #expect(error?.isFatal == true)
        #expect(error?.code == .fatal)
        #expect(error?.rdKafkaName == "OUT_OF_ORDER_SEQUENCE_NUMBER")
        #expect(producer.fatalError != nil)
        let afterwards = await #expect(throws: KafkaError.self) { try await producer.send(record("fenced", "after")) }
        #expect(afterwards?.isFatal == true)
        await producer.close()
        await cluster.close()
    }
}
