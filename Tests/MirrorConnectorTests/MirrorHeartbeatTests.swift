import ConnectAPI
import MirrorClient
import MirrorHeartbeatConnector
import Testing

/// The heartbeat connector and task without brokers.
@Suite struct MirrorHeartbeatTests {
    @Test func exactlyOneTaskUnlessDisabled() async throws {
        let tasks = MirrorHeartbeatConnector.taskConfigs(try MirrorHeartbeatConfig(makeProps()), maxTasks: 5)
        #expect(tasks.count == 1)
        #expect(tasks.first?["source.cluster.alias"] == "source1")
        #expect(MirrorHeartbeatConnector.taskConfigs(try MirrorHeartbeatConfig(makeProps()), maxTasks: 0).isEmpty)

        // Disabled heartbeats need no topic, so start does not reach for the (absent) cluster.
        let disabled = MirrorHeartbeatConnector()
        try await disabled.start(makeProps(["emit.heartbeats.enabled": "false", "target.cluster.bootstrap.servers": "127.0.0.1:1"]), context: RecordingConnectorContext())
        #expect(try await disabled.taskConfigs(maxTasks: 5).isEmpty)
        await disabled.stop()
        #expect(ObjectIdentifier(MirrorHeartbeatConnector().taskType) == ObjectIdentifier(MirrorHeartbeatTask.self))
        #expect(MirrorHeartbeatConnector.className == "org.apache.kafka.connect.mirror.MirrorHeartbeatConnector")
    }

    /// Where Apache's connector would only log, an unreachable target fails `start` with the reason.
    @Test func startFailsWhenTheHeartbeatsTopicCannotBeCreated() async throws {
        let connector = MirrorHeartbeatConnector()
        let error = await #expect(throws: ConnectError.self) {
            try await connector.start(makeProps(["target.cluster.bootstrap.servers": "127.0.0.1:1", "admin.timeout.ms": "300"]),
                                      context: RecordingConnectorContext())
        }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("heartbeats topic on target cluster 'target2'"), "\(text)")
        #expect(text.contains("Could not create topic 'heartbeats'"), "\(text)")
        await connector.stop()
    }

    @Test func startFailsOnBadConfig() async {
        await #expect(throws: ConfigException.self) {
            try await MirrorHeartbeatConnector().start(makeProps(["heartbeats.topic.replication.factor": "many"]), context: RecordingConnectorContext())
        }
        await #expect(throws: (any Error).self) {
            try await MirrorHeartbeatTask().start(makeProps(["emit.heartbeats.interval.seconds": "-1"]), context: NoOffsetsContext())
        }
    }

    @Test func heartbeatRecordIsByteExact() throws {
        let record = try MirrorHeartbeatTask.heartbeatRecord(
            Heartbeat(sourceClusterAlias: "a", targetClusterAlias: "bc", timestamp: 0x0102_0304_0506_0708), topic: "heartbeats")
        #expect(record.topic == "heartbeats")
        #expect(record.kafkaPartition == 0)
        #expect(record.timestamp == 0x0102_0304_0506_0708)
        #expect(record.key == .bytes([0, 1, 0x61, 0, 2, 0x62, 0x63]))
        #expect(record.value == .bytes([0, 0, 1, 2, 3, 4, 5, 6, 7, 8]))
        #expect(record.sourcePartition?.description == #"{"sourceClusterAlias":"a","targetClusterAlias":"bc"}"#)
        #expect(record.sourceOffset?.description == #"{"offset":0}"#)
    }

    @Test func pollWaitsTheIntervalThenEmitsOneHeartbeat() async throws {
        let task = MirrorHeartbeatTask()
        try await task.start(makeProps(["emit.heartbeats.interval.seconds": "1", "replication.policy.separator": "_"]), context: NoOffsetsContext())
        let clock = ContinuousClock()
        let before = clock.now
        let records = try await task.poll()
        #expect(clock.now - before >= .milliseconds(900))
        let record = try #require(records.first)
        #expect(records.count == 1)
        guard case .bytes(let key) = record.key, case .bytes(let value) = record.value else {
            Issue.record("not bytes")
            return
        }
        let heartbeat = try Heartbeat.decode(key: key, value: value)
        #expect(heartbeat.sourceClusterAlias == "source1")
        #expect(heartbeat.targetClusterAlias == "target2")
        #expect(heartbeat.timestamp == record.timestamp)
        await task.stop()
    }

    @Test func pollReturnsPromptlyWhenCancelled() async throws {
        let task = MirrorHeartbeatTask()
        try await task.start(makeProps(["emit.heartbeats.interval.seconds": "3600"]), context: NoOffsetsContext())
        let polling = Task { try await task.poll() }
        try await Task.sleep(for: .milliseconds(50))
        polling.cancel()
        await #expect(throws: CancellationError.self) { try await polling.value }
        await task.stop()
    }
}
