import ConnectRuntime
import Foundation
import Kafka
import KafkaTestSupport
import Testing

/// Failures through the real runtime: a failing task's status and trace, restarts of only the
/// failed tasks or of one task, and a connector that generates more tasks than `tasks.max`.
@Suite(.serialized, .timeLimit(.minutes(4))) struct FailureEndToEndTests {
    @Test func failedTasksShowTheirTraceAndRestart() async throws {
        try await withWorkers { group in
            let cluster = group.cluster
            let settings = WorkerSettings(cluster: cluster)
            try await createTopic(cluster, "flaky")
            let worker = try await group.start(settings)

            // Task 0 fails after 20 records of each run; task 1 keeps running.
            let config = sequenceConfig(topic: "flaky", tasks: 2, extra: ["fail.after.records": "20", "fail.tasks": "0"])
            #expect(try await worker.createConnector("flaky", config: config).status == 201)
            let failed = try await worker.waitForStatus("flaky", "task 0 FAILED, task 1 RUNNING") { status in
                status.state == "RUNNING" && status.tasks.map(\.state) == ["FAILED", "RUNNING"]
            }
            let trace = try #require(failed.tasks[0].trace, "\(failed.raw)")
            #expect(trace.contains("Task 0 failing as configured after 20 records"), "\(trace)")
            #expect(failed.trace == nil && failed.tasks[1].trace == nil, "\(failed.raw)")
            let taskStatus = try await worker.get("/connectors/flaky/tasks/0/status")
            #expect(taskStatus.status == 200 && taskStatus.object?["state"] as? String == "FAILED", "\(taskStatus)")
            #expect(taskStatus.object?["trace"] as? String == trace && taskStatus.object?["worker_id"] as? String == worker.workerId, "\(taskStatus)")

            // Restart only what failed: 202 with the plan, then task 0 runs (and fails) again;
            // the connector and task 1 are not touched.
            let before = try await endOffsets(cluster, settings.statusTopic)
            let restart = try await worker.request("POST", "/connectors/flaky/restart?includeTasks=true&onlyFailed=true")
            #expect(restart.status == 202, "\(restart)")
            let plan = try ConnectorStatusView(try #require(restart.object, "\(restart)"), raw: restart.text)
            #expect(plan.state == "RUNNING" && plan.tasks.map(\.state) == ["RESTARTING", "RUNNING"], "\(restart)")
            try await eventually("task 0 restarted and failed again; nothing else restarted") { () -> Probe<Void> in
                let written = try await statusRecords(cluster, settings.statusTopic, from: before)
                let task0 = written.filter { $0.key == "status-task-flaky-0" }.compactMap(\.state)
                let others = written.filter { $0.key != "status-task-flaky-0" }
                guard others.isEmpty else { return .notYet("other statuses were written: \(others.map { "\($0.key)=\($0.state ?? "null")" })") }
                return task0 == ["RESTARTING", "RUNNING", "FAILED"] ? .done(()) : .notYet("task 0: \(task0)")
            }
            try await worker.waitForStatus("flaky", "task 0 FAILED again") { $0.tasks.map(\.state) == ["FAILED", "RUNNING"] }

            // Restart one task: 204, it runs again.
            let beforeTaskRestart = try await endOffsets(cluster, settings.statusTopic)
            let restartTask = try await worker.request("POST", "/connectors/flaky/tasks/0/restart")
            #expect(restartTask.status == 204 && restartTask.body.isEmpty, "\(restartTask)")
            try await eventually("task 0 RUNNING after its restart") { () -> Probe<Void> in
                let states = try await statusRecords(cluster, settings.statusTopic, from: beforeTaskRestart)
                    .filter { $0.key == "status-task-flaky-0" }.compactMap(\.state)
                return states.contains("RUNNING") ? .done(()) : .notYet("\(states)")
            }
            let restartHealthy = try await worker.request("POST", "/connectors/flaky/tasks/1/restart")
            #expect(restartHealthy.status == 204, "\(restartHealthy)")

            // Unknown tasks.
            let unknown = try await worker.request("POST", "/connectors/flaky/tasks/7/restart")
            #expect(unknown.status == 404 && unknown.isConnectError && unknown.errorMessage == "Unknown task: flaky-7", "\(unknown)")
            let unknownStatus = try await worker.get("/connectors/flaky/tasks/7/status")
            #expect(unknownStatus.status == 404 && unknownStatus.errorMessage == "No status found for task flaky-7", "\(unknownStatus)")
            #expect(try await worker.request("POST", "/connectors/flaky/tasks/x/restart").status == 404)

            // Task 1 counted on across its restart (offsets committed when it stopped).
            let task1 = sequenceNumbers(values(try await readTopic(cluster, "flaky")), task: 1)
            #expect(task1.filter { $0 == 0 }.count == 1 && Set(task1).count == task1.count, "task 1 repeated records: \(task1.prefix(5))")
        }
    }

    /// KIP-1004: more task configs than `tasks.max` fail the connector (not retried) unless
    /// `tasks.max.enforce=false`; committed tasks beyond `tasks.max` fail when they start.
    @Test func tooManyTasksFailTheConnectorUnlessToleratedAndLoggedOnce() async throws {
        try await withWorkers { group in
            let cluster = group.cluster
            try await createTopic(cluster, "greedy")
            let worker = try await group.start()

            let greedy = sequenceConfig(topic: "greedy", tasks: 1, extra: ["tasks.generated": "2"])
            #expect(try await worker.createConnector("greedy", config: greedy).status == 201)
            let failed = try await worker.waitForStatus("greedy", "connector FAILED") { $0.state == "FAILED" }
            #expect(failed.tasks.isEmpty, "\(failed.raw)")
            let trace = try #require(failed.trace, "\(failed.raw)")
            #expect(trace.contains("The connector greedy has generated 2 tasks, which is greater than 1, the maximum number of tasks it is configured to create."), "\(trace)")
            #expect(trace.contains("'tasks.max.enforce' set to false"), "\(trace)")
            // Not retried: still FAILED a second later, failed once, no task configs written.
            try await Task.sleep(for: .seconds(1))
            #expect(try await worker.status("greedy")?.state == "FAILED")
            #expect(try await taskConfigs(worker, "greedy").isEmpty)
            let log = worker.log()
            #expect(log.components(separatedBy: "Connector generated too many tasks; failing it").count - 1 == 1, "\(worker.logTail())")
            #expect(!log.contains("Task reconfiguration failed"), "\(worker.logTail())")

            // Tolerated: both tasks run, with a warning.
            let tolerated = greedy.merging(["tasks.max.enforce": "false"]) { _, new in new }
            #expect(try await worker.createConnector("tolerated", config: tolerated).status == 201)
            try await worker.waitForStatus("tolerated", "connector and 2 tasks RUNNING") { $0.all("RUNNING", taskCount: 2) }
            #expect(worker.log().contains("The connector generated more tasks than tasks.max"), "\(worker.logTail())")

            // Enforced again: the connector fails, and its two committed tasks fail when restarted.
            let enforce = try await worker.request("PATCH", "/connectors/tolerated/config", body: Array(#"{"tasks.max.enforce":"true"}"#.utf8))
            #expect(enforce.status == 200, "\(enforce)")
            try await worker.waitForStatus("tolerated", "connector FAILED after enforcing") { $0.state == "FAILED" }
            let restart = try await worker.request("POST", "/connectors/tolerated/restart?includeTasks=true")
            #expect(restart.status == 202, "\(restart)")
            let tasksFailed = try await worker.waitForStatus("tolerated", "tasks FAILED") { status in
                status.tasks.count == 2 && status.tasks.allSatisfy { $0.state == "FAILED" }
            }
            #expect(tasksFailed.tasks.allSatisfy { $0.trace?.contains("has generated 2 tasks, which is greater than 1") == true }, "\(tasksFailed.raw)")
        }
    }
}
