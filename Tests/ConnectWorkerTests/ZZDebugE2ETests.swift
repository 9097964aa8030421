import Foundation
import Kafka
import KafkaTestSupport
import Testing

// TEMPORARY debugging test of helper e2e; deleted before hand-off.
@Suite struct ZZDebugE2ETests {
    @Test func pauseTiming() async throws {
        try await withWorkers { group in
            let cluster = group.cluster
            try await createTopic(cluster, "dbg")
            let worker = try await group.start()
            var config = sequenceConfig(topic: "dbg", tasks: 2, pollIntervalMs: 50, recordsPerPoll: 5)
            _ = try await worker.createConnector("d", config: config)
            try await worker.waitForStatus("d", "RUNNING") { $0.all("RUNNING", taskCount: 2) }
            try await Task.sleep(for: .seconds(2))
            config["records.per.poll"] = "2"
            let put = try await worker.request("PUT", "/connectors/d/config", json: config)
            print("DBG PUT \(put.status)")
            try await eventually("tasks updated") { try await taskConfigs(worker, "d").allSatisfy { $0.config["records.per.poll"] == "2" } }
            try await worker.waitForStatus("d", "RUNNING") { $0.all("RUNNING", taskCount: 2) }
            try await Task.sleep(for: .seconds(2))
            let start = Int64(Date().timeIntervalSince1970 * 1000)
            _ = try await worker.request("PUT", "/connectors/d/pause")
            try await worker.waitForStatus("d", "PAUSED", until: { $0.all("PAUSED", taskCount: 2) })
            let pausedSeen = Int64(Date().timeIntervalSince1970 * 1000)
            print("DBG PAUSED seen at +\(pausedSeen - start)")
            var seen = Set<Int64>()
            for _ in 0..<30 {
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                let records = try await readTopic(cluster, "dbg")
                for r in records where !seen.contains(r.offset) && r.timestamp > start - 500 {
                    print("DBG visible at +\(now - start): \(String(decoding: r.value ?? [], as: UTF8.self)) offset \(r.offset) created +\(r.timestamp - start)")
                }
                seen.formUnion(records.map(\.offset))
                try await Task.sleep(for: .milliseconds(100))
            }
            let stopStart = Int64(Date().timeIntervalSince1970 * 1000)
            _ = try await worker.request("PUT", "/connectors/d/stop")
            try await worker.waitForStatus("d", "STOPPED", until: { $0.state == "STOPPED" && $0.tasks.isEmpty })
            print("DBG STOPPED seen at +\(Int64(Date().timeIntervalSince1970 * 1000) - stopStart)")
            for _ in 0..<20 {
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                let offsets = try await sourceOffsets(worker, "d")
                let records = try await readTopic(cluster, "dbg")
                let vals = values(records)
                print("DBG +\(now - stopStart) offsets \(offsets.sorted { $0.key < $1.key }) max \(sequenceNumbers(vals, task: 0).max() ?? -1) \(sequenceNumbers(vals, task: 1).max() ?? -1) count \(records.count)")
                try await Task.sleep(for: .milliseconds(250))
            }
        }
    }
}
