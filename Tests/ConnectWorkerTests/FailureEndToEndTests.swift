import ConnectRuntime
import Foundation
import Kafka
import KafkaTestSupport
import Testing

/// Failures through the real runtime: a connector that generates more tasks than `tasks.max`.
@Suite(.serialized, .timeLimit(.minutes(4))) struct FailureEndToEndTests {
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
