import Kafka
import KafkaProtocol
import Logging

/// Apache's `RemoteClusterUtils` static API: each call connects to the cluster described by
/// `properties` (see ``MirrorClientConfig``), asks, and disconnects.
extension RemoteClusterUtils {
    /// The fewest hops from `upstreamClusterAlias` to the cluster, or -1 if it is unreachable.
    public static func replicationHops(
        properties: [String: String], upstreamClusterAlias: String, logger: Logger = Logger(label: "mirror-client")
    ) async throws -> Int {
        try await withClient(properties, logger) { try await $0.replicationHops(upstreamClusterAlias: upstreamClusterAlias) }
    }

    /// The heartbeats topics of the cluster.
    public static func heartbeatTopics(
        properties: [String: String], logger: Logger = Logger(label: "mirror-client")
    ) async throws -> Set<String> {
        try await withClient(properties, logger) { try await $0.heartbeatTopics() }
    }

    /// The checkpoints topics of the cluster.
    public static func checkpointTopics(
        properties: [String: String], logger: Logger = Logger(label: "mirror-client")
    ) async throws -> Set<String> {
        try await withClient(properties, logger) { try await $0.checkpointTopics() }
    }

    /// The clusters whose heartbeats reach the cluster, at any number of hops.
    public static func upstreamClusters(
        properties: [String: String], logger: Logger = Logger(label: "mirror-client")
    ) async throws -> Set<String> {
        try await withClient(properties, logger) { try await $0.upstreamClusters() }
    }

    /// The offsets `consumerGroupId` of cluster `remoteClusterAlias` should use on the cluster,
    /// read from its `<remoteClusterAlias>.checkpoints.internal` within `timeout`.
    public static func translateOffsets(
        properties: [String: String],
        remoteClusterAlias: String,
        consumerGroupId: String,
        timeout: Duration,
        logger: Logger = Logger(label: "mirror-client")
    ) async throws -> [TopicPartition: OffsetAndMetadata] {
        try await withClient(properties, logger) {
            try await $0.remoteConsumerOffsets(consumerGroupId: consumerGroupId, remoteClusterAlias: remoteClusterAlias, timeout: timeout)
        }
    }

    private static func withClient<T: Sendable>(
        _ properties: [String: String], _ logger: Logger, _ body: (MirrorClusterClient) async throws -> T
    ) async throws -> T {
        let client = try MirrorClusterClient(properties: properties, logger: logger)
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }
}
