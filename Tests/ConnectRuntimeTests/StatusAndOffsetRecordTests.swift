import ConnectAPI
import Testing

@testable import ConnectRuntime

private func json(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite("Status topic records")
struct StatusTopicTests {
    @Test func keys() throws {
        #expect(try StatusRecordKey(parsing: "status-connector-a-1") == .connector("a-1"))
        #expect(try StatusRecordKey(parsing: "status-task-a-1") == .task(try ConnectorTaskId(connector: "a", task: 1)))
        #expect(try StatusRecordKey(parsing: "status-task-a-1-2") == .task(try ConnectorTaskId(connector: "a-1", task: 2)))
        #expect(try StatusRecordKey(parsing: "status-topic-orders:connector-sink-1") == .topic(topic: "orders", connector: "sink-1"))
        #expect(StatusRecordKey.topic(topic: "t.1", connector: "c:x").key == "status-topic-t.1:connector-c:x")
        #expect(StatusRecordKey.task(try ConnectorTaskId(connector: "a-1", task: 2)).key == "status-task-a-1-2")
        for key in ["status-connector-", "status-task-a", "status-task-a-b", "status-topic-:connector-c",
                    "status-topic-t:connector-", "status-topic-orders", "status-topic-t:other-c", "status-x", "connector-a"] {
            #expect(throws: ConnectRuntimeError.self, "\(key)") { try StatusRecordKey(parsing: key) }
        }
    }

    @Test func statusGoldenJSON() throws {
        let running = StatusRecord(state: .running, workerId: "10.0.0.1:8083", generation: 3)
        #expect(json(running.encoded()) == #"{"state":"RUNNING","trace":null,"worker_id":"10.0.0.1:8083","generation":3}"#)
        let failed = StatusRecord(state: .failed, trace: "boom\n\tat X.y(X.java:1)", workerId: "w", generation: 0)
        #expect(json(failed.encoded()) == #"{"state":"FAILED","trace":"boom\n\tat X.y(X.java:1)","worker_id":"w","generation":0}"#)
        #expect(try StatusRecord(decoding: failed.encoded()) == failed)
    }

    @Test func statusTolerantDecoding() throws {
        let apache = #"{"generation": 12, "worker_id": "w:8083", "state": "UNASSIGNED", "extra": {"x": [1, 2]}}"#
        #expect(try StatusRecord(decoding: bytes(apache)) == StatusRecord(state: .unassigned, workerId: "w:8083", generation: 12))
        #expect(try StatusRecord(decoding: bytes(#"{"state":"DESTROYED","trace":null,"worker_id":"w","generation":1}"#)).state == .destroyed)
        #expect(StatusRecord.State.allCases.map(\.rawValue) == ["UNASSIGNED", "RUNNING", "PAUSED", "FAILED", "DESTROYED", "RESTARTING", "STOPPED"])
        for junk in [#"{"state":"running","worker_id":"w","generation":1}"#, #"{"state":"RUNNING","generation":1}"#,
                     #"{"state":"RUNNING","worker_id":"w","generation":1.5}"#, #"{"state":"RUNNING","trace":3,"worker_id":"w","generation":1}"#,
                     "\"RUNNING\"", "", "{"] {
            #expect(throws: ConnectRuntimeError.self, "\(junk)") { try StatusRecord(decoding: bytes(junk)) }
        }
    }

    @Test func topicStatus() throws {
        let record = TopicStatusRecord(topic: "orders", connector: "sink", task: 0, discoverTimestamp: 1_700_000_000_123)
        #expect(json(record.encoded()) == #"{"topic":{"name":"orders","connector":"sink","task":0,"discoverTimestamp":1700000000123}}"#)
        #expect(try TopicStatusRecord(decoding: record.encoded()) == record)
        #expect(throws: ConnectRuntimeError.self) { try TopicStatusRecord(decoding: bytes(#"{"topic":"orders"}"#)) }
        #expect(throws: ConnectRuntimeError.self) {
            try TopicStatusRecord(decoding: bytes(#"{"topic":{"name":"o","connector":"c","task":0}}"#))
        }
    }
}

@Suite("Offsets topic records")
struct OffsetsTopicTests {
    @Test func keyGoldenJSONKeepsFieldOrder() throws {
        let key = OffsetRecordKey(connector: "mirror", partition: ["cluster": "a", "partition": 0, "topic": "t"])
        #expect(json(key.encoded()) == #"["mirror",{"cluster":"a","partition":0,"topic":"t"}]"#)
        let reordered = OffsetRecordKey(connector: "mirror", partition: ["topic": "t", "partition": 0, "cluster": "a"])
        #expect(json(reordered.encoded()) == #"["mirror",{"topic":"t","partition":0,"cluster":"a"}]"#)
        #expect(key == reordered)  // maps compare like Java's Map.equals
        #expect(key.hashValue == reordered.hashValue)
        let decoded = try OffsetRecordKey(decoding: bytes(#"[ "mirror" , { "topic" : "t", "partition" : 0, "cluster": "a" } ]"#))
        #expect(decoded.partition.keys == ["topic", "partition", "cluster"])
        #expect(decoded.encoded() == reordered.encoded())
    }

    @Test func valuesKeepIntegersAndDoublesApart() throws {
        let offset: OffsetMap = ["offset": 1, "ratio": 1.0, "big": .int64(Int64.max), "flag": true, "none": nil, "s": "x"]
        let encoded = try #require(OffsetMap.encodeOffsetRecordValue(offset))
        #expect(json(encoded) == #"{"offset":1,"ratio":1.0,"big":9223372036854775807,"flag":true,"none":null,"s":"x"}"#)
        let decoded = try #require(try OffsetMap.decodeOffsetRecordValue(encoded))
        #expect(decoded == offset)
        #expect(decoded["offset"] == .int64(1))
        #expect(decoded["ratio"] == .float64(1.0))
    }

    @Test func tombstones() throws {
        #expect(OffsetMap.encodeOffsetRecordValue(nil) == nil)
        #expect(try OffsetMap.decodeOffsetRecordValue(nil) == nil)
        #expect(try OffsetMap.decodeOffsetRecordValue(bytes("null")) == nil)
    }

    @Test func rejectsNestedValuesAndBadKeys() throws {
        do {
            _ = try OffsetMap.decodeOffsetRecordValue(bytes(#"{"offset":1,"nested":{"a":1}}"#))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .malformedRecord)
            #expect(error.message.contains("field 'nested' holds an object"))
        }
        #expect(throws: ConnectRuntimeError.self) { try OffsetMap.decodeOffsetRecordValue(bytes(#"{"a":[1]}"#)) }
        #expect(throws: ConnectRuntimeError.self) { try OffsetMap.decodeOffsetRecordValue(bytes(#"[1]"#)) }
        for junk in [#"["c"]"#, #"["c",{},1]"#, #"[1,{}]"#, #"["c",null]"#, #"{"c":{}}"#, #"["c",{"p":{"q":1}}]"#] {
            #expect(throws: ConnectRuntimeError.self, "\(junk)") { try OffsetRecordKey(decoding: bytes(junk)) }
        }
    }

    @Test func orderedMapEditing() {
        var map: OffsetMap = ["a": 1, "b": 2]
        map["a"] = "x"
        map["c"] = 3
        map["b"] = nil
        #expect(map.keys == ["a", "c"])
        #expect(map.description == #"{"a":"x","c":3}"#)
        #expect(OffsetMap([("k", 1), ("k", 2)]).entries == [OffsetMap.Entry(key: "k", value: 2)])
    }
}

@Suite("Internal JSON helper")
struct ConnectJSONTests {
    @Test func doublesFormatLikeJava() {
        let cases: [(Double, String)] = [
            (1.0, "1.0"), (0.5, "0.5"), (100.0, "100.0"), (123.456, "123.456"), (0.001, "0.001"),
            (1.0e-4, "1.0E-4"), (9_999_999.0, "9999999.0"), (1.0e7, "1.0E7"), (12_345_678.9, "1.23456789E7"),
            (-2.5e-5, "-2.5E-5"), (1.0e21, "1.0E21"), (0.0, "0.0"), (-0.0, "-0.0"), (0.1 + 0.2, "0.30000000000000004"),
        ]
        for (value, expected) in cases {
            #expect(ConnectJSON.javaDoubleString(value) == expected, "\(value)")
        }
        #expect(OffsetValue.float64(.nan).description == #""NaN""#)
    }

    @Test func escapesLikeJackson() throws {
        let text = "q\" b\\ /é\u{01}\u{08}\u{0C}\u{1F}\u{7F}😀"
        let written = json(ConnectJSON.serialize(.string(text)))
        #expect(written == "\"q\\\" b\\\\ /é\\u0001\\b\\f\\u001F\u{7F}😀\"")
        #expect(try ConnectJSON.parseRecord(bytes(written), what: "t") == .string(text))
        #expect(try ConnectJSON.parseRecord(bytes(#""\ud83d\ude00\/""#), what: "t") == .string("😀/"))
    }

    @Test func rejectsJunkWithoutTrapping() {
        let junk: [[UInt8]] = [
            [], bytes("   "), bytes("{"), bytes(#"{"a":}"#), bytes(#"{"a":1,}"#), bytes("[1 2]"), bytes("01"), bytes("-"),
            bytes("1."), bytes("1e"), bytes("tru"), bytes(#""abc"#), bytes(#""\x""#), bytes(#""\u12G4""#), bytes(#""\u+123""#),
            bytes("\"a\nb\""), [0x22, 0xFF, 0x22], bytes("{} x"), bytes("NaN"), bytes("99999999999999999999"),
            bytes(String(repeating: "[", count: 100) + String(repeating: "]", count: 100)),
        ]
        for input in junk {
            #expect(throws: ConnectRuntimeError.self, "\(json(input))") { try ConnectJSON.parseRecord(input, what: "t") }
        }
    }

    @Test func parsesNumbersAsJacksonTypesThem() throws {
        #expect(try ConnectJSON.parseRecord(bytes("-0"), what: "t") == .integer(0))
        #expect(try ConnectJSON.parseRecord(bytes("1E2"), what: "t") == .double(100))
        #expect(try ConnectJSON.parseRecord(bytes("-9223372036854775808"), what: "t") == .integer(.min))
        let object = try ConnectJSON.parseRecordObject(bytes(#"{"a":1,"a":2}"#), what: "t")
        #expect(object["a"] == .integer(2))  // last duplicate wins
    }
}
