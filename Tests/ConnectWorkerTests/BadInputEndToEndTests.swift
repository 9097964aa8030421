import ConnectRuntime
import Foundation
import Kafka
import KafkaTestSupport
import Testing

/// Bad requests to a real worker: each gets the right 4xx with Connect's error body, the
/// worker stays healthy, and nothing half-written reaches the config topic.
@Suite(.serialized, .timeLimit(.minutes(3))) struct BadInputEndToEndTests {
    @Test func badRequestsAreRejectedAndLeaveNoTrace() async throws {
        try await withWorkers { group in
            let cluster = group.cluster
            let settings = WorkerSettings(cluster: cluster)
            try await createTopic(cluster, "good")
            let worker = try await group.start()

            let goodConfig = sequenceConfig(topic: "good", tasks: 1, pollIntervalMs: 200)
            let good = try await worker.createConnector("good", config: goodConfig)
            try #require(good.status == 201, "\(good)")
            try await worker.waitForStatus("good", "RUNNING") { $0.all("RUNNING", taskCount: 1) }

            /// Sends a request and checks the status and the error body.
            func expectRejected(
                _ method: String, _ path: String, body: [UInt8]?, status: Int, message: String? = nil,
                sourceLocation: SourceLocation = #_sourceLocation
            ) async throws {
                let response = try await worker.request(method, path, body: body)
                #expect(response.status == status, "\(response)", sourceLocation: sourceLocation)
                #expect(response.isConnectError, "not {error_code: \(status), message: non-empty}: \(response)", sourceLocation: sourceLocation)
                if let message {
                    #expect(response.errorMessage == message, "\(response)", sourceLocation: sourceLocation)
                }
                #expect(response.headers["content-type"]?.hasPrefix("application/json") == true,
                        "content type \(response.headers["content-type"] ?? "none") for \(method) \(path)", sourceLocation: sourceLocation)
            }
            func create(_ name: String, _ config: [String: String]) throws -> [UInt8] {
                try jsonBytes(["name": name, "config": config])
            }

            // Malformed and mis-shaped bodies.
            try await expectRejected("POST", "/connectors", body: Array(#"{"name": "broken", "config": {"#.utf8), status: 400)
            try await expectRejected("POST", "/connectors", body: Array("not json at all".utf8), status: 400)
            try await expectRejected("POST", "/connectors", body: Array("[]".utf8), status: 400)
            try await expectRejected("POST", "/connectors", body: try jsonBytes(["name": "no-config"]), status: 400)
            try await expectRejected("PUT", "/connectors/good/config", body: Array("{".utf8), status: 400)
            try await expectRejected("PATCH", "/connectors/good/offsets", body: Array("{]".utf8), status: 400)

            // Invalid connector configs.
            var noClass = goodConfig
            noClass.removeValue(forKey: "connector.class")
            try await expectRejected("POST", "/connectors", body: try create("no-class", noClass), status: 400)
            var unknownClass = goodConfig
            unknownClass["connector.class"] = "com.example.NoSuchConnector"
            try await expectRejected("POST", "/connectors", body: try create("unknown-class", unknownClass), status: 400)
            for tasksMax in ["-1", "0", "abc", ""] {
                var badTasks = goodConfig
                badTasks["tasks.max"] = tasksMax
                try await expectRejected("POST", "/connectors", body: try create("bad-tasks", badTasks), status: 400)
                try await expectRejected("PUT", "/connectors/good/config", body: try jsonBytes(badTasks.merging(["name": "good"]) { _, b in b }), status: 400)
            }
            var missingTopic = goodConfig
            missingTopic.removeValue(forKey: "topic")
            try await expectRejected("POST", "/connectors", body: try create("no-topic", missingTopic), status: 400)

            // The name in the config must match.
            try await expectRejected("PUT", "/connectors/good/config", body: try jsonBytes(goodConfig.merging(["name": "other"]) { _, b in b }), status: 400)
            try await expectRejected("POST", "/connectors", body: try create("renamed", goodConfig.merging(["name": "other-name"]) { _, b in b }), status: 400)
            try await expectRejected("PATCH", "/connectors/good/config", body: try jsonBytes(["name": "other"]), status: 400)

            // Duplicates and unknown connectors and tasks.
            try await expectRejected("POST", "/connectors", body: try create("good", goodConfig), status: 409, message: "Connector good already exists")
            for (method, path) in [
                ("GET", "/connectors/nope"), ("GET", "/connectors/nope/config"),
                ("GET", "/connectors/nope/tasks"), ("GET", "/connectors/nope/offsets"), ("PUT", "/connectors/nope/pause"),
                ("PUT", "/connectors/nope/resume"), ("PUT", "/connectors/nope/stop"), ("POST", "/connectors/nope/restart"),
                ("DELETE", "/connectors/nope"),
            ] {
                try await expectRejected(method, path, body: nil, status: 404, message: "Connector nope not found")
            }
            // Statuses come from the status topic (Apache's AbstractHerder wording).
            try await expectRejected("GET", "/connectors/nope/status", body: nil, status: 404, message: "No status found for connector nope")
            try await expectRejected("GET", "/connectors/good/tasks/99/status", body: nil, status: 404, message: "No status found for task good-99")
            try await expectRejected("POST", "/connectors/good/tasks/99/restart", body: nil, status: 404, message: "Unknown task: good-99")
            try await expectRejected("GET", "/connectors/nope/tasks/0/status", body: nil, status: 404, message: "No status found for task nope-0")

            // Unknown paths and methods.
            try await expectRejected("GET", "/no/such/path", body: nil, status: 404)
            try await expectRejected("DELETE", "/connectors", body: nil, status: 405)

            // A body over the 10 MiB limit.
            let huge = try jsonBytes(["name": "huge", "config": goodConfig.merging(["padding": String(repeating: "x", count: 11 << 20)]) { _, b in b }])
            try await expectRejected("POST", "/connectors", body: huge, status: 413)

            // Still healthy, the good connector untouched, and a new valid connector works.
            let health = try await worker.get("/health")
            #expect(health.status == 200, "\(health)")
            #expect(worker.isRunning)
            let goodNow = try await worker.get("/connectors/good/config")
            #expect(stringMap(goodNow.json) == goodConfig.merging(["name": "good"]) { a, _ in a }, "\(goodNow)")
            let listed = try await worker.get("/connectors")
            #expect((listed.array as? [String]) == ["good"], "\(listed)")
            let after = try await worker.createConnector("after", config: sequenceConfig(topic: "good", tasks: 1, pollIntervalMs: 200))
            #expect(after.status == 201, "\(after)")
            try await worker.waitForStatus("after", "RUNNING") { $0.all("RUNNING", taskCount: 1) }
            try await worker.waitForStatus("good", "still RUNNING") { $0.all("RUNNING", taskCount: 1) }

            // The config topic holds only well-formed records, and only of the two valid connectors.
            let records = try await readTopic(cluster, settings.configTopic)
            #expect(!records.isEmpty)
            var connectorNames: Set<String> = []
            for record in records {
                let keyText = record.key.map { String(decoding: $0, as: UTF8.self) } ?? "<null key>"
                let key: ConfigRecordKey
                do {
                    key = try ConfigRecordKey(parsing: keyText)
                } catch {
                    Issue.record("config topic key '\(keyText)' at offset \(record.offset) is not a valid key: \(error)")
                    continue
                }
                switch key {
                case .connector(let name), .targetState(let name), .tasksCommit(let name), .restartRequest(let name), .taskCount(let name):
                    connectorNames.insert(name)
                case .task(let task):
                    connectorNames.insert(task.connector)
                case .sessionKey, .loggerLevel:
                    break
                }
                guard let value = record.value else {
                    Issue.record("unexpected tombstone for '\(keyText)' (no connector was deleted)")
                    continue
                }
                do {
                    try decodeConfigValue(key, value)
                } catch {
                    Issue.record("config topic value of '\(keyText)' does not decode: \(error): \(String(decoding: value, as: UTF8.self))")
                }
            }
            #expect(connectorNames == ["good", "after"], "config topic names connectors \(connectorNames.sorted())")
        }
    }
}

/// Decodes a config-topic value with the runtime's codec for its key.
func decodeConfigValue(_ key: ConfigRecordKey, _ value: [UInt8]) throws {
    switch key {
    case .connector, .task: _ = try ConfigurationRecord(decoding: value)
    case .tasksCommit: _ = try TasksCommitRecord(decoding: value)
    case .targetState: _ = try TargetState(decoding: value)
    case .restartRequest: _ = try RestartRequestRecord(decoding: value)
    case .taskCount: _ = try TaskCountRecord(decoding: value)
    case .sessionKey: _ = try SessionKey(decoding: value)
    case .loggerLevel: _ = try LoggerLevelRecord(decoding: value)
    }
}

extension BadInputEndToEndTests {
    /// A `group.id` already used by a consumer group is a fatal group error: the worker says so
    /// and exits non-zero instead of serving REST without ever joining.
    @Test func aGroupIdTakenByAConsumerGroupStopsTheWorker() async throws {
        try await withKafkaTestCluster { cluster in
            let groupId = "taken-\(UUID().uuidString.prefix(8))"
            try await createTopic(cluster, "consumed")
            let consumer = try KafkaConsumer(configuration: KafkaConfiguration([
                "bootstrap.servers": cluster.bootstrapServers, "group.id": groupId, "auto.offset.reset": "earliest",
            ]))
            try await consumer.subscribe(topics: ["consumed"])
            let joined = ContinuousClock.now + .seconds(20)
            while try await consumer.assignment().isEmpty, ContinuousClock.now < joined {
                _ = try await consumer.poll(timeout: .milliseconds(200))
            }
            try #require(try await consumer.assignment().isEmpty == false, "the consumer group never formed")

            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(workerDirectoryPrefix)-taken-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            var settings = WorkerSettings(cluster: cluster)
            settings.groupId = groupId
            let file = directory.appendingPathComponent("worker.properties")
            try settings.properties(port: try freeLoopbackPort()).map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
                .write(to: file, atomically: true, encoding: .utf8)
            let started = ContinuousClock.now
            let result = try await runConnectWorker(["distributed", file.path], timeout: .seconds(45))
            let ran = ContinuousClock.now - started
            await consumer.close()
            // Past the timeout the helper sends SIGTERM, after which a worker exits 0.
            #expect(ran < .seconds(40) && result.status != 0, "the worker kept running (\(ran)): \(result.stderr.suffix(2000))")
            #expect(result.stderr.contains("INCONSISTENT_GROUP_PROTOCOL"), "\(result.stderr.suffix(2000))")
        }
    }
}
