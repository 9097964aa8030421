import ConnectRest
import ConnectRuntime
import Logging
import RestClient
import Testing

/// Live servers on 127.0.0.1: follower-to-leader forwarding, its two-hop limit, and
/// listener binding.
@Suite struct RestForwardingTests {
    static let createBody = Array(#"{"name":"mm2","config":{"connector.class":"MirrorSourceConnector"}}"#.utf8)

    /// Runs one live REST server per herder and passes their base URLs.
    func withLiveServers(
        _ herders: [InMemoryHerder],
        _ test: ([String], [RestServer]) async throws -> Void
    ) async throws {
        let logger = Logger(label: "rest-forwarding-test")
        let servers = try herders.map { herder in
            try RestServer(
                configuration: RestServerConfiguration(listeners: ["http://127.0.0.1:0"], requestTimeout: .seconds(10)),
                herder: herder, loggerLevels: LoggerLevels(), logger: logger)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for server in servers {
                group.addTask { try await server.run() }
            }
            var urls: [String] = []
            for server in servers { urls.append(try await server.boundListeners()[0]) }
            try await test(urls, servers)
            group.cancelAll()
        }
    }

    let client = RestClient(logger: Logger(label: "rest-forwarding-test-client"))

    @Test func followerForwardsToTheLeader() async throws {
        let follower = InMemoryHerder(workerId: "follower")
        let leader = InMemoryHerder(workerId: "leader")
        try await withLiveServers([follower, leader]) { urls, _ in
            follower.update { $0.leaderURL = .some(urls[1] + "/") }
            let response = try await client.send(
                method: "POST", url: urls[0] + "/connectors", headers: ["Host": "follower.example:8083"],
                body: Self.createBody, timeout: .seconds(10))
            #expect(response.status == 201)
            #expect(String(decoding: response.body, as: UTF8.self)
                == #"{"name":"mm2","config":{"connector.class":"MirrorSourceConnector","name":"mm2"},"tasks":[{"connector":"mm2","task":0}],"type":"source"}"#)
            #expect(response.headers["location"] == "http://follower.example:8083/connectors/mm2")
            #expect(leader.read(\.names) == ["mm2"])
            #expect(follower.read(\.names).isEmpty)

            // Query parameters travel with the request; the leader's answer is relayed.
            follower.addConnector("mm2", config: ["connector.class": "MirrorSourceConnector"], tasks: 2)
            let restart = try await client.send(
                method: "POST", url: urls[0] + "/connectors/mm2/restart?includeTasks=true", timeout: .seconds(10))
            #expect(restart.status == 202)
            #expect(String(decoding: restart.body, as: UTF8.self).contains(#""worker_id":"leader""#))

            // Errors come back as Connect errors with the leader's status.
            let missing = try await client.send(method: "DELETE", url: urls[0] + "/connectors/nope", timeout: .seconds(10))
            #expect(missing.status == 404)
            #expect(String(decoding: missing.body, as: UTF8.self) == #"{"error_code":404,"message":"Connector nope not found"}"#)
        }
    }

    @Test func forwardingStopsAfterTwoHops() async throws {
        let first = InMemoryHerder(workerId: "a")
        let second = InMemoryHerder(workerId: "b")
        try await withLiveServers([first, second]) { urls, _ in
            // Each believes the other is the leader (a rebalance in flight).
            first.update { $0.leaderURL = .some(urls[1]) }
            second.update { $0.leaderURL = .some(urls[0]) }
            let response = try await client.send(
                method: "POST", url: urls[0] + "/connectors", body: Self.createBody, timeout: .seconds(10))
            #expect(response.status == 409)
            #expect(String(decoding: response.body, as: UTF8.self)
                == #"{"error_code":409,"message":"Cannot complete request because of a conflicting operation (e.g. worker rebalance)"}"#)
            // user -> a (no flag) -> b (forward=true) -> a (forward=false): a refuses a third hop.
            #expect(first.read { $0.calls.filter { $0 == "putConnectorConfig" }.count } == 2)
            #expect(second.read { $0.calls.filter { $0 == "putConnectorConfig" }.count } == 1)
        }
    }

    @Test func forwardedSignedTaskConfigsKeepTheirSignature() async throws {
        let follower = InMemoryHerder(workerId: "follower")
        let leader = InMemoryHerder(workerId: "leader")
        leader.addConnector("mm2", config: ["connector.class": "MirrorSourceConnector"])
        follower.addConnector("mm2", config: ["connector.class": "MirrorSourceConnector"])
        let key = Array("0123456789abcdef".utf8)
        try await withLiveServers([follower, leader]) { urls, _ in
            follower.update { $0.leaderURL = .some(urls[1]) }
            let body = RestJSON.encode(taskConfigs: [["task": "0"], ["task": "1"]])
            let headers = try InternalRequestSignature.headers(body: body, key: key, algorithm: "HmacSHA512")
            let response = try await client.send(
                method: "POST", url: urls[0] + "/connectors/mm2/tasks", headers: headers, body: body, timeout: .seconds(10))
            #expect(response.status == 204)
            let signature = try #require(leader.read(\.lastSignature) ?? nil)
            #expect(signature.algorithm == "HmacSHA512")
            #expect(signature.isValid(key: key))
            #expect(leader.read { $0.taskConfigs["mm2"] } == [["task": "0"], ["task": "1"]])
        }
    }

    @Test func unreachableLeaderIs500NamingTheURL() async throws {
        let follower = InMemoryHerder()
        try await withLiveServers([follower]) { urls, _ in
            follower.update { $0.leaderURL = .some("http://127.0.0.1:1/") }
            let response = try await client.send(
                method: "POST", url: urls[0] + "/connectors", body: Self.createBody, timeout: .seconds(10))
            #expect(response.status == 500)
            let message = ErrorBody(response.body).message
            #expect(message.hasPrefix("IO Error trying to forward REST request: "))
            #expect(message.contains("http://127.0.0.1:1/connectors?forward=true"))
        }
    }

    @Test func boundListenersAndAdvertisedURL() async throws {
        let herder = InMemoryHerder()
        let server = try RestServer(
            configuration: RestServerConfiguration(
                listeners: ["http://127.0.0.1:0"], adminListeners: ["http://127.0.0.1:0"], advertisedHostName: "worker-7"),
            herder: herder, loggerLevels: LoggerLevels(), logger: Logger(label: "rest-bind-test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let urls = try await server.boundListeners()
            #expect(urls.count == 2)
            let mainPort = try #require(urls[0].split(separator: ":").last.flatMap { Int($0) })
            #expect(mainPort > 0)
            #expect(try await server.advertisedURL() == "http://worker-7:\(mainPort)/")
            let main = try await client.send(method: "GET", url: urls[0] + "/admin/loggers", timeout: .seconds(5))
            #expect(main.status == 404)
            let admin = try await client.send(method: "GET", url: urls[1] + "/admin/loggers", timeout: .seconds(5))
            #expect(admin.status == 200)
            let adminConnectors = try await client.send(method: "GET", url: urls[1] + "/connectors", timeout: .seconds(5))
            #expect(adminConnectors.status == 404)
            group.cancelAll()
        }
    }

    @Test func advertisedURLOfAnAllInterfacesListener() async throws {
        let server = try RestServer(
            configuration: RestServerConfiguration(listeners: ["http://:0"]),
            herder: InMemoryHerder(), loggerLevels: LoggerLevels(), logger: Logger(label: "rest-bind-test"))
        let pinned = try RestServer(
            configuration: RestServerConfiguration(listeners: ["http://127.0.0.1:0"], advertisedPort: 18083),
            herder: InMemoryHerder(), loggerLevels: LoggerLevels(), logger: Logger(label: "rest-bind-test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            group.addTask { try await pinned.run() }
            let bound = try await server.boundListeners()[0]
            #expect(bound.hasPrefix("http://0.0.0.0:"))
            let port = try #require(bound.split(separator: ":").last.map(String.init))
            let advertised = try await server.advertisedURL()
            #expect(advertised.hasPrefix("http://"))
            #expect(advertised.hasSuffix(":\(port)/"))
            #expect(!advertised.contains("0.0.0.0"))
            // The advertised URL must reach the server.
            let reply = try await client.send(
                method: "GET", url: "http://127.0.0.1:\(port)/connectors", timeout: .seconds(5))
            #expect(reply.status == 200)
            #expect(try await pinned.advertisedURL() == "http://127.0.0.1:18083/")
            group.cancelAll()
        }
    }

    @Test func bindFailureIsReported() async throws {
        let first = try RestServer(
            configuration: RestServerConfiguration(listeners: ["http://127.0.0.1:0"]),
            herder: InMemoryHerder(), loggerLevels: LoggerLevels(), logger: Logger(label: "rest-bind-test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await first.run() }
            let url = try await first.boundListeners()[0]
            let second = try RestServer(
                configuration: RestServerConfiguration(listeners: [url]),
                herder: InMemoryHerder(), loggerLevels: LoggerLevels(), logger: Logger(label: "rest-bind-test"))
            await #expect(throws: (any Error).self) { try await second.run() }
            await #expect(throws: (any Error).self) { _ = try await second.boundListeners() }
            group.cancelAll()
        }
    }

    @Test func listenerConfiguration() throws {
        let configuration = try RestServerConfiguration(workerProperties: [
            "listeners": "http://:8083, http://127.0.0.1:9093",
            "rest.advertised.port": "18083",
            "topic.tracking.allow.reset": "false",
        ])
        #expect(configuration.listeners == ["http://:8083", "http://127.0.0.1:9093"])
        #expect(configuration.advertisedPort == 18083)
        #expect(configuration.topicTrackingEnabled)
        #expect(!configuration.topicTrackingResetEnabled)
        #expect(throws: RestServerConfigurationError.self) {
            _ = try RestServerConfiguration(workerProperties: ["topic.tracking.enable": "maybe"])
        }
        #expect(throws: RestServerConfigurationError.self) {
            _ = try RestServer(
                configuration: RestServerConfiguration(listeners: ["https://:8443"]),
                herder: InMemoryHerder(), loggerLevels: LoggerLevels(), logger: Logger(label: "x"))
        }
        #expect(throws: RestServerConfigurationError.self) {
            _ = try RestServer(
                configuration: RestServerConfiguration(listeners: ["localhost"]),
                herder: InMemoryHerder(), loggerLevels: LoggerLevels(), logger: Logger(label: "x"))
        }
    }
}
