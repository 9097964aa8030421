import Dispatch
import CRdKafka
import KafkaProtocol
import Synchronization

/// librdkafka's embedded multi-broker mock cluster, for fault-injection tests of the client
/// layer: brokers going down and up, injected request errors.
///
/// It has no admin API and does not implement `read_committed` faithfully, so it is never
/// used to test Connect or MirrorMaker behaviour (see `../shared/docs/test-brokers.md`).
/// Brokers are numbered from 1.
@_spi(Testing)
public final class KafkaMockCluster: Sendable {
    public let bootstrapServers: String
    private let host: SendablePointer
    private let cluster: SendablePointer
    private let closed = Atomic<Bool>(false)

    public init(brokers: Int32 = 3) throws {
        var errstr = [CChar](repeating: 0, count: 512)
        let conf = rd_kafka_conf_new()!
        // The mock cluster lives inside a client handle; this one is never used for traffic.
        guard let host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(.configuration, "cannot create mock cluster host: \(String(cBuffer: errstr))")
        }
        guard let cluster = rd_kafka_mock_cluster_new(host, brokers) else {
            rd_kafka_destroy(host)
            throw KafkaError(.invalidArgument, "cannot create a mock cluster with \(brokers) brokers")
        }
        self.host = SendablePointer(pointer: host)
        self.cluster = SendablePointer(pointer: cluster)
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        if !closed.load(ordering: .acquiring) {
            let (cluster, host) = (self.cluster, self.host)
            DispatchQueue(label: "swift-connect.kafka.destroy").async {
                rd_kafka_mock_cluster_destroy(cluster.pointer)
                rd_kafka_destroy(host.pointer)
            }
        }
    }

    /// Stops the brokers. Clients still connected see them disappear.
    public func close() async {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let (cluster, host) = (self.cluster, self.host)
        _ = try? await BlockingExecutor.run {
            rd_kafka_mock_cluster_destroy(cluster.pointer)
            rd_kafka_destroy(host.pointer)
        }
    }

    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32 = 1) throws {
        try check(rd_kafka_mock_topic_create(cluster.pointer, name, partitions, replicationFactor), "create topic '\(name)'")
    }

    public func setPartitionLeader(_ partition: TopicPartition, broker: Int32) throws {
        try check(rd_kafka_mock_partition_set_leader(cluster.pointer, partition.topic, partition.partition, broker),
                  "set leader of \(partition)")
    }

    /// Makes a broker unreachable: its connections close and new ones are refused.
    public func setBrokerDown(_ broker: Int32) throws {
        try check(rd_kafka_mock_broker_set_down(cluster.pointer, broker), "take broker \(broker) down")
    }

    public func setBrokerUp(_ broker: Int32) throws {
        try check(rd_kafka_mock_broker_set_up(cluster.pointer, broker), "bring broker \(broker) up")
    }

    /// The next requests of `apiKey`, on any broker, fail with `errors`, one per request in order.
    public func pushRequestErrors(_ apiKey: KafkaAPIKey, _ errors: [KafkaProtocolErrorCode]) {
        var codes = errors.map { rd_kafka_resp_err_t(rawValue: Int32($0.rawValue)) }
        rd_kafka_mock_push_request_errors_array(cluster.pointer, apiKey.rawValue, codes.count, &codes)
    }

    private func check(_ err: rd_kafka_resp_err_t, _ context: String) throws {
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.rdKafka(err, "mock cluster: \(context)") }
    }
}
