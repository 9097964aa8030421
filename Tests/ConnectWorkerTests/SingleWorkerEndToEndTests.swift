import ConnectRuntime
import Foundation
import Kafka
import KafkaTestSupport
import Testing

/// One `connect-worker distributed` process against a real broker, driven through the whole
/// REST lifecycle of a source connector, plus a sink writing a file.
@Suite(.serialized, .timeLimit(.minutes(4))) struct SingleWorkerEndToEndTests {
    @Test func rootAndPluginsDescribeTheWorker() async throws {
        try await withWorkers { group in
            let worker = try await group.start()

            let root = try await worker.get("/")
            #expect(root.status == 200, "\(root)")
            let info = try #require(root.object, "\(root)")
            #expect(info["version"] is String, "\(root)")
            #expect(info["commit"] is String, "\(root)")
            #expect(((info["kafka_cluster_id"] as? String) ?? "").isEmpty == false, "\(root)")

            let health = try await worker.get("/health")
            #expect(health.status == 200, "\(health)")
            #expect(health.object?["status"] as? String == "healthy", "\(health)")

            let plugins = try await worker.get("/connector-plugins")
            #expect(plugins.status == 200, "\(plugins)")
            let list = try #require(plugins.array as? [[String: Any]], "\(plugins)")
            func plugin(_ className: String) -> [String: Any]? { list.first { $0["class"] as? String == className } }
            #expect(plugin(sequenceSourceClass)?["type"] as? String == "source", "\(plugins)")
            #expect(plugin(sequenceSourceClass)?["version"] as? String == "1.0.0", "\(plugins)")
            #expect(plugin(fileStreamSourceClass)?["type"] as? String == "source", "\(plugins)")
            #expect(plugin(fileStreamSinkClass)?["type"] as? String == "sink", "\(plugins)")
            // connectorsOnly defaults to true: no converters in the default listing.
            #expect(list.allSatisfy { ["source", "sink"].contains($0["type"] as? String ?? "") }, "\(plugins)")

            let connectors = try await worker.get("/connectors")
            #expect(connectors.status == 200 && connectors.text == "[]", "\(connectors)")
        }
    }

    @Test func sourceConnectorLifecycle() async throws {
        try await withWorkers { group in
            let cluster = group.cluster
            let topic = "sequence"
            let name = "seq-source"
            try await createTopic(cluster, topic)
            let worker = try await group.start()
            let settings = WorkerSettings(cluster: cluster)

            // Create: 201, Location, ConnectorInfo.
            let config = sequenceConfig(topic: topic, tasks: 2)
            let created = try await worker.createConnector(name, config: config)
            try #require(created.status == 201, "\(created)")
            #expect(created.headers["location"]?.hasSuffix("/connectors/\(name)") == true, "headers: \(created.headers)")
            let createdInfo = try #require(created.object, "\(created)")
            #expect(createdInfo["name"] as? String == name)
            #expect(stringMap(createdInfo["config"]) == config.merging(["name": name]) { a, _ in a }, "\(created)")
            #expect(createdInfo["tasks"] is [Any], "\(created)")
            #expect(createdInfo["type"] as? String == "source", "\(created)")

            let listed = try await worker.get("/connectors")
            #expect(listed.status == 200 && (listed.array as? [String]) == [name], "\(listed)")

            // All running on this worker.
            let running = try await worker.waitForStatus(name, "connector and 2 tasks RUNNING") { $0.all("RUNNING", taskCount: 2) }
            #expect(running.name == name && running.type == "source", "\(running.raw)")
            #expect(running.workerId == worker.workerId, "\(running.raw)")
            #expect(running.tasks.allSatisfy { $0.workerId == worker.workerId }, "\(running.raw)")
            #expect(running.trace == nil && running.tasks.allSatisfy { $0.trace == nil }, "\(running.raw)")

            let info = try await worker.get("/connectors/\(name)")
            #expect(info.status == 200, "\(info)")
            #expect(info.object?["type"] as? String == "source", "\(info)")
            #expect(stringMap(info.object?["config"]) == config.merging(["name": name]) { a, _ in a }, "\(info)")
            let infoTasks = (info.object?["tasks"] as? [[String: Any]]) ?? []
            #expect(infoTasks.count == 2, "\(info)")
            #expect(Set(infoTasks.compactMap { $0["task"] as? Int }) == [0, 1], "\(info)")
            #expect(infoTasks.allSatisfy { $0["connector"] as? String == name }, "\(info)")

            let configResponse = try await worker.get("/connectors/\(name)/config")
            #expect(configResponse.status == 200, "\(configResponse)")
            #expect(stringMap(configResponse.json) == config.merging(["name": name]) { a, _ in a }, "\(configResponse)")

            let tasks = try await taskConfigs(worker, name)
            #expect(tasks.count == 2, "\(tasks)")
            for (index, task) in tasks.enumerated() {
                #expect(task.config["topic"] == topic, "\(task)")
                #expect(task.config["task.index"] == String(index), "\(task)")
            }

            // Records in the topic: each task counts from 0 without gaps or repeats.
            try await eventually("at least 40 records in \(topic)") { try await recordCount(cluster, topic) >= 40 }
            let firstRecords = try await readTopic(cluster, topic)
            let firstValues = values(firstRecords)
            for task in 0..<2 {
                let seqs = sequenceNumbers(firstValues, task: task)
                #expect(!seqs.isEmpty && seqs == Array(0..<Int64(seqs.count)), "task \(task) wrote \(seqs)")
            }
            #expect(firstRecords.allSatisfy { record in
                guard let key = record.key.map({ String(decoding: $0, as: UTF8.self) }),
                      let value = record.value.map({ String(decoding: $0, as: UTF8.self) }) else { return false }
                return value.hasPrefix("task-\(key)-")
            }, "keys must be the task index of the value")

            // PUT config: 200 (updated), and the tasks get the new config.
            var updatedConfig = config
            updatedConfig["records.per.poll"] = "2"
            let put = try await worker.request("PUT", "/connectors/\(name)/config", json: updatedConfig)
            #expect(put.status == 200, "\(put)")
            #expect(put.object?["name"] as? String == name, "\(put)")
            #expect(stringMap(put.object?["config"])?["records.per.poll"] == "2", "\(put)")
            try await eventually("task configs with records.per.poll=2") {
                let tasks = try await taskConfigs(worker, name)
                return tasks.count == 2 && tasks.allSatisfy { $0.config["records.per.poll"] == "2" }
            }
            try await worker.waitForStatus(name, "RUNNING after the config update") { $0.all("RUNNING", taskCount: 2) }

            // Pause: 202, PAUSED everywhere, the topic stops growing.
            let pause = try await worker.request("PUT", "/connectors/\(name)/pause")
            #expect(pause.status == 202, "\(pause)")
            try await worker.waitForStatus(name, "connector and tasks PAUSED") { $0.all("PAUSED", taskCount: 2) }
            let pausedAt = Int64(Date().timeIntervalSince1970 * 1000)
            // noida-db's high watermark lags acknowledged records a little: wait until it settles.
            let pausedEnd = try await settledEndOffsets(cluster, topic)
            let settledAt = Int64(Date().timeIntervalSince1970 * 1000)
            let pausedCount = pausedEnd.values.reduce(0, +)
            try await Task.sleep(for: .milliseconds(1_000))  // 20 poll intervals
            let grown = try await readTopic(cluster, topic, from: pausedEnd).map { record in
                "\(values([record]).first ?? "null") created \(record.timestamp - pausedAt) ms after PAUSED was seen"
            }
            #expect(grown.isEmpty, "the topic grew while PAUSED (settled \(settledAt - pausedAt) ms after PAUSED was seen): \(grown.prefix(10))")
            let sentWhilePaused = try await recordsCreated(after: pausedAt, cluster, topic)
            #expect(sentWhilePaused.isEmpty, "\(sentWhilePaused.count) records sent after PAUSED was reported: \(sentWhilePaused.prefix(10))")
            let pausedAgain = try await worker.request("PUT", "/connectors/\(name)/pause")
            #expect(pausedAgain.status == 202, "pause is idempotent: \(pausedAgain)")

            // Resume: 202, RUNNING, the topic grows.
            let resume = try await worker.request("PUT", "/connectors/\(name)/resume")
            #expect(resume.status == 202, "\(resume)")
            try await worker.waitForStatus(name, "RUNNING after resume") { $0.all("RUNNING", taskCount: 2) }
            try await eventually("the topic grows after resume") { try await recordCount(cluster, topic) >= pausedCount + 10 }

            // Restart with tasks: 202 with the plan, RESTARTING written to the status topic, back to RUNNING.
            let statusBefore = try await endOffsets(cluster, settings.statusTopic)
            let restart = try await worker.request("POST", "/connectors/\(name)/restart?includeTasks=true&onlyFailed=false")
            #expect(restart.status == 202, "\(restart)")
            if let plan = restart.object.flatMap({ try? ConnectorStatusView($0, raw: restart.text) }) {
                #expect(plan.all("RESTARTING", taskCount: 2), "\(restart)")
            } else {
                Issue.record("restart body is not a status: \(restart)")
            }
            try await eventually("RESTARTING for the connector and both tasks in the status topic") {
                let states = try await statusRecords(cluster, settings.statusTopic, from: statusBefore)
                let restarting = Set(states.filter { $0.state == "RESTARTING" }.map(\.key))
                return restarting.isSuperset(of: ["status-connector-\(name)", "status-task-\(name)-0", "status-task-\(name)-1"])
            }
            try await worker.waitForStatus(name, "RUNNING after restart") { $0.all("RUNNING", taskCount: 2) }
            let legacyRestart = try await worker.request("POST", "/connectors/\(name)/restart")
            #expect(legacyRestart.status == 204, "restart without includeTasks/onlyFailed is the legacy 204: \(legacyRestart)")
            try await worker.waitForStatus(name, "RUNNING after the legacy restart") { $0.all("RUNNING", taskCount: 2) }

            // Stop: 204, STOPPED, no tasks.
            let stop = try await worker.request("PUT", "/connectors/\(name)/stop")
            #expect(stop.status == 204, "\(stop)")
            try await worker.waitForStatus(name, "STOPPED with no tasks") { $0.state == "STOPPED" && $0.tasks.isEmpty }
            let stoppedAt = Int64(Date().timeIntervalSince1970 * 1000)
            #expect(try await taskConfigs(worker, name).isEmpty)
            let stoppedInfo = try await worker.get("/connectors/\(name)")
            #expect((stoppedInfo.object?["tasks"] as? [Any])?.isEmpty == true, "\(stoppedInfo)")

            // Offsets: the last record of each task, once stopped.
            let stoppedCount = try await settledEndOffsets(cluster, topic).values.reduce(0, +)
            let (last0, last1) = try await eventually("GET /offsets = the last sequence numbers in the topic") { () -> Probe<(Int64, Int64)> in
                let offsets = try await sourceOffsets(worker, name)
                let written = values(try await readTopic(cluster, topic))
                let last = (sequenceNumbers(written, task: 0).max() ?? -1, sequenceNumbers(written, task: 1).max() ?? -1)
                return offsets == [0: last.0, 1: last.1]
                    ? .done(last) : .notYet("offsets \(offsets), last in topic: task 0 \(last.0), task 1 \(last.1)")
            }

            // Alter one partition's offset.
            let patch = try await worker.request("PATCH", "/connectors/\(name)/offsets", json: [
                "offsets": [["partition": ["task": 0], "offset": ["seq": 100_000]]],
            ])
            #expect(patch.status == 200, "\(patch)")
            #expect(patch.object?["message"] as? String == "The offsets for this connector have been altered successfully", "\(patch)")
            let altered = try await worker.get("/connectors/\(name)/offsets")
            #expect(try await sourceOffsets(worker, name) == [0: 100_000, 1: last1], "after PATCH: \(altered)")
            let emptyPatch = try await worker.request("PATCH", "/connectors/\(name)/offsets", json: ["offsets": [] as [Any]])
            #expect(emptyPatch.status == 400 && emptyPatch.isConnectError, "\(emptyPatch)")
            #expect(try await recordCount(cluster, topic) == stoppedCount, "records were written while STOPPED")
            let sentWhileStopped = try await recordsCreated(after: stoppedAt, cluster, topic)
            #expect(sentWhileStopped.isEmpty, "\(sentWhileStopped.count) records sent after STOPPED was reported: \(sentWhileStopped.prefix(10))")

            // Resume after stop: tasks come back and continue from the (altered) offsets.
            let resumeStopped = try await worker.request("PUT", "/connectors/\(name)/resume")
            #expect(resumeStopped.status == 202, "\(resumeStopped)")
            try await worker.waitForStatus(name, "RUNNING after resuming a stopped connector") { $0.all("RUNNING", taskCount: 2) }
            try await eventually("task 0 continues at 100001, task 1 at \(last1 + 1)") { () -> Probe<Void> in
                let newValues = values(try await readTopic(cluster, topic))
                return newValues.contains("task-0-100001") && newValues.contains("task-1-\(last1 + 1)") ? .done(()) : .notYet("\(newValues.suffix(8))")
            }
            let resumedValues = values(try await readTopic(cluster, topic))
            #expect(resumedValues.filter { $0 == "task-0-0" }.count == 1, "task 0 restarted from scratch")
            #expect(!sequenceNumbers(resumedValues, task: 0).contains { $0 > last0 && $0 <= 100_000 }, "task 0 ignored the altered offset")

            // Offsets cannot change while running.
            let patchRunning = try await worker.request("PATCH", "/connectors/\(name)/offsets", json: [
                "offsets": [["partition": ["task": 0], "offset": ["seq": 5]]],
            ])
            #expect(patchRunning.status == 400 && patchRunning.isConnectError, "\(patchRunning)")
            let deleteRunning = try await worker.request("DELETE", "/connectors/\(name)/offsets")
            #expect(deleteRunning.status == 400 && deleteRunning.isConnectError, "\(deleteRunning)")

            // Stop again and reset: GET is empty, and resumed tasks start over at 0.
            let stopAgain = try await worker.request("PUT", "/connectors/\(name)/stop")
            #expect(stopAgain.status == 204, "\(stopAgain)")
            try await worker.waitForStatus(name, "STOPPED again") { $0.state == "STOPPED" && $0.tasks.isEmpty }
            try await eventually("tasks are gone after the second stop") { try await taskConfigs(worker, name).isEmpty }
            let reset = try await worker.request("DELETE", "/connectors/\(name)/offsets")
            #expect(reset.status == 200, "\(reset)")
            #expect(reset.object?["message"] as? String == "The offsets for this connector have been reset successfully", "\(reset)")
            let afterReset = try await worker.get("/connectors/\(name)/offsets")
            #expect(afterReset.status == 200 && (afterReset.object?["offsets"] as? [Any])?.isEmpty == true, "\(afterReset)")
            #expect(try await worker.request("PUT", "/connectors/\(name)/resume").status == 202)
            try await worker.waitForStatus(name, "RUNNING after the reset") { $0.all("RUNNING", taskCount: 2) }
            try await eventually("both tasks start over at seq 0") { () -> Probe<Void> in
                let newValues = values(try await readTopic(cluster, topic))
                let counts = (newValues.filter { $0 == "task-0-0" }.count, newValues.filter { $0 == "task-1-0" }.count)
                return counts == (2, 2) ? .done(()) : .notYet("task-0-0 x\(counts.0), task-1-0 x\(counts.1)")
            }

            // Delete: 204, then 404 everywhere.
            let delete = try await worker.request("DELETE", "/connectors/\(name)")
            #expect(delete.status == 204, "\(delete)")
            let gone = try await worker.get("/connectors/\(name)")
            #expect(gone.status == 404, "\(gone)")
            #expect(gone.object?["error_code"] as? Int == 404 && gone.object?["message"] as? String == "Connector \(name) not found", "\(gone)")
            #expect(try await worker.get("/connectors").text == "[]")
            try await eventually("the topic stops growing after delete") {
                let before = try await recordCount(cluster, topic)
                try await Task.sleep(for: .milliseconds(500))
                return try await recordCount(cluster, topic) == before
            }
        }
    }

    /// Each create or delete changes the set of connectors and so starts a rebalance; requests
    /// that arrive meanwhile must still succeed (Apache's herder runs them once the rebalance
    /// completes), and every connector must get its tasks.
    @Test func connectorsCreatedAndDeletedBackToBack() async throws {
        try await withWorkers { group in
            let cluster = group.cluster
            try await createTopic(cluster, "burst")
            let worker = try await group.start()
            let names = (1...8).map { "burst-\($0)" }
            // All at once, as a deployment script in parallel would.
            let responses = try await withThrowingTaskGroup(of: HTTPResult.self) { tasks in
                for name in names {
                    tasks.addTask {
                        try await worker.createConnector(name, config: sequenceConfig(topic: "burst", tasks: 2, pollIntervalMs: 500, recordsPerPoll: 1))
                    }
                }
                return try await tasks.reduce(into: []) { $0.append($1) }
            }
            for created in responses {
                #expect(created.status == 201, "\(created)")
            }
            for name in names {
                try await worker.waitForStatus(name, "connector and 2 tasks RUNNING") { $0.all("RUNNING", taskCount: 2) }
            }
            for name in names {
                let deleted = try await worker.request("DELETE", "/connectors/\(name)")
                #expect(deleted.status == 204, "\(deleted)")
            }
            let listed = try await worker.get("/connectors")
            #expect(listed.text == "[]", "\(listed)")
            try await eventually("the topic stops growing after the deletes") {
                let before = try await recordCount(cluster, "burst")
                try await Task.sleep(for: .milliseconds(1_000))
                return try await recordCount(cluster, "burst") == before
            }
        }
    }

    @Test func fileStreamSinkWritesTheTopicToAFile() async throws {
        try await withWorkers { group in
            let cluster = group.cluster
            let topic = "lines"
            try await createTopic(cluster, topic)
            let worker = try await group.start()
            let output = worker.directory.appendingPathComponent("sink-output.txt")

            let source = try await worker.createConnector(
                "lines-source", config: sequenceConfig(topic: topic, tasks: 1, extra: ["max.records": "30"]))
            try #require(source.status == 201, "\(source)")
            // The offsets API finds the group the tasks use, also when the connector names its own.
            let sinkConfig = [
                "connector.class": fileStreamSinkClass, "tasks.max": "1", "topics": topic, "file": output.path,
                "consumer.override.group.id": "lines-archive",
            ]
            let sink = try await worker.createConnector("file-sink", config: sinkConfig)
            try #require(sink.status == 201, "\(sink)")
            #expect(sink.object?["type"] as? String == "sink", "\(sink)")

            let status = try await worker.waitForStatus("file-sink", "sink and its task RUNNING") { $0.all("RUNNING", taskCount: 1) }
            #expect(status.type == "sink")
            let sinkTasks = try await taskConfigs(worker, "file-sink")
            #expect(sinkTasks.first?.config["topics"] == topic, "\(sinkTasks)")

            let expected = (0..<30).map { "task-0-\($0)" }
            try await eventually("\(output.lastPathComponent) holds the 30 records in order") { () -> Probe<Void> in
                let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
                let lines = text.split(separator: "\n").map(String.init)
                return lines == expected ? .done(()) : .notYet("\(lines.count) lines: \(lines.suffix(3))")
            }
            try await eventually("sink offsets committed at 30") { () -> Probe<Void> in
                let response = try await worker.get("/connectors/file-sink/offsets")
                guard response.status == 200, let offsets = response.object?["offsets"] as? [[String: Any]] else {
                    return .notYet("\(response)")
                }
                let matches = offsets.count == 1
                    && (offsets[0]["partition"] as? [String: Any])?["kafka_topic"] as? String == topic
                    && (offsets[0]["partition"] as? [String: Any])?["kafka_partition"] as? Int == 0
                    && (offsets[0]["offset"] as? [String: Any])?["kafka_offset"] as? Int == 30
                return matches ? .done(()) : .notYet("\(response)")
            }
        }
    }
}

