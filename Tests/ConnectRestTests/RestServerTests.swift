import ConnectAPI
import ConnectRest
import ConnectRuntime
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// Routes, status codes and exact JSON bodies, driven through Hummingbird's in-process router.
@Suite struct RestServerRouteTests {
    static let sourceConfig = ["connector.class": "org.apache.kafka.connect.mirror.MirrorSourceConnector", "tasks.max": "2"]

    func withServer(
        _ herder: InMemoryHerder,
        configuration: RestServerConfiguration = RestServerConfiguration(
            listeners: ["http://127.0.0.1:0"], version: "3.9.0", commit: "abc123"),
        loggerLevels: LoggerLevels = LoggerLevels(clock: { 1_700_000_000_000 }),
        _ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let server = try RestServer(
            configuration: configuration, herder: herder, loggerLevels: loggerLevels, logger: Logger(label: "rest-test"))
        let application = Application(router: server.buildRouter())
        try await application.test(.router) { client in try await test(client) }
    }

    func herderWithConnector() -> InMemoryHerder {
        let herder = InMemoryHerder()
        herder.addConnector("mm2", config: Self.sourceConfig, tasks: 2)
        return herder
    }

    // MARK: Root and health

    @Test func rootReportsServerInfo() async throws {
        try await withServer(InMemoryHerder()) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(String(buffer: response.body) == #"{"version":"3.9.0","commit":"abc123","kafka_cluster_id":"cluster-1"}"#)
            }
        }
    }

    @Test func healthIsHealthyWhenTheHerderAnswers() async throws {
        try await withServer(InMemoryHerder()) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body)
                    == #"{"status":"healthy","message":"Worker has completed startup and is ready to handle requests."}"#)
            }
        }
    }

    @Test func healthIsStartingBeforeReadyAndUnhealthyAfter() async throws {
        let herder = InMemoryHerder()
        herder.update {
            $0.hanging = ["healthCheck"]
            $0.ready = false
            $0.stage = HerderStage(description: "reading to the end of the config topic", started: 0)
        }
        let configuration = RestServerConfiguration(listeners: ["http://127.0.0.1:0"], healthCheckTimeout: .milliseconds(100))
        try await withServer(herder, configuration: configuration) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body)
                    == #"{"status":"starting","message":"Worker is still starting up. The worker is currently reading to the end of the config topic, which began at 1970-01-01T00:00:00Z."}"#)
            }
            herder.update {
                $0.ready = true
                $0.stage = nil
            }
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .internalServerError)
                #expect(String(buffer: response.body)
                    == #"{"status":"unhealthy","message":"Worker was unable to handle this request and may be unable to handle other requests."}"#)
            }
        }
    }

    // MARK: Listing and creating

    @Test func listConnectorsAndExpansions() async throws {
        let herder = herderWithConnector()
        herder.addConnector("gone", config: Self.sourceConfig, tasks: 0)
        herder.update { $0.vanishing = ["gone"] }
        try await withServer(herder) { client in
            try await client.execute(uri: "/connectors", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"["mm2","gone"]"#)
            }
            try await client.execute(uri: "/connectors?expand=info&expand=bogus", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body)
                    == #"{"mm2":{"info":{"name":"mm2","config":{"connector.class":"org.apache.kafka.connect.mirror.MirrorSourceConnector","name":"mm2","tasks.max":"2"},"tasks":[{"connector":"mm2","task":0},{"connector":"mm2","task":1}],"type":"source"}}}"#)
            }
            try await client.execute(uri: "/connectors?expand=status", method: .get) { response in
                #expect(String(buffer: response.body)
                    == #"{"mm2":{"status":{"name":"mm2","connector":{"state":"RUNNING","worker_id":"worker-1:8083"},"tasks":[{"id":0,"state":"RUNNING","worker_id":"worker-1:8083"},{"id":1,"state":"FAILED","worker_id":"worker-1:8083","trace":"java.lang.RuntimeException: boom"}],"type":"source"}}}"#)
            }
        }
    }

    @Test func createConnector() async throws {
        let herder = InMemoryHerder()
        try await withServer(herder) { client in
            let body = #"{"name":" mm2 ","config":{"connector.class":"MirrorSourceConnector","tasks.max":2,"emit.heartbeats":true},"initial_state":"paused"}"#
            try await client.execute(
                uri: "/connectors", method: .post, headers: [HTTPField.Name("Host")!: "worker-1:8083"], body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == .created)
                // The router test framework sets the authority to "localhost"; live tests check the host.
                #expect(response.headers[.location] == "http://localhost/connectors/mm2")
                #expect(String(buffer: response.body)
                    == #"{"name":"mm2","config":{"connector.class":"MirrorSourceConnector","emit.heartbeats":"true","name":"mm2","tasks.max":"2"},"tasks":[{"connector":"mm2","task":0}],"type":"source"}"#)
            }
            #expect(herder.read { $0.initialStates["mm2"] } == .paused)
            try await client.execute(uri: "/connectors", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .conflict)
                #expect(String(buffer: response.body) == #"{"error_code":409,"message":"Connector mm2 already exists"}"#)
            }
        }
    }

    @Test func createConnectorRejectsBadInput() async throws {
        let herder = InMemoryHerder()
        try await withServer(herder) { client in
            try await client.execute(
                uri: "/connectors", method: .post,
                body: ByteBuffer(string: #"{"name":"a","config":{"name":"b","connector.class":"X"}}"#)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body)
                    == #"{"error_code":400,"message":"Connector name configuration (b) doesn't match connector name in the URL (a)"}"#)
            }
            try await client.execute(uri: "/connectors", method: .post, body: ByteBuffer(string: #"{"name":"a","config":{"#)) { response in
                #expect(response.status == .badRequest)
                let error = ErrorBody(response.body)
                #expect(error.code == 400)
                #expect(error.message.contains("not valid JSON"))
            }
            try await client.execute(uri: "/connectors", method: .post, body: ByteBuffer(string: #"{"name":"a","config":{}}"#)) { response in
                // Missing connector.class is the herder's validation; the REST layer maps it.
                #expect(response.status == .badRequest)
                #expect(ErrorBody(response.body).message.hasSuffix("contains no connector type"))
            }
            try await client.execute(
                uri: "/connectors", method: .post,
                body: ByteBuffer(string: #"{"name":"a","config":{"connector.class":"X"},"initial_state":"ASLEEP"}"#)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(ErrorBody(response.body).message == "Invalid initial_state 'ASLEEP'; expected one of RUNNING, PAUSED, STOPPED")
            }
            try await client.execute(
                uri: "/connectors", method: .post, body: ByteBuffer(string: #"{"name":"a","config":{"tasks.max":[1]}}"#)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(ErrorBody(response.body).message == "Field 'tasks.max' of the connector config must be a string, not an array")
            }
        }
        #expect(herder.read(\.names).isEmpty)
    }

    // MARK: One connector

    @Test func unknownConnectorIs404() async throws {
        try await withServer(InMemoryHerder()) { client in
            for uri in ["/connectors/nope", "/connectors/nope/config", "/connectors/nope/tasks"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound)
                    #expect(String(buffer: response.body) == #"{"error_code":404,"message":"Connector nope not found"}"#)
                }
            }
            // The status endpoints answer from the status topic, with Apache's AbstractHerder wording.
            try await client.execute(uri: "/connectors/nope/status", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body) == #"{"error_code":404,"message":"No status found for connector nope"}"#)
            }
            try await client.execute(uri: "/connectors/nope/tasks/0/status", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body) == #"{"error_code":404,"message":"No status found for task nope-0"}"#)
            }
        }
    }

    @Test func connectorInfoConfigAndEncodedNames() async throws {
        let herder = InMemoryHerder()
        herder.addConnector("a b/c", config: ["connector.class": "SomeSink"], tasks: 0)
        try await withServer(herder) { client in
            try await client.execute(uri: "/connectors/a%20b%2Fc", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body)
                    == #"{"name":"a b/c","config":{"connector.class":"SomeSink","name":"a b/c"},"tasks":[],"type":"sink"}"#)
            }
            try await client.execute(uri: "/connectors/a%20b%2Fc/config", method: .get) { response in
                #expect(String(buffer: response.body) == #"{"connector.class":"SomeSink","name":"a b/c"}"#)
            }
        }
    }

    @Test func putPatchAndDeleteConfig() async throws {
        let herder = InMemoryHerder()
        try await withServer(herder) { client in
            let config = ByteBuffer(string: #"{"connector.class":"MirrorSourceConnector","tasks.max":"1"}"#)
            try await client.execute(uri: "/connectors/mm2/config", method: .put, body: config) { response in
                #expect(response.status == .created)
                #expect(response.headers[.location]?.hasSuffix("/connectors/mm2") == true)
            }
            try await client.execute(uri: "/connectors/mm2/config", method: .put, body: config) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.location] == nil)
            }
            try await client.execute(
                uri: "/connectors/other/config", method: .put, body: ByteBuffer(string: #"{"name":"mm2","connector.class":"X"}"#)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(ErrorBody(response.body).message
                    == "Connector name configuration (mm2) doesn't match connector name in the URL (other)")
            }
            try await client.execute(
                uri: "/connectors/mm2/config", method: .patch, body: ByteBuffer(string: #"{"tasks.max":null,"topics":"a,b"}"#)
            ) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body)
                    == #"{"name":"mm2","config":{"connector.class":"MirrorSourceConnector","name":"mm2","topics":"a,b"},"tasks":[{"connector":"mm2","task":0}],"type":"source"}"#)
            }
            try await client.execute(uri: "/connectors/mm2", method: .delete) { response in
                #expect(response.status == .noContent)
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/connectors/mm2", method: .delete) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func statusTasksAndTaskStatus() async throws {
        try await withServer(herderWithConnector()) { client in
            try await client.execute(uri: "/connectors/mm2/status", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body)
                    == #"{"name":"mm2","connector":{"state":"RUNNING","worker_id":"worker-1:8083"},"tasks":[{"id":0,"state":"RUNNING","worker_id":"worker-1:8083"},{"id":1,"state":"FAILED","worker_id":"worker-1:8083","trace":"java.lang.RuntimeException: boom"}],"type":"source"}"#)
            }
            try await client.execute(uri: "/connectors/mm2/tasks/1/status", method: .get) { response in
                #expect(String(buffer: response.body)
                    == #"{"id":1,"state":"FAILED","worker_id":"worker-1:8083","trace":"java.lang.RuntimeException: boom"}"#)
            }
            try await client.execute(uri: "/connectors/mm2/tasks/x/status", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body) == #"{"error_code":404,"message":"HTTP 404 Not Found"}"#)
            }
            try await client.execute(uri: "/connectors/mm2/tasks", method: .get) { response in
                #expect(String(buffer: response.body)
                    == #"[{"id":{"connector":"mm2","task":0},"config":{"connector.class":"org.apache.kafka.connect.mirror.MirrorSourceConnector","task.id":"0"}},{"id":{"connector":"mm2","task":1},"config":{"connector.class":"org.apache.kafka.connect.mirror.MirrorSourceConnector","task.id":"1"}}]"#)
            }
            try await client.execute(uri: "/connectors/mm2/tasks-config", method: .get) { response in
                #expect(String(buffer: response.body)
                    == #"{"mm2-0":{"connector.class":"org.apache.kafka.connect.mirror.MirrorSourceConnector","task.id":"0"},"mm2-1":{"connector.class":"org.apache.kafka.connect.mirror.MirrorSourceConnector","task.id":"1"}}"#)
            }
        }
    }

    @Test func restartsPauseResumeStop() async throws {
        let herder = herderWithConnector()
        try await withServer(herder) { client in
            try await client.execute(uri: "/connectors/mm2/restart", method: .post) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/connectors/mm2/restart?includeTasks=true&onlyFailed=true", method: .post) { response in
                #expect(response.status == .accepted)
                #expect(String(buffer: response.body)
                    == #"{"name":"mm2","connector":{"state":"RUNNING","worker_id":"worker-1:8083"},"tasks":[{"id":0,"state":"RUNNING","worker_id":"worker-1:8083"},{"id":1,"state":"RESTARTING","worker_id":"worker-1:8083","trace":"java.lang.RuntimeException: boom"}],"type":"source"}"#)
            }
            try await client.execute(uri: "/connectors/mm2/tasks/0/restart", method: .post) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/connectors/mm2/tasks/7/restart", method: .post) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body) == #"{"error_code":404,"message":"Unknown task: mm2-7"}"#)
            }
            try await client.execute(uri: "/connectors/mm2/pause", method: .put) { response in
                #expect(response.status == .accepted)
                #expect(response.body.readableBytes == 0)
            }
            #expect(herder.read { $0.targetStates["mm2"] } == .paused)
            try await client.execute(uri: "/connectors/mm2/resume", method: .put) { response in
                #expect(response.status == .accepted)
            }
            try await client.execute(uri: "/connectors/mm2/stop", method: .put) { response in
                #expect(response.status == .noContent)
            }
            #expect(herder.read { $0.targetStates["mm2"] } == .stopped)
        }
    }

    // MARK: Offsets

    @Test func offsets() async throws {
        let herder = herderWithConnector()
        herder.update {
            $0.offsets["mm2"] = ConnectorOffsets(offsets: [
                ConnectorOffset(
                    partition: ["cluster": "primary", "topic": "t", "partition": 0],
                    offset: ["offset": 42])
            ])
        }
        try await withServer(herder) { client in
            try await client.execute(uri: "/connectors/mm2/offsets", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body)
                    == #"{"offsets":[{"partition":{"cluster":"primary","topic":"t","partition":0},"offset":{"offset":42}}]}"#)
            }
            try await client.execute(uri: "/connectors/mm2/offsets", method: .patch, body: ByteBuffer(string: #"{"offsets":[]}"#)) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body)
                    == #"{"error_code":400,"message":"Partitions / offsets need to be provided for an alter offsets request"}"#)
            }
            let alter = ByteBuffer(string: #"{"offsets":[{"partition":{"topic":"t","partition":1},"offset":null}]}"#)
            try await client.execute(uri: "/connectors/mm2/offsets", method: .patch, body: alter) { response in
                #expect(response.status == .badRequest)
                #expect(ErrorBody(response.body).message.hasPrefix("Connectors must be in the STOPPED state"))
            }
            herder.update { $0.targetStates["mm2"] = .stopped }
            try await client.execute(uri: "/connectors/mm2/offsets", method: .patch, body: alter) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"message":"The offsets for this connector have been altered successfully"}"#)
            }
            #expect(herder.read(\.lastAlteredOffsets)
                == ConnectorOffsets(offsets: [ConnectorOffset(partition: ["topic": "t", "partition": 1], offset: nil)]))
            try await client.execute(
                uri: "/connectors/mm2/offsets", method: .patch,
                body: ByteBuffer(string: #"{"offsets":[{"partition":{"topic":{"nested":1}},"offset":null}]}"#)
            ) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/connectors/mm2/offsets", method: .delete) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"message":"The offsets for this connector have been reset successfully"}"#)
            }
        }
    }

    // MARK: Plugins and validation

    @Test func pluginsAndValidation() async throws {
        let herder = InMemoryHerder()
        herder.update {
            $0.plugins = [
                PluginInfo(className: "org.apache.kafka.connect.mirror.MirrorSourceConnector", type: "source", version: "3.9.0"),
                PluginInfo(className: "org.apache.kafka.connect.transforms.Filter", type: "transformation", version: "undefined"),
            ]
        }
        try await withServer(herder) { client in
            try await client.execute(uri: "/connector-plugins", method: .get) { response in
                #expect(String(buffer: response.body)
                    == #"[{"class":"org.apache.kafka.connect.mirror.MirrorSourceConnector","type":"source","version":"3.9.0"}]"#)
            }
            try await client.execute(uri: "/connector-plugins?connectorsOnly=false", method: .get) { response in
                #expect(String(buffer: response.body)
                    == #"[{"class":"org.apache.kafka.connect.mirror.MirrorSourceConnector","type":"source","version":"3.9.0"},{"class":"org.apache.kafka.connect.transforms.Filter","type":"transformation"}]"#)
            }
            try await client.execute(uri: "/connector-plugins/org.apache.kafka.connect.mirror.MirrorSourceConnector/config", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body)
                    == #"[{"name":"name","type":"STRING","required":true,"default_value":null,"importance":"HIGH","documentation":"Globally unique name to use for this connector.","group":"Common","width":"MEDIUM","display_name":"Connector name","dependents":[],"order":1}]"#)
            }
            try await client.execute(uri: "/connector-plugins/Nope/config", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body) == #"{"error_code":404,"message":"Unknown plugin Nope."}"#)
            }
            try await client.execute(
                uri: "/connector-plugins/MirrorSource/config/validate", method: .put,
                body: ByteBuffer(string: #"{"connector.class":"org.apache.kafka.connect.mirror.MirrorSourceConnector","tasks.max":"4"}"#)
            ) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body)
                    == #"{"name":"org.apache.kafka.connect.mirror.MirrorSourceConnector","error_count":0,"groups":["Common"],"configs":[{"definition":{"name":"tasks.max","type":"INT","required":false,"default_value":"1","importance":"HIGH","documentation":"Maximum number of tasks to use for this connector.","group":"Common","width":"SHORT","display_name":"Tasks max","dependents":[],"order":3},"value":{"name":"tasks.max","value":"4","recommended_values":[],"errors":[],"visible":true}}]}"#)
            }
            try await client.execute(
                uri: "/connector-plugins/MirrorCheckpointConnector/config/validate", method: .put,
                body: ByteBuffer(string: #"{"connector.class":"MirrorSourceConnector"}"#)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body)
                    == #"{"error_code":400,"message":"Included connector type MirrorSourceConnector does not match request type MirrorCheckpointConnector"}"#)
            }
            try await client.execute(
                uri: "/connector-plugins/MirrorSourceConnector/config/validate", method: .put, body: ByteBuffer(string: #"{}"#)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(ErrorBody(response.body).message == "Connector config [:] contains no connector type")
            }
        }
    }

    // MARK: Topic tracking

    @Test func activeTopics() async throws {
        let herder = herderWithConnector()
        herder.update { $0.activeTopics["mm2"] = ["t1", "t2"] }
        try await withServer(herder) { client in
            try await client.execute(uri: "/connectors/mm2/topics", method: .get) { response in
                #expect(String(buffer: response.body) == #"{"mm2":{"topics":["t1","t2"]}}"#)
            }
            try await client.execute(uri: "/connectors/mm2/topics/reset", method: .put) { response in
                #expect(response.status == .accepted)
            }
        }
        let noReset = RestServerConfiguration(listeners: ["http://127.0.0.1:0"], topicTrackingResetEnabled: false)
        try await withServer(herder, configuration: noReset) { client in
            try await client.execute(uri: "/connectors/mm2/topics/reset", method: .put) { response in
                #expect(response.status == .forbidden)
                #expect(String(buffer: response.body) == #"{"error_code":403,"message":"Topic tracking reset is disabled."}"#)
            }
        }
        let disabled = RestServerConfiguration(listeners: ["http://127.0.0.1:0"], topicTrackingEnabled: false)
        try await withServer(herder, configuration: disabled) { client in
            for (uri, method) in [("/connectors/mm2/topics", HTTPRequest.Method.get), ("/connectors/mm2/topics/reset", .put)] {
                try await client.execute(uri: uri, method: method) { response in
                    #expect(response.status == .forbidden)
                    #expect(String(buffer: response.body) == #"{"error_code":403,"message":"Topic tracking is disabled."}"#)
                }
            }
        }
    }

    // MARK: Loggers

    @Test func adminLoggers() async throws {
        let herder = InMemoryHerder()
        let levels = LoggerLevels(rootLevel: "INFO", clock: { 1_700_000_000_000 })
        levels.register(label: "org.apache.kafka.connect.runtime.Worker")
        levels.register(label: "org.apache.kafka.clients.NetworkClient")
        try await withServer(herder, loggerLevels: levels) { client in
            try await client.execute(uri: "/admin/loggers", method: .get) { response in
                #expect(String(buffer: response.body) == #"{"root":{"level":"INFO","last_modified":null}}"#)
            }
            try await client.execute(
                uri: "/admin/loggers/org.apache.kafka.connect", method: .put, body: ByteBuffer(string: #"{"level":"debug"}"#)
            ) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"["org.apache.kafka.connect","org.apache.kafka.connect.runtime.Worker"]"#)
            }
            try await client.execute(uri: "/admin/loggers/org.apache.kafka.connect.runtime.Worker", method: .get) { response in
                #expect(String(buffer: response.body) == #"{"level":"DEBUG","last_modified":1700000000000}"#)
            }
            try await client.execute(uri: "/admin/loggers/org.apache.kafka.clients.NetworkClient", method: .get) { response in
                #expect(String(buffer: response.body) == #"{"level":"INFO","last_modified":null}"#)
            }
            try await client.execute(uri: "/admin/loggers/never.seen", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body) == #"{"error_code":404,"message":"Logger never.seen not found."}"#)
            }
            try await client.execute(uri: "/admin/loggers/x", method: .put, body: ByteBuffer(string: #"{"lvl":"DEBUG"}"#)) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body)
                    == #"{"error_code":400,"message":"Desired 'level' parameter was not specified in request."}"#)
            }
            try await client.execute(uri: "/admin/loggers/x", method: .put, body: ByteBuffer(string: #"{"level":"LOUD"}"#)) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body) == #"{"error_code":404,"message":"invalid log level 'LOUD'."}"#)
            }
            try await client.execute(
                uri: "/admin/loggers/org.apache.kafka?scope=cluster", method: .put, body: ByteBuffer(string: #"{"level":"WARN"}"#)
            ) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/admin/loggers", method: .get) { response in
                #expect(String(buffer: response.body)
                    == #"{"org.apache.kafka.connect":{"level":"DEBUG","last_modified":1700000000000},"org.apache.kafka.connect.runtime.Worker":{"level":"DEBUG","last_modified":1700000000000},"root":{"level":"INFO","last_modified":null}}"#)
            }
        }
        #expect(herder.read { $0.clusterLoggerLevels.map { "\($0.0)=\($0.1)" } } == ["org.apache.kafka=WARN"])
        #expect(levels.effectiveSwiftLogLevel(label: "org.apache.kafka.connect.runtime.Worker") == .debug)
        #expect(levels.effectiveSwiftLogLevel(label: "org.apache.kafka.clients.NetworkClient") == .info)
    }

    @Test func adminListenersMoveTheLoggersEndpoint() async throws {
        let configuration = RestServerConfiguration(listeners: ["http://127.0.0.1:0"], adminListeners: [])
        try await withServer(InMemoryHerder(), configuration: configuration) { client in
            try await client.execute(uri: "/admin/loggers", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    // MARK: Internal endpoint

    @Test func internalTaskConfigsCarryTheSignature() async throws {
        let herder = herderWithConnector()
        let key: [UInt8] = Array("session-key-bytes".utf8)
        try await withServer(herder) { client in
            let body = RestJSON.encode(taskConfigs: [["task.class": "T", "topics": "a"]])
            let signing = try InternalRequestSignature.headers(body: body, key: key)
            var headers: HTTPFields = [:]
            for (name, value) in signing { headers[HTTPField.Name(name)!] = value }
            try await client.execute(uri: "/connectors/mm2/tasks", method: .post, headers: headers, body: ByteBuffer(bytes: body)) { response in
                #expect(response.status == .noContent)
            }
            let received = try #require(herder.read(\.lastSignature) ?? nil)
            #expect(received.algorithm == "HmacSHA256")
            #expect(received.isValid(key: key))
            #expect(!received.isValid(key: Array("another-key".utf8)))
            #expect(herder.read(\.lastPutTaskConfigs) == [["task.class": "T", "topics": "a"]])

            try await client.execute(uri: "/connectors/mm2/tasks", method: .post, body: ByteBuffer(bytes: body)) { response in
                #expect(response.status == .noContent)
            }
            #expect(herder.read(\.lastSignature) == .some(nil))

            let badAlgorithm: HTTPFields = [
                HTTPField.Name("X-Connect-Authorization")!: "AAAA",
                HTTPField.Name("X-Connect-Request-Signature-Algorithm")!: "HmacFoo",
            ]
            try await client.execute(uri: "/connectors/mm2/tasks", method: .post, headers: badAlgorithm, body: ByteBuffer(bytes: body)) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body) == #"{"error_code":400,"message":"Algorithm HmacFoo not available"}"#)
            }
        }
    }

    // MARK: Errors

    @Test func unknownRouteWrongMethodAndOversizedBody() async throws {
        let configuration = RestServerConfiguration(listeners: ["http://127.0.0.1:0"], maximumRequestBodyBytes: 64)
        try await withServer(herderWithConnector(), configuration: configuration) { client in
            try await client.execute(uri: "/no/such/route", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body) == #"{"error_code":404,"message":"HTTP 404 Not Found"}"#)
            }
            try await client.execute(uri: "/connectors/mm2/status", method: .delete) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(String(buffer: response.body) == #"{"error_code":405,"message":"HTTP 405 Method Not Allowed"}"#)
            }
            let big = ByteBuffer(string: #"{"connector.class":""# + String(repeating: "x", count: 100) + #""}"#)
            try await client.execute(uri: "/connectors/mm2/config", method: .put, body: big) { response in
                #expect(response.status == .contentTooLarge)
                #expect(String(buffer: response.body)
                    == #"{"error_code":413,"message":"Request body is larger than the limit of 64 bytes"}"#)
            }
        }
    }

    @Test func herderTimeoutIs500WithTheStage() async throws {
        let herder = herderWithConnector()
        herder.update {
            $0.hanging = ["connectorInfo", "validateConnectorConfig"]
            $0.stage = HerderStage(description: "writing a config for connector mm2 to the config topic", started: 1_700_000_000_123)
        }
        let configuration = RestServerConfiguration(listeners: ["http://127.0.0.1:0"], requestTimeout: .milliseconds(100))
        try await withServer(herder, configuration: configuration) { client in
            try await client.execute(uri: "/connectors/mm2", method: .get) { response in
                #expect(response.status == .internalServerError)
                #expect(String(buffer: response.body)
                    == #"{"error_code":500,"message":"Request timed out. The worker is currently writing a config for connector mm2 to the config topic, which began at 2023-11-14T22:13:20.123Z."}"#)
            }
            try await client.execute(
                uri: "/connector-plugins/X/config/validate", method: .put, body: ByteBuffer(string: #"{"connector.class":"X"}"#)
            ) { response in
                #expect(response.status == .internalServerError)
                #expect(ErrorBody(response.body).message
                    == "Request timed out. The worker is currently writing a config for connector mm2 to the config topic, which began at 2023-11-14T22:13:20.123Z")
            }
        }
    }

    @Test func rebalanceNeededAndForeignErrors() async throws {
        struct StoreFailure: Error, CustomStringConvertible {
            var description: String { "Failed to write to config topic" }
        }
        let herder = herderWithConnector()
        herder.update {
            $0.failures = [
                "putConnectorConfig": ConnectRestError.rebalanceNeeded(),
                "connectorInfo": ConnectRestError.rebalanceNeeded(),
                "connectorConfig": StoreFailure(),
                "taskConfigs": ConnectRestError.notLeader("Only the leader can do this.", leaderURL: "http://leader:8083/"),
            ]
        }
        try await withServer(herder) { client in
            // Forwardable requests answer 409 with Apache's stale-configuration message ...
            try await client.execute(
                uri: "/connectors/mm2/config", method: .put, body: ByteBuffer(string: #"{"connector.class":"X"}"#)
            ) { response in
                #expect(response.status == .conflict)
                #expect(String(buffer: response.body)
                    == #"{"error_code":409,"message":"Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)"}"#)
            }
            // ... other requests let the error through as a 500, as Apache's exception mapper does.
            try await client.execute(uri: "/connectors/mm2", method: .get) { response in
                #expect(response.status == .internalServerError)
                #expect(String(buffer: response.body)
                    == #"{"error_code":500,"message":"Request cannot be completed because a rebalance is expected"}"#)
            }
            try await client.execute(uri: "/connectors/mm2/config", method: .get) { response in
                #expect(response.status == .internalServerError)
                #expect(String(buffer: response.body) == #"{"error_code":500,"message":"Failed to write to config topic"}"#)
            }
            try await client.execute(uri: "/connectors/mm2/tasks", method: .get) { response in
                #expect(response.status == .internalServerError)
                #expect(String(buffer: response.body) == #"{"error_code":500,"message":"Only the leader can do this."}"#)
            }
        }
    }

    @Test func notLeaderWithoutKnownLeaderIs409() async throws {
        let herder = InMemoryHerder()
        herder.update { $0.leaderURL = .some(nil) }
        try await withServer(herder) { client in
            try await client.execute(
                uri: "/connectors", method: .post, body: ByteBuffer(string: #"{"name":"a","config":{"connector.class":"X"}}"#)
            ) { response in
                #expect(response.status == .conflict)
                #expect(String(buffer: response.body)
                    == #"{"error_code":409,"message":"Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway."}"#)
            }
        }
    }
}

/// A decoded `{"error_code","message"}` body; code -1 when the body is not one.
struct ErrorBody {
    var code: Int
    var message: String

    init(_ buffer: ByteBuffer) {
        self.init(Array(buffer.readableBytesView))
    }

    init(_ bytes: [UInt8]) {
        let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
        code = object?["error_code"] as? Int ?? -1
        message = object?["message"] as? String ?? "<not an error body: \(String(decoding: bytes, as: UTF8.self))>"
    }
}
