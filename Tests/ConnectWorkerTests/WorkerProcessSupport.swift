import ConnectRuntime
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Kafka
import KafkaTestSupport
import Logging
import RestClient
import Synchronization
import Testing

// Harness for end-to-end tests of `connect-worker distributed`: real worker processes against
// a real noida-db broker, driven over their REST API and checked through the internal topics.

/// A failure of the harness itself (a timeout, a worker that died, an unexpected response),
/// described with what is needed to diagnose it.
struct EndToEndError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Every temp directory of a worker starts with this, so leftovers of a crashed test run can
/// be found (`pkill -KILL -f swift-connect-worker-test-`).
let workerDirectoryPrefix = "swift-connect-worker-test"

let sequenceSourceClass = "io.swiftconnect.connectors.SequenceSourceConnector"
let fileStreamSinkClass = "org.apache.kafka.connect.file.FileStreamSinkConnector"
let fileStreamSourceClass = "org.apache.kafka.connect.file.FileStreamSourceConnector"

// MARK: - Worker properties

/// The `worker.properties` of a test worker: small, fast settings for a one-broker cluster.
struct WorkerSettings: Sendable {
    var bootstrapServers: String
    var groupId = "connect-e2e"
    var configTopic = "connect-e2e-configs"
    var offsetTopic = "connect-e2e-offsets"
    var statusTopic = "connect-e2e-status"
    /// Kafka's minimum (`group.min.session.timeout.ms`). noida-db never expires the session of a
    /// killed member anyway (see `MultiWorkerEndToEndTests`).
    var sessionTimeoutMs = 6_000
    var heartbeatIntervalMs = 1_000
    var scheduledRebalanceMaxDelayMs = 3_000
    /// Extra or overriding properties.
    var extra: [String: String] = [:]
    /// The worker's `--log-level`.
    var logLevel = ProcessInfo.processInfo.environment["E2E_WORKER_LOG_LEVEL"] ?? "info"

    init(cluster: KafkaTestCluster) {
        bootstrapServers = cluster.bootstrapServers
    }

    init(bootstrapServers: String) {
        self.bootstrapServers = bootstrapServers
    }

    func properties(port: Int) -> [String: String] {
        var properties = [
            "bootstrap.servers": bootstrapServers,
            "group.id": groupId,
            "config.storage.topic": configTopic,
            "config.storage.replication.factor": "1",
            "offset.storage.topic": offsetTopic,
            "offset.storage.replication.factor": "-1",
            "offset.storage.partitions": "5",
            "status.storage.topic": statusTopic,
            "status.storage.replication.factor": "1",
            "status.storage.partitions": "3",
            "key.converter": "org.apache.kafka.connect.storage.StringConverter",
            "value.converter": "org.apache.kafka.connect.storage.StringConverter",
            "listeners": "http://127.0.0.1:\(port)",
            "offset.flush.interval.ms": "1000",
            "scheduled.rebalance.max.delay.ms": String(scheduledRebalanceMaxDelayMs),
            "session.timeout.ms": String(sessionTimeoutMs),
            "heartbeat.interval.ms": String(heartbeatIntervalMs),
            "rebalance.timeout.ms": "20000",
            "task.shutdown.graceful.timeout.ms": "3000",
        ]
        properties.merge(extra) { _, override in override }
        return properties
    }
}

// MARK: - One worker process

/// A `connect-worker distributed` child process with its own temp directory (properties file,
/// log). Stopped (SIGKILL) at the latest when the ``WorkerGroup`` that started it ends, or when
/// it is deinitialised.
final class WorkerProcess: Sendable {
    let name: String
    let port: Int
    let directory: URL
    let propertiesFile: URL
    let logFile: URL
    let properties: [String: String]
    private let process: Mutex<Process>
    private let stopped = Atomic<Bool>(false)
    private let rest: RestClient

