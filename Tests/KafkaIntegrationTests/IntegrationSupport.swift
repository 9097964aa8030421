import Foundation
import Kafka
import KafkaTestSupport

/// Clients and helpers shared by the integration tests, all against a fresh noida-db broker.
struct Clients {
    let cluster: KafkaTestCluster

    var base: KafkaConfiguration { ["bootstrap.servers": cluster.bootstrapServers, "default.api.timeout.ms": "15000"] }

    func admin() throws -> KafkaAdminClient { try KafkaAdminClient(configuration: base) }
    func producer(
        _ extra: [String: String] = [:], deliveryReports: KafkaProducer.DeliveryReportServing = .producerThread
    ) throws -> KafkaProducer {
        try KafkaProducer(configuration: base.merging(["linger.ms": "5"]).merging(extra), deliveryReports: deliveryReports)
    }
    func consumer(_ extra: [String: String] = [:]) throws -> KafkaConsumer {
        try KafkaConsumer(configuration: base.merging(["auto.offset.reset": "earliest"]).merging(extra))
    }

    func createTopic(_ name: String, partitions: Int32, configs: [String: String] = [:]) async throws {
        let admin = try admin()
        let failures = try await admin.createTopics([NewTopic(name: name, numPartitions: partitions, replicationFactor: 1, configs: configs)])
        await admin.close()
        if let failure = failures[name] { throw failure }
    }
}

/// Polls until `count` records arrived or `timeout` passed.
func pollRecords(_ consumer: KafkaConsumer, count: Int, timeout: Duration = .seconds(30)) async throws -> [ConsumerRecord] {
    var records: [ConsumerRecord] = []
    let deadline = ContinuousClock.now + timeout
    while records.count < count, ContinuousClock.now < deadline {
        records += try await consumer.poll(timeout: .milliseconds(200))
    }
    return records
}

func uniqueName(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8))" }

func bytes(_ string: String) -> [UInt8] { Array(string.utf8) }
