import Foundation
import Kafka
import KafkaProtocol

/// One question the `connect-worker mirror-client` command asks a cluster through a
/// ``MirrorClusterClient``, and its answer rendered as JSON or plain text.
public enum MirrorClientQuery: Sendable, Hashable {
    /// The offsets a group of `remoteClusterAlias` should use on this cluster.
    case translateOffsets(groupId: String, remoteClusterAlias: String, timeout: Duration)
    case heartbeatTopics
    case checkpointTopics
    case upstreamClusters
    /// Hops from `upstreamClusterAlias`, -1 when unreachable.
    case replicationHops(upstreamClusterAlias: String)
    /// Remote topics, all or only those replicated directly from `source`.
    case remoteTopics(source: String?)

    /// A query's result.
    public enum Answer: Sendable, Hashable {
        /// Topic or cluster names, sorted; `field` names them in JSON.
        case names(field: String, [String])
        case replicationHops(upstreamClusterAlias: String, hops: Int)
        /// Translated offsets, sorted by partition.
        case offsets(groupId: String, remoteClusterAlias: String, [PartitionOffset])
    }

    /// A translated offset of one partition.
    public struct PartitionOffset: Sendable, Hashable {
        public var topicPartition: TopicPartition
        public var offset: OffsetAndMetadata

        public init(_ topicPartition: TopicPartition, _ offset: OffsetAndMetadata) {
            self.topicPartition = topicPartition
            self.offset = offset
        }
    }

    /// Asks `client`.
    public func run(on client: MirrorClusterClient) async throws -> Answer {
        switch self {
        case let .translateOffsets(groupId, remoteClusterAlias, timeout):
            let offsets = try await client.remoteConsumerOffsets(
                consumerGroupId: groupId, remoteClusterAlias: remoteClusterAlias, timeout: timeout)
            return .offsets(groupId: groupId, remoteClusterAlias: remoteClusterAlias,
                            offsets.sorted { $0.key < $1.key }.map { PartitionOffset($0.key, $0.value) })
        case .heartbeatTopics:
            return .names(field: "heartbeatTopics", try await client.heartbeatTopics().sorted())
        case .checkpointTopics:
            return .names(field: "checkpointTopics", try await client.checkpointTopics().sorted())
        case .upstreamClusters:
            return .names(field: "upstreamClusters", try await client.upstreamClusters().sorted())
        case let .replicationHops(upstreamClusterAlias):
            return .replicationHops(
                upstreamClusterAlias: upstreamClusterAlias,
                hops: try await client.replicationHops(upstreamClusterAlias: upstreamClusterAlias))
        case let .remoteTopics(source):
            let topics = if let source { try await client.remoteTopics(source: source) } else { try await client.remoteTopics() }
            return .names(field: "remoteTopics", topics.sorted())
        }
    }
}

extension MirrorClientQuery.Answer {
    /// One JSON object (keys sorted), followed by a newline.
    ///
    /// - `{"heartbeatTopics":["heartbeats","primary.heartbeats"]}` (likewise `checkpointTopics`,
    ///   `upstreamClusters`, `remoteTopics`)
    /// - `{"hops":1,"upstreamClusterAlias":"primary"}`
    /// - `{"groupId":"g","offsets":[{"metadata":"","offset":42,"partition":0,"topic":"primary.t"}],"remoteClusterAlias":"primary"}`
    public func renderJSON() -> String {
        let object: Any = switch self {
        case let .names(field, names): [field: names]
        case let .replicationHops(alias, hops): ["upstreamClusterAlias": alias, "hops": hops] as [String: Any]
        case let .offsets(groupId, alias, offsets):
            [
                "groupId": groupId,
                "remoteClusterAlias": alias,
                "offsets": offsets.map { entry in
                    ["topic": entry.topicPartition.topic, "partition": Int(entry.topicPartition.partition),
                     "offset": entry.offset.offset, "metadata": entry.offset.metadata] as [String: Any]
                },
            ] as [String: Any]
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return "{}\n"
        }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Plain text: one name per line; the hop count; or `<topic> <partition> <offset>` per line.
    public func renderText() -> String {
        let lines: [String] = switch self {
        case let .names(_, names): names
        case let .replicationHops(_, hops): [String(hops)]
        case let .offsets(_, _, offsets): offsets.map { "\($0.topicPartition.topic) \($0.topicPartition.partition) \($0.offset.offset)" }
        }
        return lines.map { $0 + "\n" }.joined()
    }
}
