import Kafka
import KafkaProtocol
import KafkaTestSupport
import MirrorClient
import Testing

/// ``MirrorClusterClient``, ``RemoteClusterUtils``' property-taking calls and the
/// `mirror-client` command's queries against a real cluster holding MirrorMaker 2 topics.
@Suite(.serialized) struct MirrorClientLiveTests {
    /// backup holds: its own heartbeats, primary's (1 hop) and tertiary's via primary (2 hops),
    /// a remote topic, a checkpoints topic, an offset-syncs topic and a local topic.
    func prepare(_ kit: MirrorTestKit) async throws {
        try await kit.createTopics(kit.target, [
            "heartbeats", "primary.heartbeats", "primary.tertiary.heartbeats", "primary.orders", "primary.checkpoints.internal",
            "mm2-offset-syncs.primary.internal", "local",
        ].map { NewTopic(name: $0, numPartitions: 1, replicationFactor: 1) })
        let checkpoints = [
            Checkpoint(consumerGroupId: "app", topicPartition: TopicPartition(topic: "primary.orders", partition: 0), upstreamOffset: 10, downstreamOffset: 7),
            Checkpoint(consumerGroupId: "other", topicPartition: TopicPartition(topic: "primary.orders", partition: 0), upstreamOffset: 1, downstreamOffset: 1),
            Checkpoint(consumerGroupId: "app", topicPartition: TopicPartition(topic: "primary.orders", partition: 0), upstreamOffset: 30, downstreamOffset: 25, metadata: "m"),
            Checkpoint(consumerGroupId: "app", topicPartition: TopicPartition(topic: "primary.orders", partition: 3), upstreamOffset: 2, downstreamOffset: 2),
        ]
        var records = try checkpoints.map {
            ProducerRecord(topic: "primary.checkpoints.internal", partition: 0, key: try $0.encodeKey(), value: try $0.encodeValue())
        }
        records.insert(ProducerRecord(topic: "primary.checkpoints.internal", partition: 0, key: [0xff], value: [1, 2, 3]), at: 1)
        try await kit.produce(kit.target, records)
    }

    @Test func answersFromTheClustersTopics() async throws {
        try await withKafkaTestClusters(count: 2) { clusters in
            let kit = MirrorTestKit(source: clusters[0], target: clusters[1])
            try await prepare(kit)
            let properties = ["bootstrap.servers": kit.target.bootstrapServers]
            let client = try MirrorClusterClient(properties: properties, operationTimeout: .seconds(15), logger: MirrorTestKit.logger)
            let result = await Result {
                #expect(try await client.heartbeatTopics() == ["heartbeats", "primary.heartbeats", "primary.tertiary.heartbeats"])
                #expect(try await client.checkpointTopics() == ["primary.checkpoints.internal"])
                #expect(try await client.upstreamClusters() == ["primary", "tertiary"])
                #expect(try await client.replicationHops(upstreamClusterAlias: "primary") == 1)
                #expect(try await client.replicationHops(upstreamClusterAlias: "tertiary") == 2)
                #expect(try await client.replicationHops(upstreamClusterAlias: "nowhere") == -1)
                #expect(try await client.remoteTopics() == ["primary.heartbeats", "primary.tertiary.heartbeats", "primary.orders"])
                #expect(try await client.remoteTopics(source: "tertiary").isEmpty)
                // The latest checkpoint of the group per partition; other groups and junk are skipped.
                #expect(try await client.translateOffsets(groupId: "app", remoteClusterAlias: "primary", timeout: .seconds(15)) == [
                    TopicPartition(topic: "primary.orders", partition: 0): OffsetAndMetadata(offset: 25, metadata: "m"),
                    TopicPartition(topic: "primary.orders", partition: 3): OffsetAndMetadata(offset: 2),
                ])
                do {
                    _ = try await client.remoteConsumerOffsets(consumerGroupId: "app", remoteClusterAlias: "nowhere", timeout: .seconds(10))
                    Issue.record("read a checkpoints topic that does not exist")
                } catch let error as KafkaError {
                    #expect(error.code == .unknownTopicOrPartition)
                    #expect(error.message.contains("nowhere.checkpoints.internal"))
                }
            }
            await client.close()
            try result.get()

