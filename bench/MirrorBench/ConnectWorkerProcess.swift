import Foundation
#if canImport(Glibc)
import Glibc
#endif
import KafkaTestSupport
import Logging
import RestClient

/// A `connect-worker distributed` child process (release build) against the target cluster,
/// with its own temp directory for the properties file and log. Killed by ``stop()``.
final class ConnectWorkerProcess: Sendable {
    let url: String
    let directory: URL
    let logFile: URL
    private let process: Process
    private let rest = RestClient(logger: Logger(label: "mirror-bench.rest"))

    private init(url: String, directory: URL, logFile: URL, process: Process) {
        self.url = url
        self.directory = directory
        self.logFile = logFile
        self.process = process
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// The properties of the benchmark's worker: one broker (replication factor -1), byte-array
    /// converters (what MirrorMaker 2 needs), a free REST port; `overrides` on top.
    static func properties(bootstrap: String, port: Int, overrides: [String: String]) -> [String: String] {
        [
            "bootstrap.servers": bootstrap,
            "group.id": "mirror-bench",
            "config.storage.topic": "mirror-bench-configs",
            "config.storage.replication.factor": "-1",
            "offset.storage.topic": "mirror-bench-offsets",
            "offset.storage.replication.factor": "-1",
            "status.storage.topic": "mirror-bench-status",
            "status.storage.replication.factor": "-1",
            "key.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
            "value.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
            "listeners": "http://127.0.0.1:\(port)",
        ].merging(overrides) { _, override in override }
    }

    /// Starts the worker and waits until `GET /health` answers 200.
    static func start(binary: URL, bootstrap: String, overrides: [String: String], logLevel: String) async throws -> ConnectWorkerProcess {
        var lastError: (any Error)?
        for _ in 0..<3 {
            let port = try freeLoopbackPort()
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("swift-connect-mirror-bench-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let propertiesFile = directory.appendingPathComponent("worker.properties")
            let text = properties(bootstrap: bootstrap, port: port, overrides: overrides)
                .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n") + "\n"
            try text.write(to: propertiesFile, atomically: true, encoding: .utf8)
            let logFile = directory.appendingPathComponent("worker.log")
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
            let log = try FileHandle(forWritingTo: logFile)
            let process = Process()
            process.executableURL = binary
            process.arguments = ["distributed", propertiesFile.path, "--log-level", logLevel]
            process.standardOutput = log
            process.standardError = log
            process.standardInput = FileHandle.nullDevice
            try process.run()
            try? log.close()
            let worker = ConnectWorkerProcess(url: "http://127.0.0.1:\(port)", directory: directory, logFile: logFile, process: process)
            do {
                try await worker.waitUntilHealthy(timeout: .seconds(60))
                return worker
            } catch {
                lastError = error
                await worker.stop()
                if !worker.log().contains("Address already in use") { throw error }
            }
        }
        throw lastError ?? BenchError("connect-worker did not start")
    }

    private func waitUntilHealthy(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        var last = "no answer"
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw BenchError("connect-worker exited with status \(process.terminationStatus)\n\(logTail())")
            }
            if let response = try? await request("GET", "/health"), response.status == 200 { return }
            last = "not healthy yet"
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchError("connect-worker not healthy within \(timeout) (\(last))\n\(logTail())")
    }

    /// SIGTERM, then SIGKILL after a grace period.
    func stop() async {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }

    var isRunning: Bool { process.isRunning }

    /// CPU seconds per thread of the worker process so far.
    var threadCPUSeconds: [Int32: (name: String, seconds: Double)] { mirror_bench.threadCPUSeconds(process.processIdentifier) }

    /// CPU seconds the worker process used so far.
    var cpuSeconds: Double { processCPUSeconds(process.processIdentifier) }

    func request(_ method: String, _ path: String, json: Any? = nil) async throws -> (status: Int, body: Any?, text: String) {
        let body = try json.map { Array(try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys])) }
        let response = try await rest.send(method: method, url: url + path, body: body, timeout: .seconds(60))
        let text = String(decoding: response.body, as: UTF8.self)
        let parsed = response.body.isEmpty ? nil : try? JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed])
        return (response.status, parsed, text)
    }

    /// `POST /connectors`; throws unless the worker answers 201.
    func createConnector(name: String, config: [String: String]) async throws {
        let response = try await request("POST", "/connectors", json: ["name": name, "config": config])
        guard response.status == 201 else {
            throw BenchError("POST /connectors \(name): HTTP \(response.status) \(response.text)")
        }
    }

    /// A failure reported by the connector's status (a FAILED connector or task), if any.
    func failure(of connector: String) async -> String? {
        guard let response = try? await request("GET", "/connectors/\(connector)/status"), response.status == 200,
              let status = response.body as? [String: Any] else { return nil }
        if let connectorStatus = status["connector"] as? [String: Any], connectorStatus["state"] as? String == "FAILED" {
            return "connector \(connector) FAILED: \(connectorStatus["trace"] as? String ?? "")"
        }
        for task in status["tasks"] as? [[String: Any]] ?? [] where task["state"] as? String == "FAILED" {
            return "task \(task["id"] ?? "?") of \(connector) FAILED: \(task["trace"] as? String ?? "")"
        }
        return nil
    }

    /// The number of RUNNING tasks of `connector`.
    func runningTasks(of connector: String) async -> Int {
        guard let response = try? await request("GET", "/connectors/\(connector)/status"), response.status == 200,
              let status = response.body as? [String: Any] else { return 0 }
        return (status["tasks"] as? [[String: Any]] ?? []).filter { $0["state"] as? String == "RUNNING" }.count
    }

    /// `DELETE /connectors/<name>`, then waits until the worker no longer lists it.
    func deleteConnector(_ name: String) async throws {
        let response = try await request("DELETE", "/connectors/\(name)")
        guard response.status == 204 || response.status == 200 else {
            throw BenchError("DELETE /connectors/\(name): HTTP \(response.status) \(response.text)")
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let listed = try? await request("GET", "/connectors"), let names = listed.body as? [String], !names.contains(name) {
                return
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw BenchError("connector \(name) still listed 60 s after DELETE")
    }

    func log() -> String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    func logTail(lines: Int = 40) -> String {
        let tail = log().split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
        return "---- connect-worker log tail (\(logFile.path)) ----\n\(tail)\n----"
    }
}

