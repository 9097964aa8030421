import ConnectAPI
import MirrorCheckpointConnector
import MirrorHeartbeatConnector
import MirrorSourceConnector
import Synchronization
import Testing

/// The checkpoint and heartbeat connectors without brokers: task layout, offsets validation,
/// configuration errors.
@Suite struct MirrorCheckpointConnectorTests {
    @Test func groupsAreSplitOverAtMostTasksMaxTasks() {
        let groups = (1...7).map { "g\($0)" }
        let layout = MirrorCheckpointConnector.taskConfigs(connector: makeProps(), groups: groups, maxTasks: 3)
        #expect(layout.map { $0["task.assigned.groups"] } == ["g1,g2,g3", "g4,g5", "g6,g7"])
        #expect(layout.map { $0["task.index"] } == ["0", "1", "2"])
        #expect(layout.allSatisfy { $0["source.cluster.alias"] == "source1" })
        // Fewer groups than tasks.max: one task per group.
        #expect(MirrorCheckpointConnector.taskConfigs(connector: makeProps(), groups: ["a", "b"], maxTasks: 10).map { $0["task.assigned.groups"] } == ["a", "b"])
        #expect(MirrorCheckpointConnector.taskConfigs(connector: makeProps(), groups: [], maxTasks: 10).isEmpty)
    }