    /// `http://127.0.0.1:<port>`.
    var url: String { "http://127.0.0.1:\(port)" }
    /// The id this worker reports in statuses: the host:port of its advertised URL.
    var workerId: String { "127.0.0.1:\(port)" }
    var pid: Int32 { process.withLock { $0.processIdentifier } }
    var isRunning: Bool { process.withLock { $0.isRunning } }
    /// The exit status once the process ended (`nil` while it runs).
    var terminationStatus: Int32? {
        process.withLock { $0.isRunning ? nil : $0.terminationStatus }
    }

    private init(name: String, port: Int, directory: URL, properties: [String: String], process: Process, rest: RestClient) {
        self.name = name
        self.port = port
        self.directory = directory
        self.propertiesFile = directory.appendingPathComponent("worker.properties")
        self.logFile = directory.appendingPathComponent("worker.log")
        self.properties = properties
        self.process = Mutex(process)
        self.rest = rest
    }

    deinit {
        // Safety net: never leave a worker behind.
        if !stopped.load(ordering: .acquiring) {
            let pid = process.withLock { $0.processIdentifier }
            if pid > 0 { _ = Glibc.kill(pid, SIGKILL) }
        }
    }

    /// Writes the properties file, starts the process and waits until `GET /health` says 200.
    static func start(
        name: String, settings: WorkerSettings, port: Int? = nil, rest: RestClient,
        healthTimeout: Duration = .seconds(60)
    ) async throws -> WorkerProcess {
        var lastError: (any Error)?
        // A free port can be taken before the worker binds it: try again with another one.
        for _ in 0..<(port == nil ? 3 : 1) {
            let port = try port ?? freeLoopbackPort()
            let worker = try launch(
                name: name, properties: settings.properties(port: port), logLevel: settings.logLevel, port: port, rest: rest)
            do {
                try await worker.waitUntilHealthy(timeout: healthTimeout)
                return worker
            } catch {
                lastError = error
                await worker.kill()
                if !worker.log().contains("Address already in use") { throw error }
            }
        }
        throw lastError ?? EndToEndError("worker \(name) did not start")
    }

