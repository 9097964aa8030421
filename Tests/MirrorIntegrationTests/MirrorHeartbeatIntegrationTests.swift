import ConnectAPI
import Kafka
import KafkaProtocol
import KafkaTestSupport
import MirrorClient
import MirrorHeartbeatConnector
import Testing

/// MirrorHeartbeatConnector and MirrorHeartbeatTask against a real target cluster.
@Suite(.serialized) struct MirrorHeartbeatIntegrationTests {
    @Test func heartbeatsLandByteExactOnTheTarget() async throws {
        try await withKafkaTestClusters(count: 2) { clusters in
            let kit = MirrorTestKit(source: clusters[0], target: clusters[1])
            let connector = MirrorHeartbeatConnector()
            let props = kit.connectorProps(["name": "heartbeats", "connector.class": MirrorHeartbeatConnector.className])
            let taskConfigs = try await withRunningConnector(connector, props: props, context: TestConnectorContext()) {
                try await kit.eventually("the heartbeats topic") {
                    (try? await kit.topicDescription(kit.target, "heartbeats").partitions) == 1
                }
                return try await connector.taskConfigs(maxTasks: 3)
            }
            let topic = try await kit.topicDescription(kit.target, "heartbeats")
            #expect(topic.cleanupPolicy == "compact")
            #expect(taskConfigs.count == 1)

            let task = MirrorHeartbeatTask()
            let taskProps = try #require(taskConfigs.first)
            try await task.start(taskProps, context: TestSourceTaskContext(configs: taskProps))
            var emitted: [SourceRecord] = []
            for _ in 0..<3 { emitted += try await task.poll() }
            await task.stop()
            #expect(emitted.count == 3)
            try await kit.deliver(emitted, to: kit.target)

            let stored = try await kit.readAll(kit.target, "heartbeats")
            #expect(stored.count == 3)
            let expectedKey: [UInt8] = [0, 7] + Array("primary".utf8) + [0, 6] + Array("backup".utf8)
            var previous: Int64 = 0
            for (record, source) in zip(stored, emitted) {
                #expect(record.partition == 0)
                #expect(record.key == expectedKey)
                let timestamp = try #require(source.timestamp)
                var value: [UInt8] = [0, 0]
                for shift in stride(from: 56, through: 0, by: -8) { value.append(UInt8(truncatingIfNeeded: timestamp >> Int64(shift))) }
                #expect(record.value == value)
                #expect(record.timestamp == timestamp)
                #expect(timestamp > previous)
                previous = timestamp
            }

            let client = try MirrorClusterClient(properties: ["bootstrap.servers": kit.target.bootstrapServers], logger: MirrorTestKit.logger)
            let heartbeatTopics = await Result { try await client.heartbeatTopics() }
            await client.close()
            #expect(try heartbeatTopics.get() == ["heartbeats"])
        }
    }
}