    /// Where Apache's connector would stay RUNNING without tasks, `start` fails with the reason
    /// when it cannot reach its clusters; the connector then has no tasks.
    @Test func startFailsWithoutItsClusters() async throws {
        let connector = MirrorCheckpointConnector()
        let error = await #expect(throws: ConnectError.self) {
            try await connector.start(makeProps([
                "source.cluster.bootstrap.servers": "127.0.0.1:1", "target.cluster.bootstrap.servers": "127.0.0.1:1",
                "admin.timeout.ms": "300",
            ]), context: RecordingConnectorContext())
        }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("checkpoints topic on target cluster 'target2'"), "\(text)")
        #expect(text.contains("Could not create topic 'source1.checkpoints.internal'"), "\(text)")
        await #expect(throws: ConnectError.self) { try await connector.taskConfigs(maxTasks: 3) }
        await connector.stop()
    }

    @Test func disabledFlowsAndDisabledCheckpointsHaveNoTasks() async throws {
        for extra in [["enabled": "false"], ["emit.checkpoints.enabled": "false", "source.cluster.bootstrap.servers": "127.0.0.1:1", "target.cluster.bootstrap.servers": "127.0.0.1:1"]] {
            let connector = MirrorCheckpointConnector()
            try await connector.start(makeProps(extra), context: RecordingConnectorContext())
            #expect(try await connector.taskConfigs(maxTasks: 3).isEmpty)
            await connector.stop()
        }
    }

    @Test func startFailsOnBadConfigWithTheReason() async {
        let connector = MirrorCheckpointConnector()
        do {
            try await connector.start(makeProps(["emit.checkpoints.interval.seconds": "soon"]), context: RecordingConnectorContext())
            Issue.record("start accepted a bad interval")
        } catch {
            #expect("\(error)".contains("emit.checkpoints.interval.seconds"))
        }
        do {
            try await connector.start(makeProps(["replication.policy.class": "com.example.Policy"]), context: RecordingConnectorContext())
            Issue.record("start accepted an unknown policy")
        } catch {
            #expect("\(error)".contains("com.example.Policy"))
        }
    }

    @Test func validateNamesClustersWithoutAnAddress() {
        let source = MirrorSourceConnector().validate(makeProps(["source.cluster.bootstrap.servers": "src:9092"]))
        #expect(errorsByName(source) == ["target.cluster.bootstrap.servers": [
            "Missing required configuration \"target.cluster.bootstrap.servers\": no address for the target cluster 'target2'",
        ]])
        let checkpoint = errorsByName(MirrorCheckpointConnector().validate(makeProps(["target.cluster.bootstrap.servers": " "])))
        #expect(Set(checkpoint.keys) == ["source.cluster.bootstrap.servers", "target.cluster.bootstrap.servers"])
        #expect(checkpoint["source.cluster.bootstrap.servers"]?.first?.contains("source cluster 'source1'") == true)
        // Heartbeats need the target only.
        #expect(errorsByName(MirrorHeartbeatConnector().validate(makeProps(["target.cluster.bootstrap.servers": "tgt:9092"]))).isEmpty)
        #expect(errorsByName(MirrorHeartbeatConnector().validate(makeProps())).keys.sorted() == ["target.cluster.bootstrap.servers"])
    }

    @Test func validateNamesUnsupportedClasses() {
        let errors = errorsByName(MirrorCheckpointConnector().validate(makeProps([
            "group.filter.class": "com.example.Groups", "replication.policy.class": "com.example.Policy",
        ])))
        #expect(errors["group.filter.class"]?.first?.contains("com.example.Groups is not supported") == true)
        #expect(errors["replication.policy.class"]?.first?.contains("\"com.example.Policy\" is not supported") == true)
        #expect(errorsByName(MirrorCheckpointConnector().validate(makeProps(clusterAddresses))).isEmpty)
        #expect(errorsByName(MirrorHeartbeatConnector().validate(makeProps(["replication.policy.class": "Nope"])))["replication.policy.class"] != nil)
    }

    @Test func checkpointOffsetsAcceptOnlyZero() async throws {
        let connector = MirrorCheckpointConnector()
        let partition: SourcePartition = ["partition": 3, "topic": "source1.t", "group": "g"]
        #expect(try await connector.alterOffsets(connectorConfig: makeProps(), offsets: [partition: ["offset": 0]]))
        #expect(try await connector.alterOffsets(connectorConfig: makeProps(), offsets: [partition: nil]))
        // Resets are allowed even for garbage partitions.
        #expect(try await connector.alterOffsets(connectorConfig: makeProps(), offsets: [["junk": true]: nil]))
        let rejected: [(SourcePartition, SourceOffset, String)] = [
            (partition, ["offset": 1], "the only accepted value is 0"),
            (partition, ["offset": "0"], "must be an integer"),
            (partition, ["other": 0], "missing the 'offset' key"),
            (["partition": 3, "topic": "t"], ["offset": 0], "missing the 'group' key"),
            (["partition": 3, "topic": 5, "group": "g"], ["offset": 0], "'topic' key, which must be a string"),
            (["partition": -1, "topic": "t", "group": "g"], ["offset": 0], "cannot be negative"),
            (["partition": .int64(Int64(Int32.max) + 1), "topic": "t", "group": "g"], ["offset": 0], "must be an integer"),
            (["partition": 1.5, "topic": "t", "group": "g"], ["offset": 0], "must be an integer"),
        ]
        for (partition, offset, message) in rejected {
            do {
                _ = try await connector.alterOffsets(connectorConfig: makeProps(), offsets: [partition: offset])
                Issue.record("accepted \(partition) -> \(offset)")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
    }

    @Test func heartbeatOffsetsAcceptOnlyZero() async throws {
        let connector = MirrorHeartbeatConnector()
        let partition: SourcePartition = ["sourceClusterAlias": "a", "targetClusterAlias": "b"]
        #expect(try await connector.alterOffsets(connectorConfig: makeProps(), offsets: [partition: ["offset": 0], ["x": 1]: nil]))
        for (partition, offset) in [(partition, ["offset": 2] as SourceOffset), (["sourceClusterAlias": "a"], ["offset": 0])] {
            await #expect(throws: ConnectError.self) {
                try await connector.alterOffsets(connectorConfig: makeProps(), offsets: [partition: offset])
            }
        }
    }
}

/// Counts reconfiguration requests and keeps raised errors.
final class RecordingConnectorContext: ConnectorContext {
    let reconfigurations = Mutex(0)
    let errors = Mutex<[String]>([])

    func requestTaskReconfiguration() { reconfigurations.withLock { $0 += 1 } }
    func raiseError(_ error: any Error) { errors.withLock { $0.append("\(error)") } }
}