    private static func launch(
        name: String, properties: [String: String], logLevel: String, port: Int, rest: RestClient
    ) throws -> WorkerProcess {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(workerDirectoryPrefix)-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let propertiesText = properties.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n") + "\n"
        let propertiesFile = directory.appendingPathComponent("worker.properties")
        try propertiesText.write(to: propertiesFile, atomically: true, encoding: .utf8)
        let logFile = directory.appendingPathComponent("worker.log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)

        let process = Process()
        process.executableURL = try connectWorkerExecutable()
        process.arguments = ["distributed", propertiesFile.path, "--log-level", logLevel]
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? log.close()
        return WorkerProcess(name: name, port: port, directory: directory, properties: properties, process: process, rest: rest)
    }

    /// Polls `GET /health` until it answers 200; fails with the log tail if the process exits
    /// or `timeout` passes.
    func waitUntilHealthy(timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        var last = "no answer"
        while ContinuousClock.now < deadline {
            if let status = terminationStatus {
                throw EndToEndError("worker \(name) exited with status \(status) before becoming healthy\n\(logTail())")
            }
            do {
                let response = try await rest.send(method: "GET", url: url + "/health", timeout: .seconds(5))
                if response.status == 200 { return }
                last = "HTTP \(response.status) \(String(decoding: response.body, as: UTF8.self))"
            } catch {
                last = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw EndToEndError("worker \(name) not healthy within \(timeout) (last: \(last))\n\(logTail())")
    }

    /// SIGTERM, then SIGKILL if the process has not exited within `gracePeriod`.
    /// - Returns: whether it exited by itself (gracefully) within the grace period.
    @discardableResult
    func terminate(gracePeriod: Duration = .seconds(20)) async -> Bool {
        guard isRunning else {
            stopped.store(true, ordering: .releasing)
            return true
        }
        _ = Glibc.kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + gracePeriod
        while ContinuousClock.now < deadline, isRunning {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if !isRunning {
            stopped.store(true, ordering: .releasing)
            return true
        }
        await kill()
        return false
    }

    /// SIGKILL (kill -9), then waits until the process is gone.
    func kill() async {
        if isRunning { _ = Glibc.kill(pid, SIGKILL) }
        while isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        stopped.store(true, ordering: .releasing)
    }

    // MARK: Logs

    func log() -> String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    func logTail(lines: Int = 40) -> String {
        let tail = log().split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
        return "---- \(name) (\(workerId)) log tail, \(logFile.path) ----\n\(tail)\n---- end of \(name) log ----"
    }

    // MARK: REST

    /// Sends a request to this worker. A transport failure of a worker that has exited is
    /// reported with its log tail.
    func request(_ method: String, _ path: String, body: [UInt8]? = nil, timeout: Duration = .seconds(30)) async throws -> HTTPResult {
        do {
            let response = try await rest.send(method: method, url: url + path, body: body, timeout: timeout)
            return HTTPResult(method: method, path: path, status: response.status, headers: response.headers, body: response.body)
        } catch {
            if let status = terminationStatus {
                throw EndToEndError("\(method) \(path) to worker \(name) failed: it exited with status \(status)\n\(logTail())")
            }
            throw EndToEndError("\(method) \(path) to worker \(name) failed: \(error)")
        }
    }

    func request(_ method: String, _ path: String, json: Any) async throws -> HTTPResult {
        try await request(method, path, body: try jsonBytes(json))
    }

    func get(_ path: String) async throws -> HTTPResult { try await request("GET", path) }

    /// The status of a connector, or `nil` if the worker answers 404.
    func status(_ connector: String) async throws -> ConnectorStatusView? {
        let response = try await get("/connectors/\(connector)/status")
        if response.status == 404 { return nil }
        guard response.status == 200, let object = response.object else {
            throw EndToEndError("unexpected status response: \(response)")
        }
        return try ConnectorStatusView(object, raw: response.text)
    }

    /// Polls the status of `connector` until `condition` holds.
    @discardableResult
    func waitForStatus(
        _ connector: String, timeout: Duration = .seconds(30), _ what: String,
        until condition: (ConnectorStatusView) -> Bool
    ) async throws -> ConnectorStatusView {
        do {
            return try await eventually("\(connector) on \(name): \(what)", timeout: timeout) {
                guard let status = try await self.status(connector) else { return .notYet("404 (connector not found)") }
                return condition(status) ? .done(status) : .notYet(status.raw)
            }
        } catch let error as EndToEndError {
            // Say whether the herder still works its request queue (a stuck herder explains a lot).
            let health = (try? await request("GET", "/health", timeout: .seconds(15)).description) ?? "no answer"
            let tasks = (try? await get("/connectors/\(connector)/tasks").description) ?? "no answer"
            throw EndToEndError("\(error.description)\nHealth now: \(health)\nTask configs now: \(tasks)")
        }
    }

    /// Creates a connector with `POST /connectors` and returns the response (whatever its status).
    func createConnector(_ name: String, config: [String: String], initialState: String? = nil) async throws -> HTTPResult {
        var body: [String: Any] = ["name": name, "config": config]
        if let initialState { body["initial_state"] = initialState }
        return try await request("POST", "/connectors", json: body)
    }
}

// MARK: - A scope of workers

/// Starts workers and guarantees they all die at the end of ``withWorkers(_:_:)``; when the
/// body throws, prints every worker's log tail first.
final class WorkerGroup: Sendable {
    let cluster: KafkaTestCluster
    let rest = RestClient(logger: Logger(label: "e2e.rest"))
    private let workers = Mutex<[WorkerProcess]>([])
    private let counter = Atomic<Int>(0)

    init(cluster: KafkaTestCluster) { self.cluster = cluster }

    var all: [WorkerProcess] { workers.withLock { $0 } }

    /// Starts a worker; `settings` defaults to ``WorkerSettings/init(cluster:)``.
    func start(_ settings: WorkerSettings? = nil, port: Int? = nil) async throws -> WorkerProcess {
        let index = counter.add(1, ordering: .relaxed).newValue
        let worker = try await WorkerProcess.start(
            name: "worker\(index)", settings: settings ?? WorkerSettings(cluster: cluster), port: port, rest: rest)
        workers.withLock { $0.append(worker) }
        return worker
    }

    func killAll() async {
        for worker in all { await worker.kill() }
    }

    func printLogs() {
        for worker in all { print(worker.logTail(lines: 80)) }
    }

    func removeDirectories() {
        for worker in all { try? FileManager.default.removeItem(at: worker.directory) }
    }
}

/// Runs `body` with a fresh broker and a ``WorkerGroup``; kills every worker afterwards. On
/// failure (a thrown error) the worker logs are printed and their directories kept; set
/// `E2E_KEEP_WORKER_LOGS=1` to keep them after passing tests too (an `#expect` that fails does
/// not throw).
func withWorkers<T>(_ body: (WorkerGroup) async throws -> T) async throws -> T {
    try await withKafkaTestCluster { cluster in try await withWorkerGroup(on: cluster, body) }
}

/// ``withWorkers(_:)`` on a broker the caller started (for tests that need more than one).
func withWorkerGroup<T>(on cluster: KafkaTestCluster, _ body: (WorkerGroup) async throws -> T) async throws -> T {
    let group = WorkerGroup(cluster: cluster)
    do {
        let result = try await body(group)
        await group.killAll()
        if ProcessInfo.processInfo.environment["E2E_KEEP_WORKER_LOGS"] == nil {
            group.removeDirectories()
        } else {
            for worker in group.all { print("Kept \(worker.name) log: \(worker.logFile.path)") }
        }
        return result
    } catch {
        print("End-to-end test failed: \(error)")
        group.printLogs()
        await group.killAll()
        throw error
    }
}


// MARK: - HTTP results and JSON

/// A worker's answer to one request.
struct HTTPResult: Sendable, CustomStringConvertible {
    var method: String
    var path: String
    var status: Int
    /// Names lower-cased.
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: Any? { body.isEmpty ? nil : try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) }
    var object: [String: Any]? { json as? [String: Any] }
    var array: [Any]? { json as? [Any] }

    var description: String { "\(method) \(path) -> HTTP \(status) \(text)" }

    /// True if this is Connect's error body `{"error_code": status, "message": non-empty}`.
    var isConnectError: Bool {
        guard let object, object.count == 2, let code = object["error_code"] as? Int, code == status,
              let message = object["message"] as? String, !message.isEmpty else { return false }
        return true
    }

    var errorMessage: String? { object?["message"] as? String }
}

func jsonBytes(_ value: Any) throws -> [UInt8] {
    Array(try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]))
}

/// A `[String: String]` from a JSON object whose values are all strings.
func stringMap(_ value: Any?) -> [String: String]? {
    guard let object = value as? [String: Any] else { return nil }
    var result: [String: String] = [:]
    for (key, value) in object {
        guard let string = value as? String else { return nil }
        result[key] = string
    }
    return result
}

/// `GET /connectors/{c}/status`, parsed.
struct ConnectorStatusView: Sendable {
    struct TaskState: Sendable, Hashable {
        var id: Int
        var state: String
        var workerId: String
        var trace: String?
    }

