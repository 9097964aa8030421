import ConnectRuntime
import Foundation
import Kafka
import KafkaTestSupport
import Testing

/// Two workers on `connect.protocol=eager` (sub-protocol `default`): a worker gives up all its
/// work before it rejoins, so when a second worker joins, tasks spread and a moved task never
/// runs on both at once, even while its old instance takes a second to stop.
@Suite(.serialized, .timeLimit(.minutes(4))) struct EagerProtocolEndToEndTests {
    @Test func tasksSpreadAndAMovedTaskNeverRunsTwice() async throws {
        try await withWorkers { group in
            let cluster = group.cluster
            var settings = WorkerSettings(cluster: cluster)
            settings.extra["connect.protocol"] = "eager"
            try await createTopic(cluster, "eager")
            let first = try await group.start(settings)
            let config = sequenceConfig(topic: "eager", tasks: 4, extra: ["stop.delay.ms": "1000"])
            #expect(try await first.createConnector("eager", config: config).status == 201)
            try await first.waitForStatus("eager", "4 tasks RUNNING on the first worker") { status in
                status.all("RUNNING", taskCount: 4) && status.tasksPerWorker == [first.workerId: 4]
            }
            try await eventually("records flow") { try await recordCount(cluster, "eager") >= 100 }
            let beforeJoin = try await endOffsets(cluster, settings.statusTopic)

            let second = try await group.start(settings)
            let ids: Set = [first.workerId, second.workerId]
            let spread = try await first.waitForStatus("eager", timeout: .seconds(60), "tasks spread 2 and 2") { status in
                status.all("RUNNING", taskCount: 4) && Set(status.tasksPerWorker.keys) == ids
                    && status.tasksPerWorker.values.sorted() == [2, 2] && ids.contains(status.workerId)
            }
            // Both workers agree: each task on exactly one worker.
            try await second.waitForStatus("eager", "the same view on the second worker") { $0.tasks == spread.tasks }
            #expect(first.log().contains("Eager rebalance: revoking the whole assignment before rejoining"), "\(first.logTail())")
            #expect(first.log().contains("Finished stopping connectors and tasks in preparation for rebalance"), "\(first.logTail())")

            // In the status topic, every task the first worker ran was stopped (UNASSIGNED) before
            // any worker started it again: a RUNNING by one worker always follows the end of the
            // previous owner's run.
            let history = try await statusRecords(cluster, settings.statusTopic, from: beforeJoin)
            for task in 0..<4 {
                let states = history.filter { $0.key == "status-task-eager-\(task)" }
                // Before the second worker joined, every task was RUNNING on the first.
                var runningOn: String? = first.workerId
                for entry in states {
                    guard let state = entry.state, let workerId = entry.workerId else { continue }
                    if state == "RUNNING" {
                        #expect(runningOn == nil || runningOn == workerId,
                                "task \(task) RUNNING on \(workerId) while still RUNNING on \(runningOn ?? "-"): \(states.map { "\($0.state ?? "null")@\($0.workerId ?? "-")" })")
                        runningOn = workerId
                    } else if runningOn == workerId {
                        runningOn = nil
                    }
                }
                let moved = spread.tasks.first { $0.id == task }?.workerId == second.workerId
                if moved {
                    #expect(states.contains { $0.state == "UNASSIGNED" && $0.workerId == first.workerId },
                            "moved task \(task) has no UNASSIGNED from its first worker: \(states.map { "\($0.state ?? "null")@\($0.workerId ?? "-")" })")
                }
            }

            // The records agree: no task wrote a sequence number twice across the hand-over.
            try await eventually("records keep flowing on both workers") {
                let count = try await recordCount(cluster, "eager")
                try await Task.sleep(for: .milliseconds(500))
                return try await recordCount(cluster, "eager") > count
            }
            let written = values(try await readTopic(cluster, "eager"))
            for task in 0..<4 {
                let seqs = sequenceNumbers(written, task: task)
                #expect(!seqs.isEmpty && Set(seqs).count == seqs.count, "task \(task) wrote \(seqs.count - Set(seqs).count) duplicates")
                #expect(Set(seqs).count == Int((seqs.max() ?? -1) + 1), "task \(task) skipped sequence numbers")
            }
        }
    }
}
