@_spi(Testing) import Kafka
import KafkaProtocol
import Synchronization
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

    @Test func taggedSendsReportEveryTagOnceInOrderAndFailuresTyped() async throws {
        let cluster = try KafkaMockCluster(brokers: 1)
        try cluster.createTopic("tagged", partitions: 2)
        let producer = try producer(cluster, ["retries": "0"])
        // Without a handler a tagged send is refused, and nothing is queued.
        let refused = #expect(throws: KafkaError.self) { try producer.send(record("tagged", "x"), tag: 1) }
        #expect(refused?.code == .invalidArgument)

        let reported = Mutex<[Delivery]>([])
        producer.setDeliveryHandler { batch in reported.withLock { $0 += batch } }
        #expect(throws: KafkaError.self) { try producer.send(record("tagged", "x"), tag: 1 << 63) }
        for tag in UInt64(0)..<200 {
            let value = Array("v\(tag)".utf8)
            try producer.send(ProducerRecord(topic: "tagged", partition: Int32(tag % 2), key: nil, value: value), tag: tag)
        }
        // flush hands over what it served before it returns.
        try await producer.flush(timeout: .seconds(10))
        let deliveries = reported.withLock { $0 }
        #expect(deliveries.map(\.tag).sorted() == Array(0..<200))
        #expect(deliveries.allSatisfy { $0.error == nil })
        for partition in Int32(0)..<2 {
            let ofPartition = deliveries.filter { $0.partition == partition }
            #expect(ofPartition.map(\.tag) == ofPartition.map(\.tag).sorted(), "per-partition delivery order")
            #expect(ofPartition.map(\.offset) == Array(0..<Int64(ofPartition.count)))
        }

        // A failed record is reported under its tag with the typed error.
        reported.withLock { $0 = [] }
        cluster.pushRequestErrors(.produce, [.notEnoughReplicas])
        try producer.send(record("tagged", "fails"), tag: 7_000)
        try await producer.flush(timeout: .seconds(10))
        let failed = try #require(reported.withLock { $0 }.first)
        #expect(failed.tag == 7_000)
        #expect(failed.offset == -1)
        #expect(failed.error?.rdKafkaName == "NOT_ENOUGH_REPLICAS")
        await producer.close()
        await cluster.close()
    }
}
