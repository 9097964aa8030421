import Kafka
import KafkaProtocol
import Logging

/// A client for the MirrorMaker 2 topics of one cluster (Apache's `MirrorClient`): which remote,
/// heartbeats and checkpoints topics it holds, which clusters replicate into it, and the offsets
/// a consumer group of another cluster should use here (read from `<alias>.checkpoints.internal`).
///
/// Named `MirrorClusterClient` rather than `MirrorClient` because a type named like its module
/// makes module-qualified names (`MirrorClient.Checkpoint`) unusable. ``RemoteClusterUtils``
/// offers the same operations as one-shot static calls taking client properties.
///
/// Call ``close()`` when done.
public final class MirrorClusterClient: Sendable {
    public let config: MirrorClientConfig
    /// The timeout of each admin call (Java's `default.api.timeout.ms`).
    public let operationTimeout: Duration
    private let admin: KafkaAdminClient
    private let logger: Logger

    /// - Parameter properties: see ``MirrorClientConfig``.
    /// - Throws: ``MirrorClientError`` for an invalid replication policy, ``KafkaError`` for
    ///   invalid client properties.
    public convenience init(
        properties: [String: String],
        operationTimeout: Duration = .seconds(60),
        logger: Logger = Logger(label: "mirror-client")
    ) throws {
        try self.init(config: MirrorClientConfig(properties), operationTimeout: operationTimeout, logger: logger)
    }

    /// - Throws: ``KafkaError`` for invalid client properties.
    public init(config: MirrorClientConfig, operationTimeout: Duration = .seconds(60), logger: Logger = Logger(label: "mirror-client")) throws {
        self.config = config
        self.operationTimeout = operationTimeout
        self.logger = logger
        admin = try KafkaAdminClient(configuration: KafkaConfiguration(config.adminConfig), logger: logger)
    }

    /// The policy interpreting topic names (`replication.policy.class`).
    public var replicationPolicy: any ReplicationPolicy { config.replicationPolicy }

    /// Releases the admin client.
    public func close() async {
        await admin.close()
    }

    /// The names of the cluster's topics.
    public func listTopics() async throws -> Set<String> {
        Set(try await admin.describeTopics(nil, timeout: operationTimeout).map(\.name))
    }

    /// The fewest hops from `upstreamClusterAlias` to this cluster (A→B→C: 2 from A to C), or -1
    /// when no heartbeats topic here traces back to it.
    public func replicationHops(upstreamClusterAlias: String) async throws -> Int {
        RemoteClusterUtils.replicationHops(
            topics: try await listTopics(), upstreamClusterAlias: upstreamClusterAlias, policy: replicationPolicy)
    }

    /// The heartbeats topics here: the local one and those replicated from other clusters.
    public func heartbeatTopics() async throws -> Set<String> {
        RemoteClusterUtils.heartbeatTopics(topics: try await listTopics(), policy: replicationPolicy)
    }

    /// The checkpoints topics here.
    public func checkpointTopics() async throws -> Set<String> {
        RemoteClusterUtils.checkpointTopics(topics: try await listTopics(), policy: replicationPolicy)
    }

    /// Every cluster, at any number of hops, whose heartbeats reach this cluster.
    public func upstreamClusters() async throws -> Set<String> {
        RemoteClusterUtils.upstreamClusters(topics: try await listTopics(), policy: replicationPolicy)
    }

    /// The remote (replicated) topics here, internal topics excluded.
    public func remoteTopics() async throws -> Set<String> {
        RemoteClusterUtils.remoteTopics(topics: try await listTopics(), policy: replicationPolicy)
    }

    /// The remote topics replicated directly from `source`.
    public func remoteTopics(source: String) async throws -> Set<String> {
        RemoteClusterUtils.remoteTopics(topics: try await listTopics(), source: source, policy: replicationPolicy)
    }

    /// The offsets `consumerGroupId` of cluster `remoteClusterAlias` should use on this cluster:
    /// the group's latest checkpoint per partition in `<remoteClusterAlias>.checkpoints.internal`
    /// (topics already renamed by the policy).
    ///
    /// Like Apache, reads for at most `timeout` and returns what it found by then; records that
    /// are not checkpoints are skipped.
    /// - Throws: ``KafkaError`` when the checkpoints topic does not exist
    ///   (``KafkaError/Code/unknownTopicOrPartition``) or cannot be read.
    public func remoteConsumerOffsets(
        consumerGroupId: String,
        remoteClusterAlias: String,
        timeout: Duration
    ) async throws -> [TopicPartition: OffsetAndMetadata] {
        let topic = replicationPolicy.checkpointsTopic(clusterAlias: remoteClusterAlias)
        let reader = try PartitionLogReader(
            partition: TopicPartition(topic: topic, partition: 0), consumerProperties: config.consumerConfig, logger: logger)
        let batch: PartitionLogReader.Batch
        do {
            batch = try await reader.readToEnd(timeout: timeout)
            await reader.close()
        } catch let error as KafkaError where error.code == .unknownTopicOrPartition {
            await reader.close()
            throw KafkaError(.unknownTopicOrPartition, "The checkpoints topic '\(topic)' does not exist on this cluster (\(error.message))")
        } catch {
            await reader.close()
            throw error
        }
        if !batch.reachedEnd {
            logger.warning("Did not read the whole checkpoints topic in time; offsets may be stale",
                           metadata: ["topic": "\(topic)", "timeout": "\(timeout)"])
        }
        var offsets: [TopicPartition: OffsetAndMetadata] = [:]
        for record in batch.records {
            guard let key = record.key, let value = record.value else { continue }
            do {
                let checkpoint = try Checkpoint.decode(key: key, value: value)
                if checkpoint.consumerGroupId == consumerGroupId {
                    offsets[checkpoint.topicPartition] = OffsetAndMetadata(
                        offset: checkpoint.downstreamOffset, metadata: checkpoint.metadata)
                }
            } catch {
                logger.info("Skipping a record that is not a checkpoint",
                            metadata: ["topic": "\(topic)", "offset": "\(record.offset)", "error": "\(error)"])
            }
        }
        logger.info("Read checkpoints", metadata: [
            "group": "\(consumerGroupId)", "topic": "\(topic)", "partitions": "\(offsets.count)",
        ])
        return offsets
    }

    /// ``remoteConsumerOffsets(consumerGroupId:remoteClusterAlias:timeout:)`` under
    /// `RemoteClusterUtils.translateOffsets`' name.
    public func translateOffsets(
        groupId: String,
        remoteClusterAlias: String,
        timeout: Duration
    ) async throws -> [TopicPartition: OffsetAndMetadata] {
        try await remoteConsumerOffsets(consumerGroupId: groupId, remoteClusterAlias: remoteClusterAlias, timeout: timeout)
    }
}