            #expect(try await RemoteClusterUtils.replicationHops(properties: properties, upstreamClusterAlias: "tertiary", logger: MirrorTestKit.logger) == 2)
            #expect(try await RemoteClusterUtils.upstreamClusters(properties: properties, logger: MirrorTestKit.logger) == ["primary", "tertiary"])
            #expect(try await RemoteClusterUtils.heartbeatTopics(properties: properties, logger: MirrorTestKit.logger).count == 3)
            #expect(try await RemoteClusterUtils.checkpointTopics(properties: properties, logger: MirrorTestKit.logger) == ["primary.checkpoints.internal"])
        }
    }

    /// What `connect-worker mirror-client ...` runs and prints.
    @Test func commandQueriesRenderTheAnswers() async throws {
        try await withKafkaTestClusters(count: 2) { clusters in
            let kit = MirrorTestKit(source: clusters[0], target: clusters[1])
            try await prepare(kit)
            let client = try MirrorClusterClient(properties: ["bootstrap.servers": kit.target.bootstrapServers], operationTimeout: .seconds(15), logger: MirrorTestKit.logger)
            let result = await Result {
                let offsets = try await MirrorClientQuery.translateOffsets(groupId: "app", remoteClusterAlias: "primary", timeout: .seconds(15)).run(on: client)
                #expect(offsets.renderText() == "primary.orders 0 25\nprimary.orders 3 2\n")
                #expect(offsets.renderJSON() == #"{"groupId":"app","offsets":[{"metadata":"m","offset":25,"partition":0,"topic":"primary.orders"},{"metadata":"","offset":2,"partition":3,"topic":"primary.orders"}],"remoteClusterAlias":"primary"}"# + "\n")
                #expect(try await MirrorClientQuery.upstreamClusters.run(on: client).renderText() == "primary\ntertiary\n")
                #expect(try await MirrorClientQuery.replicationHops(upstreamClusterAlias: "primary").run(on: client).renderJSON()
                    == #"{"hops":1,"upstreamClusterAlias":"primary"}"# + "\n")
                #expect(try await MirrorClientQuery.remoteTopics(source: "primary").run(on: client).renderText()
                    == "primary.heartbeats\nprimary.orders\nprimary.tertiary.heartbeats\n")
                #expect(try await MirrorClientQuery.checkpointTopics.run(on: client).renderJSON() == #"{"checkpointTopics":["primary.checkpoints.internal"]}"# + "\n")
            }
            await client.close()
            try result.get()
        }
    }

    @Test func customSeparatorNamesTheCheckpointsTopic() async throws {
        try await withKafkaTestClusters(count: 2) { clusters in
            let kit = MirrorTestKit(source: clusters[0], target: clusters[1])
            try await kit.createTopics(kit.target, [NewTopic(name: "primary_checkpoints_internal", numPartitions: 1, replicationFactor: 1)])
            let checkpoint = Checkpoint(consumerGroupId: "app", topicPartition: TopicPartition(topic: "primary_orders", partition: 0), upstreamOffset: 5, downstreamOffset: 4)
            try await kit.produce(kit.target, [ProducerRecord(topic: "primary_checkpoints_internal", partition: 0, key: try checkpoint.encodeKey(), value: try checkpoint.encodeValue())])
            let offsets = try await RemoteClusterUtils.translateOffsets(
                properties: ["bootstrap.servers": kit.target.bootstrapServers, "replication.policy.separator": "_"],
                remoteClusterAlias: "primary", consumerGroupId: "app", timeout: .seconds(15), logger: MirrorTestKit.logger)
            #expect(offsets == [TopicPartition(topic: "primary_orders", partition: 0): OffsetAndMetadata(offset: 4)])
        }
    }
}
