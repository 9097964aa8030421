import ConnectRuntime
import Foundation
import Kafka
import KafkaTestSupport
import Testing

/// A worker stopped with SIGTERM and replaced by a new one with the same properties: the new
/// worker restores everything from the internal topics.
@Suite(.serialized, .timeLimit(.minutes(3))) struct RestartRestoreEndToEndTests {
    /// With its broker gone, a worker asked to stop still exits within a bounded time (every
    /// wait on Kafka during shutdown has a timeout) instead of hanging.
    @Test func sigtermWithTheBrokerGoneStillExits() async throws {
        try await withWorkers { group in
            let worker = try await group.start()
            try #require(try await worker.createConnector("numbers", config: sequenceConfig(topic: "numbers", tasks: 1)).status == 201)
            try await worker.waitForStatus("numbers", "RUNNING") { $0.all("RUNNING", taskCount: 1) }
            await group.cluster.stop()
            let started = ContinuousClock.now
            #expect(await worker.terminate(gracePeriod: .seconds(45)), "still running 45 s after SIGTERM")
            print("Worker exited \(ContinuousClock.now - started) after SIGTERM with its broker gone")
        }
    }

    @Test func aNewWorkerRestoresConnectorsTargetStatesAndOffsets() async throws {
        try await withWorkers { group in
            let cluster = group.cluster
            let settings = WorkerSettings(cluster: cluster)
            for topic in ["topic-a", "topic-b", "topic-c", "topic-d"] { try await createTopic(cluster, topic) }
            let first = try await group.start(settings)

            // A runs, B is paused, C is stopped with altered offsets, D was created PAUSED (KIP-980).
            let configs = [
                "A": sequenceConfig(topic: "topic-a", tasks: 2, pollIntervalMs: 100),
                "B": sequenceConfig(topic: "topic-b", tasks: 1, pollIntervalMs: 100),
                "C": sequenceConfig(topic: "topic-c", tasks: 2, pollIntervalMs: 100),
                "D": sequenceConfig(topic: "topic-d", tasks: 1, pollIntervalMs: 100),
            ]
            for name in ["A", "B", "C"] {
                let created = try await first.createConnector(name, config: configs[name, default: [:]])
                try #require(created.status == 201, "\(created)")
            }
            let createdPaused = try await first.createConnector("D", config: configs["D", default: [:]], initialState: "PAUSED")
            try #require(createdPaused.status == 201, "\(createdPaused)")
            try await first.waitForStatus("A", "RUNNING") { $0.all("RUNNING", taskCount: 2) }
            try await first.waitForStatus("B", "RUNNING") { $0.all("RUNNING", taskCount: 1) }
            try await first.waitForStatus("C", "RUNNING") { $0.all("RUNNING", taskCount: 2) }
            // Created PAUSED, a connector never runs, so it has no task configs yet (as Apache's
            // ConnectWorkerIntegrationTest.testCreateConnectorWithPausedInitialState expects).
            try await first.waitForStatus("D", "PAUSED from the start, no tasks") { $0.all("PAUSED", taskCount: 0) }
            #expect(try await recordCount(cluster, "topic-d") == 0, "D wrote records although created PAUSED")

            #expect(try await first.request("PUT", "/connectors/B/pause").status == 202)
            try await first.waitForStatus("B", "PAUSED") { $0.all("PAUSED", taskCount: 1) }
            #expect(try await first.request("PUT", "/connectors/C/stop").status == 204)
            try await first.waitForStatus("C", "STOPPED") { $0.state == "STOPPED" && $0.tasks.isEmpty }
            try await eventually("C has no task configs") { try await taskConfigs(first, "C").isEmpty }
            let patch = try await first.request("PATCH", "/connectors/C/offsets", json: [
                "offsets": [
                    ["partition": ["task": 0], "offset": ["seq": 50_000]],
                    ["partition": ["task": 1], "offset": ["seq": 60_000]],
                ],
            ])
            #expect(patch.status == 200, "\(patch)")
            try await eventually("A wrote at least 20 records") { try await recordCount(cluster, "topic-a") >= 20 }

            // What the first worker knew.
            var knownConfigs: [String: [String: String]] = [:]
            var knownTasks: [String: [[String: String]]] = [:]
            for name in ["A", "B", "C", "D"] {
                knownConfigs[name] = stringMap(try await first.get("/connectors/\(name)/config").json)
                knownTasks[name] = try await taskConfigs(first, name).map(\.config)
            }
            #expect(knownTasks["A"]?.count == 2 && knownTasks["B"]?.count == 1 && knownTasks["C"]?.isEmpty == true
                    && knownTasks["D"]?.isEmpty == true, "\(knownTasks)")

            // Graceful stop.
            let exitedByItself = await first.terminate(gracePeriod: .seconds(25))
            #expect(exitedByItself, "the worker did not exit within 25 s of SIGTERM\n\(first.logTail())")
            #expect(first.terminationStatus == 0, "exit status \(first.terminationStatus.map(String.init) ?? "?") after SIGTERM\n\(first.logTail())")
            let aBefore = values(try await readTopic(cluster, "topic-a"))
            let bCount = try await recordCount(cluster, "topic-b")

            // A new worker with the same properties (on another port).
            let second = try await group.start(settings)
            try await eventually("the new worker lists A, B, C, D") { () -> Probe<Void> in
                let listed = try await second.get("/connectors")
                return Set((listed.array as? [String]) ?? []) == ["A", "B", "C", "D"] ? .done(()) : .notYet("\(listed)")
            }
            for name in ["A", "B", "C", "D"] {
                let config = try await second.get("/connectors/\(name)/config")
                #expect(stringMap(config.json) == knownConfigs[name], "config of \(name): \(config)")
                let tasks = try await taskConfigs(second, name).map(\.config)
                #expect(tasks == knownTasks[name], "task configs of \(name): \(tasks)")
            }
            let me = second.workerId
            try await second.waitForStatus("A", "RUNNING on the new worker") { $0.all("RUNNING", taskCount: 2) && $0.workerId == me && $0.tasks.allSatisfy { $0.workerId == me } }
            try await second.waitForStatus("B", "PAUSED on the new worker") { $0.all("PAUSED", taskCount: 1) && $0.workerId == me && $0.tasks.allSatisfy { $0.workerId == me } }
            try await second.waitForStatus("C", "STOPPED on the new worker") { $0.state == "STOPPED" && $0.tasks.isEmpty && $0.workerId == me }
            try await second.waitForStatus("D", "PAUSED on the new worker") { $0.all("PAUSED", taskCount: 0) && $0.workerId == me }
            #expect(try await sourceOffsets(second, "C") == [0: 50_000, 1: 60_000])

            // A continues where it stopped; B and D stay silent.
            try await eventually("A writes again") { try await recordCount(cluster, "topic-a") >= Int64(aBefore.count) + 10 }
            let aAfter = values(try await readTopic(cluster, "topic-a"))
            for task in 0..<2 {
                let seqs = sequenceNumbers(aAfter, task: task)
                #expect(seqs.filter { $0 == 0 }.count == 1, "task A-\(task) started over after the restart")
                #expect(Set(seqs).count == Int((seqs.max() ?? -1) + 1), "task A-\(task) skipped sequence numbers")
                #expect(Set(seqs).count == seqs.count, "task A-\(task) repeated \(seqs.count - Set(seqs).count) records across a graceful restart")
            }
            #expect(try await recordCount(cluster, "topic-b") == bCount, "B wrote records while PAUSED")
            #expect(try await recordCount(cluster, "topic-d") == 0, "D wrote records while PAUSED")

            // C resumes from its altered offsets.
            #expect(try await second.request("PUT", "/connectors/C/resume").status == 202)
            try await second.waitForStatus("C", "RUNNING after resume") { $0.all("RUNNING", taskCount: 2) }
            try await eventually("C continues at 50001 and 60001") { () -> Probe<Void> in
                let written = values(try await readTopic(cluster, "topic-c"))
                return written.contains("task-0-50001") && written.contains("task-1-60001") ? .done(()) : .notYet("\(written.suffix(6))")
            }
            let cWritten = values(try await readTopic(cluster, "topic-c"))
            #expect(!cWritten.contains("task-0-50000") && !cWritten.contains("task-1-60000"), "C repeated the altered offsets' records")

            // D, resumed, generates its task configs and runs.
            #expect(try await second.request("PUT", "/connectors/D/resume").status == 202)
            try await second.waitForStatus("D", "RUNNING with its task after resume") { $0.all("RUNNING", taskCount: 1) }
            try await eventually("D writes") { try await recordCount(cluster, "topic-d") > 0 }
        }
    }
}
