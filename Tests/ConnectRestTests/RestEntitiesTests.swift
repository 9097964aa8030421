import ConnectAPI
import ConnectRuntime
import Logging
import Synchronization
import Testing

/// The shared REST pieces in ConnectRuntime: signatures, JSON codecs, log levels, stages.
@Suite struct RestEntitiesTests {
    // MARK: InternalRequestSignature

    @Test func hmacMatchesRFC4231() throws {
        let body = Array("what do ya want for nothing?".utf8)
        let signature = try InternalRequestSignature.sign(body: body, key: Array("Jefe".utf8), algorithm: "HmacSHA256")
        #expect(hex(signature) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let headers = try InternalRequestSignature.headers(body: body, key: Array("Jefe".utf8))
        #expect(headers["X-Connect-Authorization"] == "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=")
        #expect(headers["X-Connect-Request-Signature-Algorithm"] == "HmacSHA256")
    }

    @Test func signatureFromHeaders() throws {
        let body = Array("[]".utf8)
        let key = Array("k".utf8)
        let headers = try InternalRequestSignature.headers(body: body, key: key, algorithm: "HmacSHA1")
        // Java's basic decoder accepts missing padding.
        let unpadded = headers["X-Connect-Authorization"]!.replacingOccurrences(of: "=", with: "")
        let signature = try #require(try InternalRequestSignature(
            signatureHeader: unpadded, algorithmHeader: "HmacSHA1", body: body))
        #expect(signature.isValid(key: key))
        #expect(!signature.isValid(key: Array("other".utf8)))
        let tampered = InternalRequestSignature(algorithm: "HmacSHA1", signature: signature.signature, body: Array("[{}]".utf8))
        #expect(!tampered.isValid(key: key))
        #expect(try InternalRequestSignature(signatureHeader: nil, algorithmHeader: "HmacSHA256", body: body) == nil)
        #expect(try InternalRequestSignature(signatureHeader: "AAAA", algorithmHeader: nil, body: body) == nil)
        #expect(throws: ConnectRestError.badRequest("Algorithm HmacSHA3 not available")) {
            _ = try InternalRequestSignature(signatureHeader: "AAAA", algorithmHeader: "HmacSHA3", body: body)
        }
        #expect(throws: ConnectRestError.self) {
            _ = try InternalRequestSignature(signatureHeader: "not base64!", algorithmHeader: "HmacSHA256", body: body)
        }
    }

    @Test func leaderVerificationFollowsApachesOrder() throws {
        let body = Array("[]".utf8)
        let key = Array("session".utf8)
        let signed = InternalRequestSignature(
            algorithm: "HmacSHA256", signature: try InternalRequestSignature.sign(body: body, key: key, algorithm: "HmacSHA256"),
            body: body)
        let allowed = ["HmacSHA256"]
        try InternalRequestSignature.verify(signed, verificationAlgorithms: allowed, sessionKey: key)
        #expect(throws: ConnectRestError.internalRequestMissingSignature) {
            try InternalRequestSignature.verify(nil, verificationAlgorithms: allowed, sessionKey: key)
        }
        let error = try #require(throws: ConnectRestError.self) {
            try InternalRequestSignature.verify(signed, verificationAlgorithms: ["HmacSHA512"], sessionKey: key)
        }
        #expect(error.status == 400)
        #expect(error.message.hasPrefix("This worker does not support the 'HmacSHA256' key signing algorithm used by other workers. This worker is currently configured to use: [HmacSHA512]."))
        #expect(throws: ConnectRestError.noSessionKeyYet) {
            try InternalRequestSignature.verify(signed, verificationAlgorithms: allowed, sessionKey: nil)
        }
        #expect(ConnectRestError.noSessionKeyYet.status == 503)
        #expect(throws: ConnectRestError.invalidSignature) {
            try InternalRequestSignature.verify(signed, verificationAlgorithms: allowed, sessionKey: Array("other".utf8))
        }
        #expect(ConnectRestError.invalidSignature.status == 403)
    }

    // MARK: JSON

    @Test func configMapsCoerceScalars() throws {
        let map = try RestJSON.decodeStringMap(Array(#"{"a":1,"b":true,"c":"x","d":2.5,"e":-7}"#.utf8))
        #expect(map == ["a": "1", "b": "true", "c": "x", "d": "2.5", "e": "-7"])
        #expect(throws: ConnectRestError.self) { _ = try RestJSON.decodeStringMap(Array(#"{"a":{"b":1}}"#.utf8)) }
        #expect(throws: ConnectRestError.self) { _ = try RestJSON.decodeStringMap(Array(#"["a"]"#.utf8)) }
        #expect(throws: ConnectRestError.self) { _ = try RestJSON.decodeStringMap(Array(#"{"a":null}"#.utf8)) }
        #expect(throws: ConnectRestError.self) { _ = try RestJSON.decodeStringMap([]) }
        let patch = try RestJSON.decodeStringPatch(Array(#"{"a":null,"b":"2"}"#.utf8))
        let expectedPatch: [String: String?] = ["a": nil, "b": "2"]
        #expect(patch == expectedPatch)
        let tasks = try RestJSON.decodeTaskConfigs(Array(#"[{"x":"1"},{}]"#.utf8))
        #expect(tasks == [["x": "1"], [:]])
        #expect(RestJSON.encode(taskConfigs: tasks) == Array(#"[{"x":"1"},{}]"#.utf8))
    }

    @Test func entityShapes() throws {
        let message = ErrorMessage(errorCode: 409, message: "Connector \"a\"\n exists")
        #expect(String(decoding: message.jsonBytes(), as: UTF8.self) == #"{"error_code":409,"message":"Connector \"a\"\n exists"}"#)
        #expect(ErrorMessage(jsonBytes: message.jsonBytes()) == message)
        #expect(ErrorMessage(jsonBytes: Array("<html>".utf8)) == nil)
        #expect(String(decoding: LoggerLevel(level: "WARN", lastModified: nil).jsonBytes(), as: UTF8.self)
            == #"{"level":"WARN","last_modified":null}"#)
        let request = try CreateConnectorRequest(jsonBytes: Array(#"{"name":"x","config":null,"initial_state":"stopped"}"#.utf8))
        #expect(request == CreateConnectorRequest(name: "x", config: nil, initialState: .stopped))
        #expect(request.initialState?.targetState == .stopped)
        #expect(throws: ConnectRestError.self) { _ = try CreateConnectorRequest(jsonBytes: Array(#"{"nmae":"x"}"#.utf8)) }
        let offsets = try ConnectorOffsets(jsonBytes: Array(#"{"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":3},"offset":{"kafka_offset":10}}]}"#.utf8))
        #expect(offsets.offsets == [ConnectorOffset(partition: ["kafka_topic": "t", "kafka_partition": 3], offset: ["kafka_offset": 10])])
        #expect(String(decoding: offsets.jsonBytes(), as: UTF8.self)
            == #"{"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":3},"offset":{"kafka_offset":10}}]}"#)
    }

    // MARK: HerderStage

    @Test func stageSummariesUseJavaInstants() {
        #expect(HerderStage(description: "x", started: 0).summary == "The worker is currently x, which began at 1970-01-01T00:00:00Z.")
        #expect(HerderStage(description: "y", started: 1_700_000_000_120, completed: 1_700_000_001_000).summary
            == "The last operation the worker completed was y, which began at 2023-11-14T22:13:20.120Z and completed at 2023-11-14T22:13:21Z.")
        #expect(ConnectRestError.requestTimeout(stage: nil).message == "Request timed out")
    }

    // MARK: LoggerLevels

    @Test func loggerLevelsFollowTheDottedHierarchy() throws {
        let now = Mutex<Int64>(100)
        let levels = LoggerLevels(rootLevel: "info", clock: { now.withLock { $0 } })
        levels.register(label: "a.b.c")
        levels.register(label: "a.bc")
        #expect(levels.level(of: "a.b.c") == LoggerLevel(level: "INFO", lastModified: nil))
        #expect(levels.level(of: "unknown") == nil)
        #expect(levels.level(of: "ROOT") == LoggerLevel(level: "INFO", lastModified: nil))

        // Plain string prefix, as Apache: "a.b" also catches "a.bc".
        #expect(try levels.setLevel(namespace: "a.b", level: "debug") == ["a.b", "a.b.c", "a.bc"])
        #expect(levels.effectiveSwiftLogLevel(label: "a.b.c") == .debug)
        #expect(levels.effectiveSwiftLogLevel(label: "a.b.c.d") == .debug)
        #expect(levels.effectiveSwiftLogLevel(label: "a.x") == .info)
        #expect(levels.level(of: "a.b") == LoggerLevel(level: "DEBUG", lastModified: 100))

        // Unchanged levels keep their modification time.
        now.withLock { $0 = 200 }
        try levels.setLevel(namespace: "a.b.c", level: "DEBUG")
        #expect(levels.level(of: "a.b.c")?.lastModified == 100)

        #expect(throws: ConnectRestError.notFound("invalid log level 'chatty'.")) { try levels.setLevel(namespace: "a", level: "chatty") }

        try levels.setLevel(namespace: "root", level: "ERROR")
        #expect(levels.effectiveSwiftLogLevel(label: "never.registered") == .error)
        #expect(levels.effectiveSwiftLogLevel(label: "a.b.c") == .error)
        #expect(levels.allLevels()["root"] == LoggerLevel(level: "ERROR", lastModified: 200))

        try levels.setLevel(namespace: "quiet", level: "OFF")
        #expect(levels.effectiveSwiftLogLevel(label: "quiet.child") == nil)
    }

    @Test func logHandlerFiltersDynamically() throws {
        let levels = LoggerLevels(rootLevel: "INFO")
        let recorder = RecordingHandler()
        var logger = Logger(label: "org.example.Task") { label in levels.makeLogHandler(label: label, wrapping: recorder) }
        logger.logLevel = .trace  // ignored: the registry decides
        logger.debug("hidden")
        logger.info("shown")
        try levels.setLevel(namespace: "org.example", level: "DEBUG")
        logger.debug("now shown")
        try levels.setLevel(namespace: "org.example", level: "OFF")
        logger.critical("silenced")
        #expect(recorder.messages() == ["shown", "now shown"])
        #expect(levels.level(of: "org.example.Task") == LoggerLevel(level: "OFF", lastModified: levels.level(of: "org.example.Task")?.lastModified))
    }

    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}

/// Collects the messages it is asked to log.
struct RecordingHandler: LogHandler {
    final class Storage: Sendable {
        let messages = Mutex<[String]>([])
    }

    let storage = Storage()
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        storage.messages.withLock { $0.append(event.message.description) }
    }

    func messages() -> [String] { storage.messages.withLock { $0 } }
}

import Foundation
