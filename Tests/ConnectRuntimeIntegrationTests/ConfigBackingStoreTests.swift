import ConnectRuntime
import Kafka
import KafkaTestSupport
import Testing

@Suite(.timeLimit(.minutes(3))) struct ConfigBackingStoreTests {
    @Test func writesReadBackNotifyTheListenerAndSurviveARestart() async throws {
        try await withKafkaTestCluster { cluster in
            let kit = StoreTestKit(cluster: cluster)
            let admin = try kit.topicAdmin()
            let topic = uniqueName("configs")
            let store = kit.configStore(topic, admin: admin)
            let listener = RecordingListener()
            store.setUpdateListener(listener)
            try await store.start()
            #expect(store.snapshot() == .empty)

            // A connector created paused: the target state is written first and reported with the connector.
            let config = ["connector.class": "MirrorSourceConnector", "tasks.max": "2", "name": "mirror"]
            try await store.putConnectorConfig("mirror", config, targetState: .paused)
            var snapshot = store.snapshot()
            #expect(snapshot.offset == 2)
            #expect(snapshot.connectorConfig("mirror") == config)
            #expect(snapshot.targetState("mirror") == .paused)
            #expect(store.contains(connector: "mirror"))
            #expect(snapshot.tasks("mirror").isEmpty)
            #expect(listener.take() == [.connectorUpdate("mirror")])

            try await store.putTaskConfigs("mirror", [["task": "0"], ["task": "1"]])
            snapshot = store.snapshot()
            #expect(snapshot.offset == 5)
            #expect(snapshot.taskCount("mirror") == 2)
            #expect(snapshot.tasks("mirror") == [task("mirror", 0), task("mirror", 1)])
            #expect(snapshot.taskConfig(task("mirror", 1)) == ["task": "1"])
            #expect(snapshot.taskConfigGeneration("mirror") == 0)
            #expect(snapshot.appliedConnectorConfig("mirror") == config)
            #expect(snapshot.pendingFencing("mirror"))
            #expect(listener.take() == [.taskUpdate([task("mirror", 0), task("mirror", 1)])])

            // Target state writes wait for the acknowledgement only; the change arrives by the reader.
            try await store.putTargetState("mirror", .stopped)
            try await store.refresh(timeout: .seconds(10))
            #expect(store.snapshot().targetState("mirror") == .stopped)
            #expect(listener.take() == [.targetState("mirror")])

            let restart = RestartRequestRecord(includeTasks: true, onlyFailed: true)
            try await store.putRestartRequest("mirror", restart)
            #expect(listener.take() == [.restart("mirror", restart)])

            let sessionKey = SessionKey(key: Array(0..<32), algorithm: "HmacSHA256", creationTimestamp: 1_700_000_000_000)
            try await store.putSessionKey(sessionKey)
            #expect(store.snapshot().sessionKey == sessionKey)
            #expect(listener.take() == [.sessionKey(sessionKey)])

            try await store.putTaskCountRecord("mirror", taskCount: 2)
            #expect(store.snapshot().taskCountRecord("mirror") == 2)
            #expect(!store.snapshot().pendingFencing("mirror"))

            try await store.putLoggerLevel(namespace: "org.apache.kafka.connect", level: "DEBUG")
            try await store.refresh(timeout: .seconds(10))
            #expect(listener.take() == [.loggerLevel("org.apache.kafka.connect", "DEBUG")])

            // A deleted connector loses its config, target state and tasks.
            try await store.putConnectorConfig("doomed", ["name": "doomed"], targetState: nil)
            try await store.putTaskConfigs("doomed", [["task": "0"]])
            #expect(store.snapshot().targetState("doomed") == .started)
            try await store.removeConnectorConfig("doomed")
            snapshot = store.snapshot()
            #expect(!snapshot.contains("doomed"))
            #expect(snapshot.targetState("doomed") == nil)
            #expect(snapshot.taskConfig(task("doomed", 0)) == nil)
            #expect(snapshot.taskCount("doomed") == 0)
            #expect(snapshot.connectors == ["mirror"])
            #expect(listener.take() == [.connectorUpdate("doomed"), .taskUpdate([task("doomed", 0)]), .connectorRemove("doomed")])

            // The records are what Apache writes, in Apache's order.
            let records = try await kit.readAll(topic)
            #expect(Int64(records.count) == snapshot.offset)
            let keys = records.map { text($0.key) ?? "" }
            #expect(Array(keys.prefix(5)) == ["target-state-mirror", "connector-mirror", "task-mirror-0", "task-mirror-1", "commit-mirror"])
            func values(_ key: String) -> [String?] { records.filter { text($0.key) == key }.map { text($0.value) } }
            #expect(values("target-state-mirror") == [#"{"state":"PAUSED","state.v2":"PAUSED"}"#, #"{"state":"PAUSED","state.v2":"STOPPED"}"#])
            #expect(values("connector-mirror") == [#"{"properties":{"connector.class":"MirrorSourceConnector","name":"mirror","tasks.max":"2"}}"#])
            #expect(values("task-mirror-1") == [#"{"properties":{"task":"1"}}"#])
            #expect(values("commit-mirror") == [#"{"tasks":2}"#])
            #expect(values("restart-connector-mirror") == [#"{"include-tasks":true,"only-failed":true}"#])
            #expect(values("tasks-fencing-mirror") == [#"{"task-count":2}"#])
            #expect(values("logger-cluster-org.apache.kafka.connect") == [#"{"level":"DEBUG"}"#])
            #expect(values("connector-doomed") == [#"{"properties":{"name":"doomed"}}"#, nil])
            #expect(values("target-state-doomed") == [nil])

            // A second store over the topic (a restarted worker) rebuilds the same state
            // without replaying history to its listener.
            let restored = kit.configStore(topic, admin: admin)
            let restoredListener = RecordingListener()
            restored.setUpdateListener(restoredListener)
            try await restored.start()
            #expect(restored.snapshot() == store.snapshot())
            #expect(restoredListener.events.isEmpty)

            // A write by one worker reaches the other's listener.
            try await restored.putTargetState("mirror", .started)
            try await store.refresh(timeout: .seconds(10))
            #expect(store.snapshot().targetState("mirror") == .started)
            #expect(listener.take() == [.targetState("mirror")])

            await restored.stop()
            await store.stop()
            await #expect(throws: KafkaError.self) { try await store.putTargetState("mirror", .paused) }
            await admin.close()
        }
    }

    @Test func readsWhatApacheWritesIncludingInconsistentTasksAndTombstones() async throws {
        try await withKafkaTestCluster { cluster in
            let kit = StoreTestKit(cluster: cluster)
            let admin = try kit.topicAdmin()
            let topic = uniqueName("apache-configs")
            try await admin.initialize(.configTopic(topic, replicationFactor: 1))
            // Byte for byte what Apache Kafka Connect 3.7-3.9 writes, plus records it would skip.
            try await kit.produce(topic, [
                ("connector-mm2", #"{"properties":{"connector.class":"org.apache.kafka.connect.mirror.MirrorSourceConnector","name":"mm2","tasks.max":"2"}}"#),
                ("target-state-mm2", #"{"state":"PAUSED","state.v2":"STOPPED"}"#),
                ("task-mm2-0", #"{"properties":{"task.assigned.partitions":"a-0","name":"mm2"}}"#),
                ("task-mm2-1", #"{"properties":{"task.assigned.partitions":"a-1","name":"mm2"}}"#),
                ("commit-mm2", #"{"tasks":2}"#),
                ("connector-old-style", #"{"properties":{"name":"old-style"}}"#),
                ("target-state-old-style", #"{"state":"PAUSED"}"#),
                ("connector-half", #"{"properties":{"name":"half"}}"#),
                ("task-half-1", #"{"properties":{"n":"1"}}"#),
                ("commit-half", #"{"tasks":2}"#),
                ("session-key", #"{"key":"c2VjcmV0LWtleS1ieXRlcw==","algorithm":"HmacSHA256","creation-timestamp":1700000000000}"#),
                ("restart-connector-mm2", #"{"include-tasks":true,"only-failed":false}"#),
                ("tasks-fencing-mm2", #"{"task-count":2}"#),
                ("logger-cluster-org.apache.kafka.connect", #"{"level":"DEBUG"}"#),
                ("unknown-key", #"{"x":1}"#),
                ("connector-broken", "{not json"),
                ("task-mm2-x", #"{"properties":{}}"#),
                ("commit-ghost", #"{"tasks":1}"#),
            ])

            let store = kit.configStore(topic, admin: admin)
            let listener = RecordingListener()
            store.setUpdateListener(listener)
            try await store.start()
            var snapshot = store.snapshot()
            #expect(snapshot.offset == 18)
            #expect(snapshot.connectors == ["half", "mm2", "old-style"])
            #expect(snapshot.connectorConfig("mm2")?["connector.class"] == "org.apache.kafka.connect.mirror.MirrorSourceConnector")
            #expect(snapshot.targetState("mm2") == .stopped)
            #expect(snapshot.targetState("old-style") == .paused)
            #expect(snapshot.targetState("half") == .started)
            #expect(snapshot.tasks("mm2") == [task("mm2", 0), task("mm2", 1)])
            #expect(snapshot.taskConfig(task("mm2", 1)) == ["task.assigned.partitions": "a-1", "name": "mm2"])
            #expect(snapshot.taskCountRecord("mm2") == 2)
            #expect(!snapshot.pendingFencing("mm2"))
            #expect(snapshot.sessionKey == SessionKey(key: Array("secret-key-bytes".utf8), algorithm: "HmacSHA256", creationTimestamp: 1_700_000_000_000))
            // Task 0 of "half" is missing (as after compaction): the commit is not applied.
            #expect(snapshot.inconsistentConnectors == ["half"])
            #expect(snapshot.tasks("half").isEmpty)
            #expect(snapshot.taskCount("half") == 2)
            #expect(snapshot.taskConfig(task("half", 1)) == nil)
            #expect(!snapshot.contains("broken"))
            #expect(!snapshot.contains("ghost"))
            #expect(listener.events.isEmpty)

            // Reconfiguring the inconsistent connector repairs it.
            try await store.putTaskConfigs("half", [["n": "0"], ["n": "1"]])
            snapshot = store.snapshot()
            #expect(snapshot.inconsistentConnectors.isEmpty)
            #expect(snapshot.tasks("half") == [task("half", 0), task("half", 1)])
            #expect(snapshot.taskConfig(task("half", 0)) == ["n": "0"])

            // A later commit that covers only some of the newest task configs leaves the
            // connector inconsistent again and applies none of them.
            try await kit.produce(topic, [("task-half-0", #"{"properties":{"n":"new"}}"#), ("commit-half", #"{"tasks":3}"#)])
            try await store.refresh(timeout: .seconds(10))
            snapshot = store.snapshot()
            #expect(snapshot.inconsistentConnectors == ["half"])
            #expect(snapshot.taskConfig(task("half", 0)) == ["n": "0"])
            #expect(snapshot.tasks("half").isEmpty)

            // Deletion as Apache writes it, and a target-state tombstone for a live connector.
            try await kit.produce(topic, [("connector-mm2", nil), ("target-state-mm2", nil), ("target-state-old-style", nil)])
            try await store.refresh(timeout: .seconds(10))
            snapshot = store.snapshot()
            #expect(!snapshot.contains("mm2"))
            #expect(snapshot.targetState("mm2") == nil)
            #expect(snapshot.taskConfig(task("mm2", 0)) == nil)
            #expect(snapshot.taskCount("mm2") == 0)
            #expect(snapshot.targetState("old-style") == .started)
            #expect(listener.take() == [.taskUpdate([task("half", 0), task("half", 1)]), .taskUpdate([]), .connectorRemove("mm2")])
            await store.stop()
            await admin.close()
        }
    }
}
