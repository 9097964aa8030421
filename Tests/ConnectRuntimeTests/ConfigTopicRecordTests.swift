import Testing

@testable import ConnectRuntime

private func json(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite("Config topic keys")
struct ConfigRecordKeyTests {
    @Test func parsesEveryKind() throws {
        #expect(try ConfigRecordKey(parsing: "connector-mm2") == .connector("mm2"))
        #expect(try ConfigRecordKey(parsing: "task-mm2-0") == .task(try ConnectorTaskId(connector: "mm2", task: 0)))
        #expect(try ConfigRecordKey(parsing: "commit-mm2") == .tasksCommit("mm2"))
        #expect(try ConfigRecordKey(parsing: "target-state-mm2") == .targetState("mm2"))
        #expect(try ConfigRecordKey(parsing: "restart-connector-mm2") == .restartRequest("mm2"))
        #expect(try ConfigRecordKey(parsing: "tasks-fencing-mm2") == .taskCount("mm2"))
        #expect(try ConfigRecordKey(parsing: "session-key") == .sessionKey)
        #expect(try ConfigRecordKey(parsing: "logger-cluster-org.apache.kafka") == .loggerLevel(namespace: "org.apache.kafka"))
    }

    @Test func dashesInConnectorNames() throws {
        // A connector named "a-1" versus task 1 of connector "a".
        #expect(try ConfigRecordKey(parsing: "connector-a-1") == .connector("a-1"))
        #expect(try ConfigRecordKey(parsing: "task-a-1") == .task(try ConnectorTaskId(connector: "a", task: 1)))
        #expect(try ConfigRecordKey(parsing: "task-a-1-0") == .task(try ConnectorTaskId(connector: "a-1", task: 0)))
        #expect(try ConfigRecordKey(parsing: "task-a--1") == .task(try ConnectorTaskId(connector: "a-", task: 1)))
        #expect(try ConfigRecordKey(parsing: "target-state-connector-x") == .targetState("connector-x"))
        #expect(try ConfigRecordKey(parsing: "commit-task-x-1") == .tasksCommit("task-x-1"))
    }

    @Test func formatsAndRoundTrips() throws {
        let keys: [ConfigRecordKey] = [
            .connector("a-1"), .task(try ConnectorTaskId(connector: "a-1", task: 7)), .tasksCommit("a"),
            .targetState("a"), .restartRequest("a"), .taskCount("a"), .sessionKey, .loggerLevel(namespace: "root"),
        ]
        #expect(keys.map(\.key) == [
            "connector-a-1", "task-a-1-7", "commit-a", "target-state-a", "restart-connector-a", "tasks-fencing-a",
            "session-key", "logger-cluster-root",
        ])
        for key in keys { #expect(try ConfigRecordKey(parsing: key.key) == key) }
    }

    @Test func rejectsKeysApacheDiscards() {
        for key in ["task-a", "task-a-x", "task-a-", "task-a-99999999999", "session-keys", "bogus", "", "Connector-a"] {
            #expect(throws: ConnectRuntimeError.self, "\(key)") { try ConfigRecordKey(parsing: key) }
        }
    }
}

@Suite("Config topic values")
struct ConfigTopicValueTests {
    @Test func configurationRecord() throws {
        let record = ConfigurationRecord(properties: ["tasks.max": "1", "name": "a", "quote": "say \"hi\""])
        #expect(json(record.encoded()) == #"{"properties":{"name":"a","quote":"say \"hi\"","tasks.max":"1"}}"#)
        #expect(try ConfigurationRecord(decoding: record.encoded()) == record)
        // Apache's map schema allows null values; extra fields are ignored.
        let apache = #"{ "properties" : {"a":"1","b":null}, "extra": [1] }"#
        #expect(try ConfigurationRecord(decoding: bytes(apache)).properties == ["a": "1"])
        #expect(throws: ConnectRuntimeError.self) { try ConfigurationRecord(decoding: bytes(#"{"properties":{"a":1}}"#)) }
        #expect(throws: ConnectRuntimeError.self) { try ConfigurationRecord(decoding: bytes(#"{"properties":"a"}"#)) }
        #expect(throws: ConnectRuntimeError.self) { try ConfigurationRecord(decoding: bytes(#"[]"#)) }
    }