    var name: String
    var state: String
    var workerId: String
    var trace: String?
    var tasks: [TaskState]
    var type: String
    var raw: String

    init(_ object: [String: Any], raw: String) throws {
        guard let name = object["name"] as? String,
              let connector = object["connector"] as? [String: Any],
              let state = connector["state"] as? String,
              let workerId = connector["worker_id"] as? String,
              let tasks = object["tasks"] as? [[String: Any]],
              let type = object["type"] as? String else {
            throw EndToEndError("status body has not the shape {name, connector:{state, worker_id}, tasks, type}: \(raw)")
        }
        self.name = name
        self.state = state
        self.workerId = workerId
        self.trace = connector["trace"] as? String
        self.type = type
        self.raw = raw
        self.tasks = try tasks.map { task in
            guard let id = task["id"] as? Int, let state = task["state"] as? String, let workerId = task["worker_id"] as? String else {
                throw EndToEndError("task status has not the shape {id, state, worker_id}: \(raw)")
            }
            return TaskState(id: id, state: state, workerId: workerId, trace: task["trace"] as? String)
        }
    }

    /// The connector and exactly `taskCount` tasks (ids 0..<taskCount) are all in `state`.
    func all(_ state: String, taskCount: Int) -> Bool {
        self.state == state && tasks.count == taskCount && tasks.allSatisfy { $0.state == state }
            && Set(tasks.map(\.id)) == Set(0..<taskCount)
    }