/// `GET /connectors/{c}/tasks`, parsed.
struct TaskConfigView: Sendable, CustomStringConvertible {
    var connector: String
    var task: Int
    var config: [String: String]
    var description: String { "\(connector)-\(task) \(config)" }
}

func taskConfigs(_ worker: WorkerProcess, _ connector: String) async throws -> [TaskConfigView] {
    let response = try await worker.get("/connectors/\(connector)/tasks")
    guard response.status == 200, let list = response.array as? [[String: Any]] else {
        throw EndToEndError("unexpected tasks response: \(response)")
    }
    return try list.map { entry in
        guard let id = entry["id"] as? [String: Any], let name = id["connector"] as? String, let task = id["task"] as? Int,
              let config = stringMap(entry["config"]) else {
            throw EndToEndError("task entry has not the shape {id:{connector,task}, config}: \(response)")
        }
        return TaskConfigView(connector: name, task: task, config: config)
    }
}

/// `GET /connectors/{c}/offsets` of a SequenceSource as task index → seq.
func sourceOffsets(_ worker: WorkerProcess, _ connector: String) async throws -> [Int: Int64] {
    let response = try await worker.get("/connectors/\(connector)/offsets")
    guard response.status == 200, let object = response.object, object.count == 1,
          let offsets = object["offsets"] as? [[String: Any]] else {
        throw EndToEndError("unexpected offsets response: \(response)")
    }
    var result: [Int: Int64] = [:]
    for entry in offsets {
        guard let partition = entry["partition"] as? [String: Any], partition.count == 1, let task = partition["task"] as? Int,
              let offset = entry["offset"] as? [String: Any], offset.count == 1, let seq = offset["seq"] as? Int else {
            throw EndToEndError("offset entry has not the shape {partition:{task}, offset:{seq}}: \(response)")
        }
        result[task] = Int64(seq)
    }
    return result
}

/// A status-topic record, decoded with the runtime's codecs.
struct StatusTopicEntry: Sendable {
    var key: String
    var state: String?
    var workerId: String?
    var offset: Int64
}

/// The records of the status topic from `start` on (keys and states), in offset order per partition.
func statusRecords(
    _ cluster: KafkaTestCluster, _ topic: String, from start: [TopicPartition: Int64]? = nil, caller: String = #fileID, line: Int = #line
) async throws -> [StatusTopicEntry] {
    try await readTopic(cluster, topic, from: start, caller: caller, line: line).compactMap { record in
        guard let key = record.key.map({ String(decoding: $0, as: UTF8.self) }) else { return nil }
        let status = record.value.flatMap { try? StatusRecord(decoding: $0) }
        return StatusTopicEntry(key: key, state: status?.state.rawValue, workerId: status?.workerId, offset: record.offset)
    }
}
