import KafkaProtocol
@testable import MirrorClient
import Testing

@Suite struct RemoteClusterUtilsTests {
    let policy = DefaultReplicationPolicy()

    /// Topics on cluster `dr` in the chain primary → backup → dr.
    let drTopics = [
        "orders", "heartbeats", "backup.heartbeats", "backup.primary.heartbeats",
        "backup.orders", "backup.primary.orders", "primary.payments",
        "backup.checkpoints.internal", "primary.checkpoints.internal", "mm2-offset-syncs.dr.internal",
        "mm2-configs.backup.internal", "mm2-status.backup.internal", "__consumer_offsets",
    ]

    @Test func replicationHopsAlongHeartbeats() {
        #expect(RemoteClusterUtils.replicationHops(topics: drTopics, upstreamClusterAlias: "backup", policy: policy) == 1)
        #expect(RemoteClusterUtils.replicationHops(topics: drTopics, upstreamClusterAlias: "primary", policy: policy) == 2)
        #expect(RemoteClusterUtils.replicationHops(topics: drTopics, upstreamClusterAlias: "elsewhere", policy: policy) == -1)
        // A direct flow as well gives the shortest path.
        let withDirect = drTopics + ["primary.heartbeats"]
        #expect(RemoteClusterUtils.replicationHops(topics: withDirect, upstreamClusterAlias: "primary", policy: policy) == 1)
        // primary.payments traces back to primary but is not a heartbeats topic.
        #expect(RemoteClusterUtils.replicationHops(topics: ["primary.payments"], upstreamClusterAlias: "primary", policy: policy) == -1)
    }

    @Test func apacheHopCountingCases() {
        let cases: [(String, String, Int)] = [
            ("topic", "source", -1),
            ("source", "source", -1),
            ("sourcetopic", "source", -1),
            ("source1.topic", "source2", -1),
            ("source1.topic", "source1", 1),
            ("source2.source1.topic", "source2", 1),
            ("source2.source1.topic", "source1", 2),
            ("source3.source2.source1.topic", "source1", 3),
            ("source3.source2.source1.topic", "source4", -1),
        ]
        for (topic, source, expected) in cases {
            #expect(RemoteClusterUtils.hops(from: source, to: topic, policy: policy) == expected, "\(topic) from \(source)")
        }
    }

    @Test func heartbeatAndCheckpointTopics() {
        #expect(RemoteClusterUtils.heartbeatTopics(topics: drTopics, policy: policy)
            == ["heartbeats", "backup.heartbeats", "backup.primary.heartbeats"])
        #expect(RemoteClusterUtils.checkpointTopics(topics: drTopics, policy: policy)
            == ["backup.checkpoints.internal", "primary.checkpoints.internal"])
        #expect(RemoteClusterUtils.checkpointTopics(topics: ["checkpoints.internal", "x.checkpoints-internal"], policy: policy).isEmpty)
    }

    @Test func upstreamClustersAtAnyDistance() {
        #expect(RemoteClusterUtils.upstreamClusters(topics: drTopics, policy: policy) == ["backup", "primary"])
        let topics = ["topic1", "heartbeats", "source1.heartbeats", "source1.source2.heartbeats", "source3.source4.source5.heartbeats"]
        #expect(RemoteClusterUtils.upstreamClusters(topics: topics, policy: policy)
            == ["source1", "source2", "source3", "source4", "source5"])
        // Identity treats heartbeats like the default policy does.
        #expect(RemoteClusterUtils.upstreamClusters(topics: topics, policy: IdentityReplicationPolicy(sourceClusterAlias: "source"))
            == ["source1", "source2", "source3", "source4", "source5"])
    }

    @Test func remoteTopicsLeaveOutInternalTopics() {
        #expect(RemoteClusterUtils.remoteTopics(topics: drTopics, policy: policy)
            == ["backup.heartbeats", "backup.primary.heartbeats", "backup.orders", "backup.primary.orders", "primary.payments"])
        #expect(RemoteClusterUtils.remoteTopics(topics: drTopics, source: "backup", policy: policy)
            == ["backup.heartbeats", "backup.primary.heartbeats", "backup.orders", "backup.primary.orders"])
        #expect(RemoteClusterUtils.remoteTopics(topics: drTopics, source: "primary", policy: policy) == ["primary.payments"])
        #expect(RemoteClusterUtils.remoteTopics(topics: drTopics, source: "dr", policy: policy).isEmpty)
    }

    @Test func remoteTopicsWithCustomSeparator() {
        let policy = DefaultReplicationPolicy(separator: "__")
        let topics = ["topic1", "source1__topic4", "source1__source2__topic5", "source3.topic6"]
        #expect(RemoteClusterUtils.remoteTopics(topics: topics, policy: policy) == ["source1__topic4", "source1__source2__topic5"])
        #expect(RemoteClusterUtils.replicationHops(topics: ["source1__source2__heartbeats"], upstreamClusterAlias: "source2", policy: policy) == 2)
    }

    @Test func identityPolicyTreatsEveryTopicAsRemoteAndStopsOnCycles() {
        let identity = IdentityReplicationPolicy(sourceClusterAlias: "source")
        let topics = ["topic1", "topic2", "heartbeats", "backup.heartbeats"]
        #expect(RemoteClusterUtils.remoteTopics(topics: topics, policy: identity) == ["topic1", "topic2", "backup.heartbeats"])
        #expect(RemoteClusterUtils.remoteTopics(topics: topics, source: "source", policy: identity) == ["topic1", "topic2"])
        // Without renaming, "topic1" from "source" leads back to itself forever; both walks must stop.
        #expect(RemoteClusterUtils.hops(from: "other", to: "topic1", policy: identity) == -1)
        #expect(RemoteClusterUtils.hops(from: "source", to: "topic1", policy: identity) == 1)
        #expect(RemoteClusterUtils.allSources(of: "topic1", policy: identity) == ["source"])
        #expect(RemoteClusterUtils.replicationHops(topics: topics, upstreamClusterAlias: "backup", policy: identity) == 1)
    }

    @Test func translateOffsetsKeepsTheLatestCheckpointOfTheGroup() {
        let orders0 = TopicPartition(topic: "primary.orders", partition: 0)
        let orders1 = TopicPartition(topic: "primary.orders", partition: 1)
        let payments0 = TopicPartition(topic: "primary.payments", partition: 0)
        func checkpoint(_ group: String, _ partition: TopicPartition, _ upstream: Int64, _ downstream: Int64) -> Checkpoint {
            Checkpoint(consumerGroupId: group, topicPartition: partition, upstreamOffset: upstream, downstreamOffset: downstream)
        }
        let log = [
            checkpoint("billing", orders0, 10, 8),
            checkpoint("billing", orders1, 5, 5),
            checkpoint("audit", orders0, 99, 90),
            checkpoint("billing", orders0, 20, 17),
            checkpoint("audit", payments0, 7, 7),
            checkpoint("billing", orders1, 3, 2),  // a rewind is still the latest word
        ]
        #expect(RemoteClusterUtils.translateOffsets(checkpoints: log, consumerGroupId: "billing") == [orders0: 17, orders1: 2])
        #expect(RemoteClusterUtils.translateOffsets(checkpoints: log, consumerGroupId: "audit") == [orders0: 90, payments0: 7])
        #expect(RemoteClusterUtils.translateOffsets(checkpoints: log, consumerGroupId: "nobody").isEmpty)
    }
}
