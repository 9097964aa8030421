import ConnectAPI
import Kafka
import Logging
import MirrorClient

/// The admin work every MirrorMaker 2 connector shares: creating its single-partition,
/// compacted internal topics (heartbeats, checkpoints, offset-syncs) the way Apache Kafka's
/// `MirrorUtils.createSinglePartitionCompactedTopic` does.
public enum MirrorTopicAdmin {
    /// Creates `name` with one partition, `cleanup.policy=compact` and `replicationFactor`
    /// (-1: the broker's default) unless it exists already.
    ///
    /// Like Apache Kafka, a cluster that does not let this client create topics (no
    /// authorization, no CreateTopics API) is assumed to have the topic already or to create it
    /// on first use: that is logged, not thrown.
    ///
    /// - Throws: ``ConnectError`` when the topic neither exists nor can be created (the cluster
    ///   is unreachable within `timeout`, or it refuses, e.g. a replication factor larger than
    ///   its broker count), naming the topic and the broker's reason.
    public static func createSinglePartitionCompactedTopic(
        _ name: String, replicationFactor: Int16, admin: KafkaAdminClient, timeout: Duration, logger: Logger
    ) async throws {
        let topic = NewTopic(name: name, numPartitions: 1, replicationFactor: replicationFactor,
                             configs: ["cleanup.policy": "compact"])
        let failures: [String: KafkaError]
        do {
            failures = try await admin.createTopics([topic], timeout: timeout)
        } catch {
            throw ConnectError("Could not create topic '\(name)' within \(timeout)", underlying: error)
        }
        guard let failure = failures[name] else {
            logger.info("Created internal topic", metadata: ["topic": "\(name)", "replication.factor": "\(replicationFactor)"])
            return
        }
        if failure.code == .topicAlreadyExists { return }
        if mayExistWithoutCreation(failure) {
            logger.info("Not allowed or able to create the internal topic; assuming it exists or will be auto-created",
                        metadata: ["topic": "\(name)", "error": "\(failure)"])
            return
        }
        throw ConnectError("Could not create topic '\(name)' (1 partition, replication factor \(replicationFactor), compacted)",
                           underlying: failure)
    }

    /// The CreateTopics errors after which Apache's `MirrorUtils.createCompactedTopic` goes on
    /// as if the topic existed: no permission to create topics, or no CreateTopics API.
    public static func mayExistWithoutCreation(_ error: KafkaError) -> Bool {
        switch error.rdKafkaName {
        case "TOPIC_AUTHORIZATION_FAILED", "CLUSTER_AUTHORIZATION_FAILED", "UNSUPPORTED_VERSION", "_UNSUPPORTED_FEATURE": true
        default: false
        }
    }
}

extension MirrorConnectorConfig {
    /// The replication policy `replication.policy.class` names, configured from the connector
    /// properties (separator, internal-topic separator).
    public func replicationPolicy() throws(ConnectError) -> any ReplicationPolicy {
        do {
            return try ReplicationPolicies.make(className: replicationPolicyClass, config: originals)
        } catch {
            throw ConnectError("Invalid \(Key.replicationPolicyClass) '\(replicationPolicyClass)': \(error)", underlying: error)
        }
    }
}

extension MirrorConnectorConfig {
    /// Admin clients for both clusters, with the roles `<rolePrefix>-source-admin` and
    /// `<rolePrefix>-target-admin` in their client ids; nothing is left open when one fails.
    public func adminClients(rolePrefix: String, logger: Logger) async throws -> (source: KafkaAdminClient, target: KafkaAdminClient) {
        let source = try KafkaAdminClient(
            configuration: KafkaConfiguration(sourceAdminConfig(role: "\(rolePrefix)-source-admin")), logger: logger)
        do {
            let target = try KafkaAdminClient(
                configuration: KafkaConfiguration(targetAdminConfig(role: "\(rolePrefix)-target-admin")), logger: logger)
            return (source, target)
        } catch {
            await source.close()
            throw error
        }
    }
}