    @Test func tasksCommitAndTaskCount() throws {
        #expect(json(TasksCommitRecord(taskCount: 3).encoded()) == #"{"tasks":3}"#)
        #expect(try TasksCommitRecord(decoding: bytes(#"{"tasks":12}"#)).taskCount == 12)
        #expect(throws: ConnectRuntimeError.self) { try TasksCommitRecord(decoding: bytes(#"{"tasks":1.0}"#)) }
        #expect(throws: ConnectRuntimeError.self) { try TasksCommitRecord(decoding: bytes(#"{"tasks":4294967296}"#)) }
        #expect(json(TaskCountRecord(taskCount: 4).encoded()) == #"{"task-count":4}"#)
        #expect(try TaskCountRecord(decoding: bytes(#"{"task-count":0}"#)).taskCount == 0)
        #expect(throws: ConnectRuntimeError.self) { try TaskCountRecord(decoding: bytes(#"{"tasks":4}"#)) }
    }

    @Test func targetStateWritesStoppedAsPausedForOldWorkers() throws {
        #expect(json(TargetState.started.encoded()) == #"{"state":"STARTED","state.v2":"STARTED"}"#)
        #expect(json(TargetState.paused.encoded()) == #"{"state":"PAUSED","state.v2":"PAUSED"}"#)
        #expect(json(TargetState.stopped.encoded()) == #"{"state":"PAUSED","state.v2":"STOPPED"}"#)
        for state in TargetState.allCases { #expect(try TargetState(decoding: state.encoded()) == state) }
    }

    @Test func targetStateDecodingFallsBack() throws {
        #expect(try TargetState(decoding: bytes(#"{"state":"PAUSED"}"#)) == .paused)  // pre-3.5 worker
        #expect(try TargetState(decoding: bytes(#"{"state":"PAUSED","state.v2":null}"#)) == .paused)
        #expect(try TargetState(decoding: bytes(#"{"state":"PAUSED","state.v2":7}"#)) == .paused)
        #expect(throws: ConnectRuntimeError.self) { try TargetState(decoding: bytes(#"{"state":"paused"}"#)) }
        #expect(throws: ConnectRuntimeError.self) { try TargetState(decoding: bytes(#"{"state":"PAUSED","state.v2":"GONE"}"#)) }
        #expect(throws: ConnectRuntimeError.self) { try TargetState(decoding: bytes(#"{"state.v2":1}"#)) }
    }

    @Test func restartRequest() throws {
        let record = RestartRequestRecord(includeTasks: true, onlyFailed: false)
        #expect(json(record.encoded()) == #"{"include-tasks":true,"only-failed":false}"#)
        #expect(try RestartRequestRecord(decoding: record.encoded()) == record)
        // Missing or mistyped flags default to false, as in Apache.
        #expect(try RestartRequestRecord(decoding: bytes("{}")) == RestartRequestRecord())
        let lenient = try RestartRequestRecord(decoding: bytes(#"{"only-failed":"yes","include-tasks":true}"#))
        #expect(lenient == RestartRequestRecord(includeTasks: true, onlyFailed: false))
        #expect(throws: ConnectRuntimeError.self) { try RestartRequestRecord(decoding: bytes("true")) }
    }

    @Test func sessionKey() throws {
        let key = SessionKey(key: [1, 2, 3, 4, 5], algorithm: "HmacSHA256", creationTimestamp: 1_700_000_000_000)
        #expect(json(key.encoded()) == #"{"key":"AQIDBAU=","algorithm":"HmacSHA256","creation-timestamp":1700000000000}"#)
        #expect(try SessionKey(decoding: key.encoded()) == key)
        let unpadded = try SessionKey(decoding: bytes(#"{"creation-timestamp":5,"algorithm":"HmacSHA512","key":"AQIDBAU"}"#))
        #expect(unpadded == SessionKey(key: [1, 2, 3, 4, 5], algorithm: "HmacSHA512", creationTimestamp: 5))
        #expect(throws: ConnectRuntimeError.self) {
            try SessionKey(decoding: bytes(#"{"key":"!!!!","algorithm":"HmacSHA256","creation-timestamp":5}"#))
        }
        #expect(throws: ConnectRuntimeError.self) {
            try SessionKey(decoding: bytes(#"{"key":"AQID","algorithm":"HmacSHA256","creation-timestamp":"5"}"#))
        }
    }

    @Test func loggerLevel() throws {
        #expect(json(LoggerLevelRecord(level: "DEBUG").encoded()) == #"{"level":"DEBUG"}"#)
        #expect(try LoggerLevelRecord(decoding: bytes(#"{"level":"WARN","extra":1}"#)).level == "WARN")
        #expect(throws: ConnectRuntimeError.self) { try LoggerLevelRecord(decoding: bytes(#"{"level":null}"#)) }
    }
}
