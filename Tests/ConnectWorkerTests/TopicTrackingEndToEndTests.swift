import ConnectRuntime
import Foundation
import Kafka
import KafkaTestSupport
import Testing

/// KIP-558 topic tracking through real workers: the topics source and sink tasks use are
/// recorded once in the status topic, `GET /connectors/{c}/topics` shows them, a reset or a
/// deletion removes them, and the worker settings switch the endpoints off (403).
@Suite(.serialized, .timeLimit(.minutes(4))) struct TopicTrackingEndToEndTests {
    @Test func activeTopicsAreRecordedResetAndForgotten() async throws {
        try await withWorkers { group in
            let cluster = group.cluster
            let settings = WorkerSettings(cluster: cluster)
            try await createTopic(cluster, "tracked")
            let worker = try await group.start(settings)
            let output = worker.directory.appendingPathComponent("tracked-sink.txt")

            // Nothing recorded: an empty list, also for a connector that does not exist (as Apache answers).
            for name in ["tracked-source", "nope"] {
                let none = try await worker.get("/connectors/\(name)/topics")
                #expect(none.status == 200 && none.text == #"{"\#(name)":{"topics":[]}}"#, "\(none)")
            }

            let source = try await worker.createConnector("tracked-source", config: sequenceConfig(topic: "tracked", tasks: 2))
            try #require(source.status == 201, "\(source)")
            let sink = try await worker.createConnector("tracked-sink", config: [
                "connector.class": fileStreamSinkClass, "tasks.max": "1", "topics": "tracked", "file": output.path,
            ])
            try #require(sink.status == 201, "\(sink)")
            try await worker.waitForStatus("tracked-source", "RUNNING") { $0.all("RUNNING", taskCount: 2) }
            try await worker.waitForStatus("tracked-sink", "RUNNING") { $0.all("RUNNING", taskCount: 1) }
            try await waitForTopics(worker, "tracked-source", ["tracked"])
            try await waitForTopics(worker, "tracked-sink", ["tracked"])

            // One record per topic and connector, however many records and tasks used it.
            try await eventually("records flow") { try await recordCount(cluster, "tracked") >= 100 }
            let recorded = try await topicRecords(cluster, settings.statusTopic)
            let sourceKey = "status-topic-tracked:connector-tracked-source"
            let sinkKey = "status-topic-tracked:connector-tracked-sink"
            #expect(recorded.filter { $0.key == sourceKey }.count == 1, "\(recorded)")
            #expect(recorded.filter { $0.key == sinkKey }.count == 1, "\(recorded)")
            let sourceValue = try #require(recorded.first { $0.key == sourceKey }?.value)
            let topicObject = try #require((try JSONSerialization.jsonObject(with: Data(sourceValue.utf8)) as? [String: Any])?["topic"] as? [String: Any])
            #expect(topicObject["name"] as? String == "tracked", "\(sourceValue)")
            #expect(topicObject["connector"] as? String == "tracked-source", "\(sourceValue)")
            #expect([0, 1].contains(topicObject["task"] as? Int ?? -1), "\(sourceValue)")
            let discovered = Int64(topicObject["discoverTimestamp"] as? Int ?? 0)
            #expect(abs(discovered - Int64(Date().timeIntervalSince1970 * 1000)) < 120_000, "\(sourceValue)")

            // Reset, any time (Apache does not ask for a stopped connector): 202, a tombstone. A
            // stopped source no longer writes, so its topic stays forgotten...
            #expect(try await worker.request("PUT", "/connectors/tracked-source/stop").status == 204)
            try await worker.waitForStatus("tracked-source", "STOPPED") { $0.state == "STOPPED" && $0.tasks.isEmpty }
            let reset = try await worker.request("PUT", "/connectors/tracked-source/topics/reset")
            #expect(reset.status == 202 && reset.body.isEmpty, "\(reset)")
            try await waitForTopics(worker, "tracked-source", [])
            try await eventually("a tombstone for \(sourceKey)") {
                try await topicRecords(cluster, settings.statusTopic).last { $0.key == sourceKey }.map { $0.value == nil } ?? false
            }
            try await Task.sleep(for: .milliseconds(500))
            try await waitForTopics(worker, "tracked-source", [])
            try await waitForTopics(worker, "tracked-sink", ["tracked"])
            // ...and once it writes again, the topic is recorded again.
            #expect(try await worker.request("PUT", "/connectors/tracked-source/resume").status == 202)
            try await worker.waitForStatus("tracked-source", "RUNNING again") { $0.all("RUNNING", taskCount: 2) }
            try await waitForTopics(worker, "tracked-source", ["tracked"])

            // Deleting a connector forgets its topics.
            #expect(try await worker.request("DELETE", "/connectors/tracked-sink").status == 204)
            try await waitForTopics(worker, "tracked-sink", [])
            try await eventually("a tombstone for \(sinkKey)") {
                try await topicRecords(cluster, settings.statusTopic).last { $0.key == sinkKey }.map { $0.value == nil } ?? false
            }
            try await waitForTopics(worker, "tracked-source", ["tracked"])
        }
    }

    /// `topic.tracking.allow.reset=false` refuses resets; `topic.tracking.enable=false` refuses
    /// both endpoints and records nothing. Two workers with their own groups, one broker.
    @Test func trackingAndResetCanBeSwitchedOff() async throws {
        try await withWorkers { group in
            let cluster = group.cluster
            try await createTopic(cluster, "numbers")

            var noReset = WorkerSettings(cluster: cluster)
            noReset.extra["topic.tracking.allow.reset"] = "false"
            let noResetWorker = try await group.start(noReset)
            var disabled = WorkerSettings(cluster: cluster)
            disabled.groupId = "connect-e2e-untracked"
            disabled.configTopic = "untracked-configs"
            disabled.offsetTopic = "untracked-offsets"
            disabled.statusTopic = "untracked-status"
            disabled.extra["topic.tracking.enable"] = "false"
            let disabledWorker = try await group.start(disabled)

            for worker in [noResetWorker, disabledWorker] {
                let created = try await worker.createConnector("counter", config: sequenceConfig(topic: "numbers", tasks: 1))
                try #require(created.status == 201, "\(created)")
                try await worker.waitForStatus("counter", "RUNNING") { $0.all("RUNNING", taskCount: 1) }
            }

            try await waitForTopics(noResetWorker, "counter", ["numbers"])
            let refused = try await noResetWorker.request("PUT", "/connectors/counter/topics/reset")
            #expect(refused.status == 403 && refused.isConnectError && refused.errorMessage == "Topic tracking reset is disabled.", "\(refused)")
            try await waitForTopics(noResetWorker, "counter", ["numbers"])

            for (method, path) in [("GET", "/connectors/counter/topics"), ("PUT", "/connectors/counter/topics/reset")] {
                let response = try await disabledWorker.request(method, path)
                #expect(response.status == 403 && response.isConnectError && response.errorMessage == "Topic tracking is disabled.", "\(response)")
            }
            try await eventually("the untracked connector writes") { try await recordCount(cluster, "numbers") >= 100 }
            #expect(try await topicRecords(cluster, disabled.statusTopic).isEmpty)
        }
    }
}

/// Waits until `GET /connectors/{c}/topics` lists exactly `topics`.
func waitForTopics(_ worker: WorkerProcess, _ connector: String, _ topics: [String]) async throws {
    try await eventually("\(connector) on \(worker.name) uses topics \(topics)") { () -> Probe<Void> in
        let response = try await worker.get("/connectors/\(connector)/topics")
        guard response.status == 200, let object = response.object, object.count == 1,
              let info = object[connector] as? [String: Any], info.count == 1, let listed = info["topics"] as? [String] else {
            return .notYet("\(response)")
        }
        return listed.sorted() == topics.sorted() ? .done(()) : .notYet("\(response)")
    }
}

/// The `status-topic-…` records of a status topic (key, value or nil for a tombstone), in order per partition.
func topicRecords(_ cluster: KafkaTestCluster, _ statusTopic: String) async throws -> [(key: String, value: String?)] {
    try await readTopic(cluster, statusTopic).compactMap { record in
        guard let key = record.key.map({ String(decoding: $0, as: UTF8.self) }), key.hasPrefix("status-topic-") else { return nil }
        return (key, record.value.map { String(decoding: $0, as: UTF8.self) })
    }
}
