import ConnectRuntime
import Kafka
import KafkaTestSupport
import Testing

@Suite(.timeLimit(.minutes(3))) struct StatusBackingStoreTests {
    @Test func statusesArePublishedProtectedByGenerationAndDeleted() async throws {
        try await withKafkaTestCluster { cluster in
            let kit = StoreTestKit(cluster: cluster)
            let admin = try kit.topicAdmin()
            let topic = uniqueName("status")
            let first = kit.statusStore(topic, admin: admin)
            let second = kit.statusStore(topic, admin: admin)
            try await first.start()
            try await second.start()
            func sync() async throws {
                try await first.flush()
                try await second.flush()
                try await first.refresh(timeout: .seconds(10))
                try await second.refresh(timeout: .seconds(10))
            }

            let running = ConnectorStatus(connector: "mirror", state: .running, workerId: "w1:8083", generation: 5)
            let task0 = TaskStatus(id: task("mirror", 0), state: .running, workerId: "w1:8083", generation: 5)
            let task1 = TaskStatus(id: task("mirror", 1), state: .failed, trace: "java.lang.RuntimeException: boom\n\tat X", workerId: "w1:8083", generation: 5)
            let usage = TopicStatusRecord(topic: "orders", connector: "mirror", task: 0, discoverTimestamp: 1_700_000_000_000)
            first.put(running)
            first.put(task1)
            first.put(task0)
            first.put(usage)
            // Nothing is visible before it was read back, except the topic use on the worker
            // that recorded it (so it records it once).
            #expect(first.get(connector: "mirror") == nil)
            #expect(first.getTopic(connector: "mirror", topic: "orders") == usage)
            #expect(second.getTopic(connector: "mirror", topic: "orders") == nil)
            try await sync()
            for store in [first, second] {
                #expect(store.get(connector: "mirror") == running)
                #expect(store.get(task: task("mirror", 1)) == task1)
                #expect(store.getAll(connector: "mirror") == [task0, task1])
                #expect(store.connectors() == ["mirror"])
                #expect(store.getTopic(connector: "mirror", topic: "orders") == usage)
                #expect(store.getAllTopics(connector: "mirror") == [usage])
            }

            // putSafe does not overwrite what another worker wrote in a newer generation...
            second.putSafe(ConnectorStatus(connector: "mirror", state: .unassigned, workerId: "w2:8083", generation: 4))
            second.putSafe(TaskStatus(id: task("mirror", 0), state: .unassigned, workerId: "w2:8083", generation: 4))
            try await sync()
            #expect(second.get(connector: "mirror") == running)
            #expect(second.get(task: task("mirror", 0)) == task0)
            // ...but does in a newer generation, and the same worker always may.
            let takenOver = ConnectorStatus(connector: "mirror", state: .running, workerId: "w2:8083", generation: 6)
            second.putSafe(takenOver)
            let restarted = TaskStatus(id: task("mirror", 1), state: .running, workerId: "w1:8083", generation: 3)
            first.putSafe(restarted)
            // A stale UNASSIGNED is written but not believed over RUNNING of the same generation.
            second.put(TaskStatus(id: task("mirror", 0), state: .unassigned, workerId: "w2:8083", generation: 5))
            try await sync()
            for store in [first, second] {
                #expect(store.get(connector: "mirror") == takenOver)
                #expect(store.get(task: task("mirror", 1)) == restarted)
                #expect(store.get(task: task("mirror", 0)) == task0)
            }

            // Statuses written by Apache read the same (task numbers follow the last dash).
            try await kit.produce(topic, [
                ("status-connector-apache-conn", #"{"state":"PAUSED","trace":null,"worker_id":"10.0.0.1:8083","generation":12}"#),
                ("status-task-apache-conn-3", #"{"state":"FAILED","trace":"boom","worker_id":"10.0.0.1:8083","generation":12}"#),
                ("status-bogus", #"{"state":"RUNNING"}"#),
            ])
            try await first.refresh(timeout: .seconds(10))
            #expect(first.get(connector: "apache-conn") == ConnectorStatus(connector: "apache-conn", state: .paused, workerId: "10.0.0.1:8083", generation: 12))
            #expect(first.getAll(connector: "apache-conn") == [TaskStatus(id: task("apache-conn", 3), state: .failed, trace: "boom", workerId: "10.0.0.1:8083", generation: 12)])

            // A restarted worker rebuilds the same view.
            let third = kit.statusStore(topic, admin: admin)
            try await third.start()
            #expect(third.get(connector: "mirror") == takenOver)
            #expect(third.getAll(connector: "mirror") == [task0, restarted])
            #expect(third.connectors() == ["apache-conn", "mirror"])
            await third.stop()

            // Deleting a connector: DESTROYED statuses and the topic entry become tombstones.
            first.put(TaskStatus(id: task("mirror", 0), state: .destroyed, workerId: "w1:8083", generation: 7))
            first.put(ConnectorStatus(connector: "mirror", state: .destroyed, workerId: "w1:8083", generation: 7))
            first.deleteTopic(connector: "mirror", topic: "orders")
            #expect(first.getAllTopics(connector: "mirror").isEmpty)
            try await sync()
            for store in [first, second] {
                #expect(store.get(connector: "mirror") == nil)
                // The connector's tombstone drops its tasks' statuses too.
                #expect(store.getAll(connector: "mirror").isEmpty)
                #expect(store.getTopic(connector: "mirror", topic: "orders") == nil)
                #expect(store.connectors() == ["apache-conn"])
            }

            // The records are Apache's.
            let records = try await kit.readAll(topic)
            func values(_ key: String) -> [String?] { records.filter { text($0.key) == key }.map { text($0.value) } }
            #expect(values("status-connector-mirror") == [
                #"{"state":"RUNNING","trace":null,"worker_id":"w1:8083","generation":5}"#,
                #"{"state":"RUNNING","trace":null,"worker_id":"w2:8083","generation":6}"#,
                nil,
            ])
            #expect(values("status-task-mirror-1").first == #"{"state":"FAILED","trace":"java.lang.RuntimeException: boom\n\tat X","worker_id":"w1:8083","generation":5}"#)
            #expect(values("status-task-mirror-0").count == 3)
            #expect(values("status-topic-orders:connector-mirror") == [
                #"{"topic":{"name":"orders","connector":"mirror","task":0,"discoverTimestamp":1700000000000}}"#, nil,
            ])
            await first.stop()
            await second.stop()
            await admin.close()
        }
    }
}
