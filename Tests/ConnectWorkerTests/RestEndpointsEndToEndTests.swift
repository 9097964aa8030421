import ConnectRuntime
import Foundation
import Kafka
import KafkaTestSupport
import Testing

/// The REST endpoints the lifecycle tests do not cover, against one real worker: PATCH,
/// expansions, `tasks-config`, plugins and validation, log levels for the worker and for the
/// cluster, and the connector settings this runtime refuses.
@Suite(.serialized, .timeLimit(.minutes(4))) struct RestEndpointsEndToEndTests {
    @Test func endpointsOfARealWorker() async throws {
        try await withWorkers { group in
            let cluster = group.cluster
            try await createTopic(cluster, "rest")
            var settings = WorkerSettings(cluster: cluster)
            settings.extra["connector.client.config.override.policy"] = "Principal"
            let worker = try await group.start(settings)

            // PATCH: a value sets, null removes; the tasks get the patched config.
            let config = sequenceConfig(topic: "rest", tasks: 2, extra: ["max.records": "1000000"])
            #expect(try await worker.createConnector("patched", config: config).status == 201)
            try await worker.waitForStatus("patched", "RUNNING") { $0.all("RUNNING", taskCount: 2) }
            let patch = try await worker.request("PATCH", "/connectors/patched/config", body: Array(#"{"max.records":null,"records.per.poll":"3"}"#.utf8))
            #expect(patch.status == 200, "\(patch)")
            var expected = config.merging(["name": "patched", "records.per.poll": "3"]) { _, new in new }
            expected["max.records"] = nil
            #expect(stringMap(patch.object?["config"]) == expected, "\(patch)")
            #expect(stringMap(try await worker.get("/connectors/patched/config").json) == expected)
            try await eventually("task configs patched") {
                let tasks = try await taskConfigs(worker, "patched")
                return tasks.count == 2 && tasks.allSatisfy { $0.config["records.per.poll"] == "3" && $0.config["max.records"] == nil }
            }
            let patchName = try await worker.request("PATCH", "/connectors/patched/config", body: Array(#"{"name":"other"}"#.utf8))
            #expect(patchName.status == 400 && patchName.isConnectError, "\(patchName)")
            let patchUnknown = try await worker.request("PATCH", "/connectors/nope/config", body: Array(#"{"a":"b"}"#.utf8))
            #expect(patchUnknown.status == 404 && patchUnknown.errorMessage == "Connector nope not found", "\(patchUnknown)")

            // Expansions: status and info per connector; unknown kinds ignored.
            try await worker.waitForStatus("patched", "RUNNING after the patch") { $0.all("RUNNING", taskCount: 2) }
            let expanded = try await worker.get("/connectors?expand=status&expand=info&expand=bogus")
            #expect(expanded.status == 200, "\(expanded)")
            let entry = try #require(expanded.object?["patched"] as? [String: Any], "\(expanded)")
            #expect(Set(entry.keys) == ["status", "info"], "\(expanded)")
            let expandedStatus = try ConnectorStatusView(try #require(entry["status"] as? [String: Any]), raw: expanded.text)
            #expect(expandedStatus.all("RUNNING", taskCount: 2) && expandedStatus.workerId == worker.workerId, "\(expanded)")
            let info = try #require(entry["info"] as? [String: Any])
            #expect(info["name"] as? String == "patched" && stringMap(info["config"]) == expected, "\(expanded)")
            #expect((info["tasks"] as? [[String: Any]])?.count == 2 && info["type"] as? String == "source", "\(expanded)")
            let onlyInfo = try await worker.get("/connectors?expand=info")
            #expect((onlyInfo.object?["patched"] as? [String: Any]).map { Set($0.keys) } == ["info"], "\(onlyInfo)")

            // tasks-config (deprecated): task configs by task id.
            let tasksConfig = try await worker.get("/connectors/patched/tasks-config")
            #expect(tasksConfig.status == 200, "\(tasksConfig)")
            let byId = try #require(tasksConfig.object, "\(tasksConfig)")
            #expect(Set(byId.keys) == ["patched-0", "patched-1"], "\(tasksConfig)")
            #expect(stringMap(byId["patched-1"])?["task.index"] == "1", "\(tasksConfig)")
            #expect(stringMap(byId["patched-0"])?["task.class"] == "io.swiftconnect.connectors.SequenceSourceTask", "\(tasksConfig)")
            #expect(try await worker.get("/connectors/nope/tasks-config").status == 404)

            // Plugins: connectors by default, everything with connectorsOnly=false.
            let connectorsOnly = try #require(try await worker.get("/connector-plugins").array as? [[String: Any]])
            let classes = Set(connectorsOnly.compactMap { $0["class"] as? String })
            #expect(classes.isSuperset(of: [sequenceSourceClass, fileStreamSinkClass, "org.apache.kafka.connect.mirror.MirrorSourceConnector"]), "\(classes)")
            let all = try #require(try await worker.get("/connector-plugins?connectorsOnly=false").array as? [[String: Any]])
            #expect(all.contains { $0["class"] as? String == "org.apache.kafka.connect.json.JsonConverter" && $0["type"] as? String == "converter" }, "\(all)")
            let definition = try await worker.get("/connector-plugins/\(sequenceSourceClass)/config")
            #expect(definition.status == 200, "\(definition)")
            let keys = try #require(definition.array as? [[String: Any]], "\(definition)")
            let names = keys.compactMap { $0["name"] as? String }
            #expect(names.starts(with: ["name", "connector.class", "tasks.max"]), "\(names)")
            #expect(names.contains("topic") && names.contains("records.per.poll"), "\(names)")
            let topicKey = try #require(keys.first { $0["name"] as? String == "topic" })
            #expect(topicKey["type"] as? String == "STRING" && topicKey["required"] as? Bool == true, "\(topicKey)")
            let unknownPlugin = try await worker.get("/connector-plugins/com.example.Nope/config")
            #expect(unknownPlugin.status == 404 && unknownPlugin.isConnectError, "\(unknownPlugin)")

            // Validate: a valid config has no errors; each problem is reported on its property.
            let validPath = "/connector-plugins/SequenceSourceConnector/config/validate"
            let valid = try await worker.request("PUT", validPath, json: sequenceConfig(topic: "rest", tasks: 1).merging(["name": "v"]) { a, _ in a })
            #expect(valid.status == 200 && valid.object?["error_count"] as? Int == 0, "\(valid)")
            #expect(valid.object?["name"] as? String == sequenceSourceClass, "\(valid)")
            var invalidConfig = sequenceConfig(topic: "rest", tasks: 1)
            invalidConfig["name"] = "v"
            invalidConfig["tasks.max"] = "0"
            invalidConfig["topic"] = nil
            invalidConfig["transforms"] = "route"
            invalidConfig["errors.tolerance"] = "all"
            invalidConfig["producer.override.linger.ms"] = "5"
            invalidConfig["producer.override.security.protocol"] = "PLAINTEXT"
            let invalid = try await worker.request("PUT", validPath, json: invalidConfig)
            #expect(invalid.status == 200, "\(invalid)")
            let errors = validationErrors(invalid)
            #expect(invalid.object?["error_count"] as? Int == 5, "\(invalid)")
            #expect(errors["tasks.max"]?.first?.contains("Value must be at least 1") == true, "\(errors)")
            #expect(errors["topic"]?.isEmpty == false, "\(errors)")
            #expect(errors["transforms"] == ["Transformations (single message transforms) are not supported by this runtime; 'transforms' must be empty"], "\(errors)")
            #expect(errors["errors.tolerance"]?.first?.contains("'errors.tolerance' must be none") == true, "\(errors)")
            #expect(errors["producer.override.linger.ms"] == ["The 'Principal' policy does not allow 'linger.ms' to be overridden in the connector configuration."], "\(errors)")
            #expect(errors["producer.override.security.protocol"] == [], "\(errors)")
            let mismatch = try await worker.request("PUT", "/connector-plugins/FileStreamSinkConnector/config/validate", json: invalidConfig)
            #expect(mismatch.status == 400 && mismatch.isConnectError, "\(mismatch)")

            // The same problems refuse a create or an update (400, the property named), and
            // nothing is written.
            let refusedCreate = try await worker.createConnector("refused", config: sequenceConfig(topic: "rest", tasks: 1, extra: ["predicates": "isTombstone"]))
            #expect(refusedCreate.status == 400 && refusedCreate.isConnectError, "\(refusedCreate)")
            #expect(refusedCreate.errorMessage?.contains("'predicates' must be empty") == true, "\(refusedCreate)")
            let refusedOverride = try await worker.request("PUT", "/connectors/patched/config", json: expected.merging(["producer.override.acks": "1"]) { _, new in new })
            #expect(refusedOverride.status == 400 && refusedOverride.errorMessage?.contains("does not allow 'acks' to be overridden") == true, "\(refusedOverride)")
            let refusedTopicCreation = try await worker.request("PATCH", "/connectors/patched/config", body: Array(#"{"topic.creation.default.partitions":"3"}"#.utf8))
            #expect(refusedTopicCreation.status == 400 && refusedTopicCreation.errorMessage?.contains("'topic.creation.default.partitions'") == true, "\(refusedTopicCreation)")
            #expect(try await worker.get("/connectors/refused").status == 404)
            #expect(stringMap(try await worker.get("/connectors/patched/config").json) == expected)
            let allowedOverride = try await worker.request("PATCH", "/connectors/patched/config", body: Array(#"{"producer.override.security.protocol":"PLAINTEXT"}"#.utf8))
            #expect(allowedOverride.status == 200, "\(allowedOverride)")
            try await worker.waitForStatus("patched", "RUNNING with the allowed override") { $0.all("RUNNING", taskCount: 2) }

            // Log levels of this worker.
            let loggers = try await worker.get("/admin/loggers")
            #expect(loggers.status == 200 && (loggers.object?["root"] as? [String: Any])?["level"] is String, "\(loggers)")
            let setWorker = try await worker.request("PUT", "/admin/loggers/connect-worker?scope=worker", json: ["level": "debug"])
            #expect(setWorker.status == 200 && (setWorker.array as? [String])?.contains("connect-worker") == true, "\(setWorker)")
            let workerLevel = try await worker.get("/admin/loggers/connect-worker")
            #expect(workerLevel.object?["level"] as? String == "DEBUG" && (workerLevel.object?["last_modified"] as? Int) != nil, "\(workerLevel)")
            let badLevel = try await worker.request("PUT", "/admin/loggers/connect-worker", json: ["level": "LOUD"])
            #expect(badLevel.status == 404 && badLevel.isConnectError, "\(badLevel)")
            let noLevel = try await worker.request("PUT", "/admin/loggers/connect-worker", json: [String: String]())
            #expect(noLevel.status == 400 && noLevel.isConnectError, "\(noLevel)")
            #expect(try await worker.get("/admin/loggers/no.such.logger").status == 404)

            // Log levels of the cluster: a logger-cluster-<namespace> record every worker applies.
            let configEnd = try await endOffsets(cluster, settings.configTopic)
            let setCluster = try await worker.request("PUT", "/admin/loggers/org.example.cluster?scope=cluster", json: ["level": "ERROR"])
            #expect(setCluster.status == 204 && setCluster.body.isEmpty, "\(setCluster)")
            let written = try await readTopic(cluster, settings.configTopic, from: configEnd).map { record in
                (record.key.map { String(decoding: $0, as: UTF8.self) }, record.value.map { String(decoding: $0, as: UTF8.self) })
            }
            #expect(written.contains { $0.0 == "logger-cluster-org.example.cluster" && $0.1 == #"{"level":"ERROR"}"# }, "\(written)")
            try await eventually("the worker applies the cluster level") { () -> Probe<Void> in
                let level = try await worker.get("/admin/loggers/org.example.cluster")
                return level.object?["level"] as? String == "ERROR" ? .done(()) : .notYet("\(level)")
            }
        }
    }

    /// A worker refuses at startup a worker setting it would otherwise ignore.
    @Test func unsupportedWorkerSettingsStopTheWorker() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(workerDirectoryPrefix)-refused-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, value, reason) in [
            ("config.providers", "file", "Invalid value [file] for configuration config.providers: config providers"),
            ("access.control.allow.origin", "*", "Invalid value * for configuration access.control.allow.origin: cross-origin (CORS) responses are not supported"),
            ("response.http.headers.config", "add X-Frame-Options: DENY",
             "Invalid value add X-Frame-Options: DENY for configuration response.http.headers.config: custom REST response headers are not supported"),
        ] {
            var properties = WorkerSettings(bootstrapServers: "127.0.0.1:1").properties(port: 1)
            properties[name] = value
            let file = directory.appendingPathComponent("\(name).properties")
            try properties.map { "\($0.key)=\($0.value)" }.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
            let result = try await runConnectWorker(["distributed", file.path], timeout: .seconds(30))
            #expect(result.status != 0, "\(name): \(result.stderr)")
            #expect(result.stderr.contains(reason), "\(result.stderr)")
        }
    }
}

/// The error messages of a validate response by property name (empty for properties without errors).
func validationErrors(_ response: HTTPResult) -> [String: [String]] {
    var result: [String: [String]] = [:]
    for config in (response.object?["configs"] as? [[String: Any]]) ?? [] {
        guard let value = config["value"] as? [String: Any], let name = value["name"] as? String else { continue }
        result[name] = (value["errors"] as? [String]) ?? []
    }
    return result
}
