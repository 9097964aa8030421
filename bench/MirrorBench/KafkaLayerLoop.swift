import Foundation
import Kafka
import Logging
import Synchronization

/// The same consume→produce loop as ``RawLibrdkafkaLoop``, written on our Kafka layer
/// (`KafkaConsumer.poll(maxRecords:)` + callback `KafkaProducer.send`): the difference to the
/// raw loop is the wrapper's own cost.
struct KafkaLayerLoop {
    var sourceBootstrap: String
    var targetBootstrap: String
    var sourceTopic: String
    var partitions: [Int32]
    var targetTopic: String
    var expected: Int
    /// Java property names, as the worker's clients get them.
    var consumerProperties: [String: String]
    var producerProperties: [String: String]
    var timeout: Duration
    var logger: Logger

    /// - Returns: the number of records acknowledged by the target cluster.
    func run() async throws -> Int {
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(consumerProperties.merging(["bootstrap.servers": sourceBootstrap]) { $1 }),
            logger: logger)
        let producer: KafkaProducer
        do {
            producer = try KafkaProducer(
                configuration: KafkaConfiguration(producerProperties.merging(["bootstrap.servers": targetBootstrap]) { $1 }),
                logger: logger)
        } catch {
            await consumer.close()
            throw error
        }
        do {
            let acknowledged = try await loop(consumer: consumer, producer: producer)
            await consumer.close()
            await producer.close()
            return acknowledged
        } catch {
            await consumer.close()
            await producer.close(timeout: .seconds(1))
            throw error
        }
    }

    private func loop(consumer: KafkaConsumer, producer: KafkaProducer) async throws -> Int {
        let delivery = Mutex((acknowledged: 0, failed: 0, firstError: KafkaError?.none))
        try await consumer.assign(Dictionary(uniqueKeysWithValues: partitions.map {
            (TopicPartition(topic: sourceTopic, partition: $0), KafkaOffset.beginning)
        }))
        let deadline = ContinuousClock.now + timeout
        var consumed = 0
        while consumed < expected {
            guard ContinuousClock.now < deadline else {
                throw BenchError("kafka-layer loop timed out after \(timeout): consumed \(consumed) of \(expected)")
            }
            for record in try await consumer.poll(timeout: .milliseconds(100)) {
                let copy = ProducerRecord(
                    topic: targetTopic, partition: record.partition, key: record.key, value: record.value,
                    headers: record.headers, timestamp: record.timestamp >= 0 ? record.timestamp : nil)
                while true {
                    do {
                        try producer.send(copy) { result in
                            delivery.withLock { state in
                                switch result {
                                case .success: state.acknowledged += 1
                                case .failure(let error):
                                    state.failed += 1
                                    state.firstError = state.firstError ?? error
                                }
                            }
                        }
                        break
                    } catch let error as KafkaError where error.code == .queueFull {
                        try await Task.sleep(for: .milliseconds(1))
                    }
                }
                consumed += 1
            }
        }
        try await producer.flush(timeout: timeout)
        let (acknowledged, failed, firstError) = delivery.withLock { $0 }
        guard failed == 0 else { throw BenchError("\(failed) deliveries failed, first: \(firstError.map { "\($0)" } ?? "?")") }
        return acknowledged
    }
}