    /// Number of tasks per worker id.
    var tasksPerWorker: [String: Int] {
        tasks.reduce(into: [:]) { $0[$1.workerId, default: 0] += 1 }
    }
}

// MARK: - Polling

/// What a polling probe saw: done with a value, or not yet (with what it saw instead).
enum Probe<T> {
    case done(T)
    case notYet(String)
}

/// Calls `probe` every `interval` until it is done, and returns its value. On timeout throws
/// with `what` and the last observation (or error) of the probe.
func eventually<T>(
    _ what: String, timeout: Duration = .seconds(30), interval: Duration = .milliseconds(200),
    _ probe: () async throws -> Probe<T>
) async throws -> T {
    let start = ContinuousClock.now
    var last = "never probed"
    while true {
        do {
            switch try await probe() {
            case .done(let value): return value
            case .notYet(let observation): last = observation
            }
        } catch let error as EndToEndError where error.description.contains("exited with status") {
            throw error
        } catch {
            last = "error: \(error)"
        }
        if ContinuousClock.now - start > timeout {
            throw EndToEndError("Timed out after \(timeout) waiting for: \(what)\nLast observed: \(last)")
        }
        try await Task.sleep(for: interval)
    }
}

/// ``eventually(_:timeout:interval:_:)`` for a plain condition.
func eventually(
    _ what: String, timeout: Duration = .seconds(30), interval: Duration = .milliseconds(200),
    _ condition: () async throws -> Bool
) async throws {
    let _: Bool = try await eventually(what, timeout: timeout, interval: interval) {
        try await condition() ? .done(true) : .notYet("condition false")
    }
}

// MARK: - Kafka topics

/// Creates a topic with replication factor 1.
func createTopic(_ cluster: KafkaTestCluster, _ name: String, partitions: Int32 = 1, configs: [String: String] = [:]) async throws {
    let admin = try KafkaAdminClient(configuration: ["bootstrap.servers": cluster.bootstrapServers])
    let failures = try await admin.createTopics([
        NewTopic(name: name, numPartitions: partitions, replicationFactor: 1, configs: configs),
    ])
    await admin.close()
    if let failure = failures[name] { throw failure }
}

/// The end offsets (high watermarks) of every partition of `topic`.
func endOffsets(_ cluster: KafkaTestCluster, _ topic: String) async throws -> [TopicPartition: Int64] {
    let admin = try KafkaAdminClient(configuration: ["bootstrap.servers": cluster.bootstrapServers])
    let description = try await admin.describeTopics([topic])
    await admin.close()
    guard let partitions = description.first?.partitions, !partitions.isEmpty else {
        throw EndToEndError("topic \(topic) not found")
    }
    let consumer = try KafkaConsumer(configuration: ["bootstrap.servers": cluster.bootstrapServers])
    var result: [TopicPartition: Int64] = [:]
    do {
        for partition in partitions {
            let tp = TopicPartition(topic: topic, partition: partition.id)
            result[tp] = try await consumer.watermarks(tp, timeout: .seconds(10)).high
        }
    } catch {
        await consumer.close()
        throw error
    }
    await consumer.close()
    return result
}

/// The end offsets of `topic` once they stopped moving for half a second (noida-db's high
/// watermark lags acknowledged records a little).
func settledEndOffsets(_ cluster: KafkaTestCluster, _ topic: String, timeout: Duration = .seconds(20)) async throws -> [TopicPartition: Int64] {
    let deadline = ContinuousClock.now + timeout
    var previous = try await endOffsets(cluster, topic)
    while true {
        try await Task.sleep(for: .milliseconds(500))
        let current = try await endOffsets(cluster, topic)
        if current == previous { return current }
        guard ContinuousClock.now < deadline else {
            throw EndToEndError("\(topic) did not stop growing within \(timeout): \(current)")
        }
        previous = current
    }
}

/// Total number of records written to `topic` (sum of end offsets).
func recordCount(_ cluster: KafkaTestCluster, _ topic: String) async throws -> Int64 {
    try await endOffsets(cluster, topic).values.reduce(0, +)
}

/// Reads every record of `topic` from `from` (default: the beginning) up to the end offsets
/// seen when the call starts.
func readTopic(
    _ cluster: KafkaTestCluster, _ topic: String, from start: [TopicPartition: Int64]? = nil,
    timeout: Duration = .seconds(20), caller: String = #fileID, line: Int = #line
) async throws -> [ConsumerRecord] {
    let ends = try await endOffsets(cluster, topic)
    var positions: [TopicPartition: Int64] = [:]
    for (tp, _) in ends { positions[tp] = start?[tp] ?? 0 }
    let pending = ends.filter { positions[$0.key, default: 0] < $0.value }
    guard !pending.isEmpty else { return [] }
    let consumer = try KafkaConsumer(configuration: [
        "bootstrap.servers": cluster.bootstrapServers, "enable.auto.commit": "false", "auto.offset.reset": "earliest",
    ])
    var records: [ConsumerRecord] = []
    do {
        try await consumer.assign(pending.reduce(into: [:]) { result, entry in
            result[entry.key] = start?[entry.key].map { KafkaOffset.offset($0) } ?? .beginning
        })
        let deadline = ContinuousClock.now + timeout
        while pending.contains(where: { positions[$0.key, default: 0] < $0.value }) {
            guard ContinuousClock.now < deadline else {
                throw EndToEndError("Timed out reading \(topic) (for \(caller):\(line)): at \(positions), end offsets \(ends)")
            }
            for record in try await consumer.poll(timeout: .milliseconds(200)) {
                records.append(record)
                positions[record.topicPartition] = max(positions[record.topicPartition, default: 0], record.offset + 1)
            }
        }
    } catch {
        await consumer.close()
        throw error
    }
    await consumer.close()
    return records.filter { record in ends[record.topicPartition].map { record.offset < $0 } ?? false }
}

/// The records of `topic` whose (producer-set) timestamp is later than `millis` since the
/// epoch, described with how much later.
func recordsCreated(after millis: Int64, _ cluster: KafkaTestCluster, _ topic: String) async throws -> [String] {
    try await readTopic(cluster, topic).filter { $0.timestamp > millis }.map { record in
        "\(values([record]).first ?? "null") (+\(record.timestamp - millis) ms)"
    }
}

/// The values of `records` as strings.
func values(_ records: [ConsumerRecord]) -> [String] {
    records.compactMap { $0.value.map { String(decoding: $0, as: UTF8.self) } }
}

/// Sequence numbers written by task `task` of a SequenceSource (`task-<task>-<seq>` values).
func sequenceNumbers(_ values: [String], task: Int) -> [Int64] {
    let prefix = "task-\(task)-"
    return values.compactMap { $0.hasPrefix(prefix) ? Int64($0.dropFirst(prefix.count)) : nil }
}

/// A SequenceSource config.
func sequenceConfig(topic: String, tasks: Int, pollIntervalMs: Int = 50, recordsPerPoll: Int = 5, extra: [String: String] = [:]) -> [String: String] {
    var config = [
        "connector.class": sequenceSourceClass,
        "tasks.max": String(tasks),
        "topic": topic,
        "poll.interval.ms": String(pollIntervalMs),
        "records.per.poll": String(recordsPerPoll),
    ]
    config.merge(extra) { _, override in override }
    return config
}
