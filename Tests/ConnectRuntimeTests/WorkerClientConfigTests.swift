import ConnectAPI
import Testing
@testable import ConnectRuntime

/// The clients a task gets are composed as Apache's `Worker` composes them: the runtime's
/// defaults, then the worker's `producer.*`/`consumer.*`, then the connector's allowed overrides.
@Suite struct WorkerClientConfigTests {
    let task = ConnectorTaskId(validatedConnector: "orders", task: 2)

    func worker(_ extra: [String: String]) throws -> DistributedConfig {
        try DistributedConfig(DistributedConfigTests.minimal.merging(["bootstrap.servers": "b:9092"].merging(extra) { $1 }) { $1 })
    }

    @Test func sourceTaskProducerDefaultsGiveWayToTheWorkerThenToTheConnector() throws {
        let plain = try Worker.sourceTaskProducerConfig(task, worker: try worker([:]), connectorConfig: [:])
        #expect(plain == [
            "bootstrap.servers": "b:9092", "acks": "all", "delivery.timeout.ms": "2147483647",
            "client.id": "connector-producer-orders-2",
        ])

        let tuned = try worker(["producer.acks": "1", "producer.linger.ms": "20", "producer.client.id": "mine"])
        let fromWorker = try Worker.sourceTaskProducerConfig(task, worker: tuned, connectorConfig: [:])
        #expect(fromWorker["acks"] == "1" && fromWorker["linger.ms"] == "20" && fromWorker["client.id"] == "mine", "\(fromWorker)")

        let overridden = try Worker.sourceTaskProducerConfig(
            task, worker: tuned, connectorConfig: ["producer.override.linger.ms": "50", "producer.override.acks": "all"])
        #expect(overridden["linger.ms"] == "50" && overridden["acks"] == "all", "\(overridden)")

        let strict = try worker(["connector.client.config.override.policy": "None"])
        #expect(throws: ConnectError.self) {
            try Worker.sourceTaskProducerConfig(task, worker: strict, connectorConfig: ["producer.override.linger.ms": "50"])
        }
    }

    /// Without idempotence (disabled, or `acks=1`), one request in flight keeps records in
    /// order, as Apache's default does; the user's own in-flight limit still wins.
    @Test func sourceTaskProducerWithoutIdempotenceSendsOneRequestAtATime() throws {
        let idempotent = try Worker.sourceTaskProducerConfig(task, worker: try worker([:]), connectorConfig: [:])
        #expect(idempotent["max.in.flight.requests.per.connection"] == nil)
        let disabled = try Worker.sourceTaskProducerConfig(task, worker: try worker(["producer.enable.idempotence": "false"]), connectorConfig: [:])
        #expect(disabled["max.in.flight.requests.per.connection"] == "1")
        let acksOne = try Worker.sourceTaskProducerConfig(task, worker: try worker([:]), connectorConfig: ["producer.override.acks": "1"])
        #expect(acksOne["max.in.flight.requests.per.connection"] == "1")
        let chosen = try Worker.sourceTaskProducerConfig(
            task, worker: try worker(["producer.enable.idempotence": "false", "producer.max.in.flight.requests.per.connection": "3"]),
            connectorConfig: [:])
        #expect(chosen["max.in.flight.requests.per.connection"] == "3")
    }

    @Test func sinkTaskConsumerDefaultsGiveWayToTheWorkerThenToTheConnector() throws {
        let plain = try Worker.sinkTaskConsumerConfig(task, worker: try worker([:]), connectorConfig: [:])
        #expect(plain == [
            "bootstrap.servers": "b:9092", "group.id": "connect-orders", "enable.auto.commit": "false",
            "auto.offset.reset": "earliest", "client.id": "connector-consumer-orders-2",
        ])
        let tuned = try worker(["consumer.auto.offset.reset": "latest", "consumer.fetch.min.bytes": "1024"])
        let fromWorker = try Worker.sinkTaskConsumerConfig(task, worker: tuned, connectorConfig: [:])
        #expect(fromWorker["auto.offset.reset"] == "latest" && fromWorker["fetch.min.bytes"] == "1024", "\(fromWorker)")
        let overridden = try Worker.sinkTaskConsumerConfig(
            task, worker: tuned, connectorConfig: ["consumer.override.auto.offset.reset": "earliest"])
        #expect(overridden["auto.offset.reset"] == "earliest", "\(overridden)")
    }
}
