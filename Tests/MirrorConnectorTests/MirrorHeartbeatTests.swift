import ConnectAPI
import MirrorClient
import MirrorHeartbeatConnector
import Testing

/// The heartbeat connector and task without brokers.
@Suite struct MirrorHeartbeatTests {
    @Test func exactlyOneTaskUnlessDisabled() async throws {
        let connector = MirrorHeartbeatConnector()
        try await connector.start(makeProps(["target.cluster.bootstrap.servers": "127.0.0.1:1"]), context: RecordingConnectorContext())
        let tasks = try await connector.taskConfigs(maxTasks: 5)
        #expect(tasks.count == 1)
        #expect(tasks.first?["source.cluster.alias"] == "source1")
        await connector.stop()

        let disabled = MirrorHeartbeatConnector()
        try await disabled.start(makeProps(["emit.heartbeats.enabled": "false", "target.cluster.bootstrap.servers": "127.0.0.1:1"]), context: RecordingConnectorContext())
        #expect(try await disabled.taskConfigs(maxTasks: 5).isEmpty)
        await disabled.stop()
        #expect(ObjectIdentifier(connector.taskType) == ObjectIdentifier(MirrorHeartbeatTask.self))
        #expect(MirrorHeartbeatConnector.className == "org.apache.kafka.connect.mirror.MirrorHeartbeatConnector")
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
