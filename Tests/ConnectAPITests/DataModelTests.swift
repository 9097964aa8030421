@testable import ConnectAPI
import Synchronization
import Testing

@Suite("Connect data model")
struct DataModelTests {
    @Test func offsetMapKeepsOrderAndComparesLikeJava() {
        var map: OffsetMap = ["cluster": "a", "topic": "t", "partition": 3]
        #expect(map.keys == ["cluster", "topic", "partition"])
        #expect(map.description == #"{"cluster":"a","topic":"t","partition":3}"#)
        let reordered: OffsetMap = ["partition": 3, "topic": "t", "cluster": "a"]
        #expect(map == reordered)
        #expect(map.hashValue == reordered.hashValue)
        map["topic"] = nil
        map["offset"] = 1.5
        #expect(map.description == #"{"cluster":"a","partition":3,"offset":1.5}"#)
        #expect(OffsetValue.int64(1) != OffsetValue.float64(1))
        let partitions: [SourcePartition: SourceOffset] = [reordered: ["offset": 9]]
        #expect(partitions[["cluster": "a", "topic": "t", "partition": 3]] == ["offset": 9])
    }

    @Test func offsetMapFromJSONRejectsNesting() throws {
        let object = JSONObject(["a": .integer(1), "b": .array([])])
        do {
            _ = try OffsetMap(jsonObject: object, in: "offset")
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "offset: field 'b' holds an array; only strings, numbers, booleans and null are allowed")
        }
        #expect(try OffsetMap(jsonObject: JSONObject(["x": .double(2), "y": .null]), in: "offset") == ["x": 2.0, "y": nil])
    }

    @Test func schemaValidation() throws {
        try Schema.int32.validate(.int32(1))
        try Schema.optionalString.validate(.null)
        #expect(throws: ConnectError.self) { try Schema.int32.validate(.int64(1)) }
        #expect(throws: ConnectError.self) { try Schema.string.validate(.null) }
        #expect(throws: ConnectError.self) { try Schema.array(.string).validate(.array(["a", .int8(1)])) }
        #expect(throws: ConnectError.self) { try Schema.map(key: .string, value: .int8).validate(.map([ConnectMapEntry(key: .int8(1), value: .int8(1))])) }
        #expect(throws: ConnectError.self) { try Schema.struct(fields: [("a", .int8), ("a", .int16)]) }
        #expect(throws: ConnectError.self) { try Schema.int8.withDefault("nope") }
        let defaulted = try Schema.int8.withDefault(.int8(3))
        try defaulted.validate(.null)
        #expect(Schema.optionalBytes.isOptional && Schema.optionalBytes.type == .bytes)
        #expect(Schema.map(key: .string, value: .int8).keySchema == .string)
        #expect(Schema.array(.boolean).valueSchema == .boolean)
    }

    @Test func structsCheckFields() throws {
        let schema = try Schema.struct(name: "s", fields: [("id", .int64), ("note", try Schema.optionalString.withDefault("none"))])
        var value = try ConnectStruct(schema: schema)
        #expect(throws: ConnectError.self) { try value.validate() }
        try value.put("id", .int64(7))
        try value.validate()
        #expect(try value.get("note") == "none")
        #expect(value["note"] == .null)
        #expect(throws: ConnectError.self) { try value.put("id", "seven") }
        #expect(throws: ConnectError.self) { try value.put("missing", .int64(1)) }
        #expect(throws: ConnectError.self) { try value.get("missing") }
        #expect(value.description == "Struct{id=7}")
        #expect(throws: ConnectError.self) { try ConnectStruct(schema: .string) }
    }

    @Test func headersAreOrderedAndRepeatable() {
        var headers: ConnectHeaders = []
        headers.addString("a", "1")
        headers.addBytes("b", [2])
        headers.addString("a", "3")
        #expect(headers.count == 3)
        #expect(headers.map(\.key) == ["a", "b", "a"])
        #expect(headers.lastWithName("a")?.value == "3")
        #expect(headers.allWithName("a").count == 2)
        headers.remove("a")
        #expect(headers.map(\.key) == ["b"])
        #expect(headers.first?.schema == .optionalBytes)
    }

    @Test func records() {
        let record = SourceRecord.bytes(
            sourcePartition: ["cluster": "src", "topic": "t", "partition": 0], sourceOffset: ["offset": 41],
            topic: "src.t", kafkaPartition: 0, key: nil, value: [1, 2], timestamp: 1_700_000_000_000)
        #expect(record.keySchema == .optionalBytes)
        #expect(record.key == .null)
        #expect(record.value == .bytes([1, 2]))
        #expect(record == record)

        var sink = SinkRecord(topic: "t", kafkaPartition: 2, kafkaOffset: 10, value: "v", timestamp: 5, timestampType: .createTime)
        sink.topic = "renamed"
        #expect(sink.originalTopicPartition == SinkTopicPartition(topic: "t", partition: 2))
        #expect(sink.originalKafkaOffset == 10)
        #expect(SinkRecord.TimestampType.logAppendTime.id == 1)
        #expect(SinkTopicPartition(topic: "t", partition: 2).description == "t-2")
        #expect(SourceRecordMetadata(topic: "t", partition: 0, offset: -1, timestamp: 3).hasOffset == false)
    }

    @Test func recordsAndSchemasAreValuesWhateverTheirStorage() throws {
        let original = SourceRecord.bytes(
            sourcePartition: ["cluster": "src"], sourceOffset: ["offset": 1], topic: "src.t", key: [1], value: [2])
        var copy = original
        copy.topic = "other"
        copy.value = .bytes([3])
        copy.sourceOffset = ["offset": 2]
        #expect(original.topic == "src.t")
        #expect(original.value == .bytes([2]))
        #expect(original.sourceOffset == ["offset": 1])
        #expect(copy != original)
        copy.topic = "src.t"
        copy.value = .bytes([2])
        copy.sourceOffset = ["offset": 1]
        #expect(copy == original, "equal by content, not by storage")
        #expect(Set([copy, original]).count == 1)

        var schema = Schema.optionalBytes
        schema.name = "renamed"
        #expect(Schema.optionalBytes.name == nil)
        #expect(schema != .optionalBytes)
        schema.name = nil
        #expect(schema == .optionalBytes)
        let map = Schema.map(key: .string, value: .array(.int32))
        #expect(map.keySchema == .string)
        #expect(map.valueSchema?.valueSchema == .int32)
        let structSchema = try Schema.struct(name: "s", fields: [("a", .int8), ("b", .optionalString)])
        var renamed = structSchema
        renamed.doc = "doc"
        #expect(structSchema.doc == nil && structSchema.fields.map(\.name) == ["a", "b"])
        #expect(renamed.fields == structSchema.fields)
    }

    @Test func offsetMapsComparedByStorageOrContent() {
        let map: OffsetMap = ["a": 1, "b": "x"]
        let copy = map
        #expect(copy.sharesStorage(with: map))
        #expect(copy == map)
        let rebuilt: OffsetMap = ["b": "x", "a": 1]
        #expect(!rebuilt.sharesStorage(with: map))
        #expect(rebuilt == map, "order-independent, like Java's Map.equals")
        #expect(OffsetMap(key: "offset", value: 5) == ["offset": 5])
        #expect(OffsetMap() == OffsetMap())
    }

    /// A one-entry map is kept inline, however it was built; growing, shrinking and emptying it
    /// keep order, equality and hashing as for any other map.
    @Test func singleEntryMapsBehaveLikeAnyOther() {
        let inline = OffsetMap(key: "offset", value: 7)
        var built = OffsetMap()
        built["offset"] = 7
        let literal: OffsetMap = ["offset": 7]
        for map in [built, literal] {
            #expect(map == inline && inline == map)
            #expect(map.hashValue == inline.hashValue)
            #expect(map.count == 1 && map.entries == [OffsetMap.Entry(key: "offset", value: 7)])
        }
        #expect(inline != OffsetMap(key: "offset", value: 8))
        #expect(inline != OffsetMap(key: "position", value: 7))
        #expect(inline["position"] == nil && inline["offset"] == .int64(7), "absent, not .null")
        #expect(OffsetMap(key: "offset", value: .null)["offset"] == .some(.null))
        #expect(inline != ["offset": 7, "extra": true])
        #expect(!inline.sharesStorage(with: inline), "nothing to share: the entry is inline")

        var map = inline
        map["offset"] = 9
        #expect(map == ["offset": 9] && inline == ["offset": 7], "a copy changes alone")
        map["generation"] = 2
        #expect(map.keys == ["offset", "generation"] && map.description == #"{"offset":9,"generation":2}"#)
        map["offset"] = nil
        #expect(map == ["generation": 2] && map.hashValue == OffsetMap(key: "generation", value: 2).hashValue)
        map["absent"] = nil
        #expect(map == ["generation": 2])
        map["generation"] = nil
        #expect(map.isEmpty && map == OffsetMap() && map.description == "{}")
        let byMap: [SourceOffset: Int] = [inline: 1]
        #expect(byMap[["offset": 7]] == 1)
    }

    @Test func valueDescriptionsMatchJava() {
        #expect(ConnectValue.float32(0.1).description == "0.1")
        #expect(ConnectValue.float64(1e7).description == "1.0E7")
        #expect(ConnectValue.array(["a", .int32(1)]).description == "[a, 1]")
        #expect(ConnectValue.map([ConnectMapEntry(key: "k", value: .boolean(true))]).description == "{k=true}")
    }
}

@Suite("Connector defaults")
struct ConnectorDefaultsTests {
    final class Recorder: SinkTask {
        let flushed = Synchronized<[[SinkTopicPartition: Int64]]>([])
        init() {}
        var version: String { "1" }
        func start(_ props: [String: String], context: any SinkTaskContext) async throws {}
        func put(_ records: [SinkRecord]) async throws {}
        func flush(_ currentOffsets: [SinkTopicPartition: Int64]) async throws { flushed.update { $0.append(currentOffsets) } }
        func stop() async {}
    }

    final class Validating: SourceConnector {
        init() {}
        var version: String { "1" }
        var configDef: ConfigDef {
            ConfigDef().define("topic", .string, importance: .high, documentation: "Topic.")
        }
        var taskType: any SourceTask.Type { DummySourceTask.self }
        func start(_ props: [String: String], context: any ConnectorContext) async throws {}
        func taskConfigs(maxTasks: Int) async throws -> [[String: String]] { [] }
        func stop() async {}
    }

    @Test func preCommitFlushesAndReturnsOffsets() async throws {
        let task = Recorder()
        let offsets = [SinkTopicPartition(topic: "t", partition: 0): Int64(5)]
        #expect(try await task.preCommit(offsets) == offsets)
        #expect(task.flushed.value == [offsets])
    }

    @Test func validateUsesConfigDefAndRunWaitsForCancellation() async throws {
        let connector = Validating()
        let results = connector.validate([:])
        #expect(results.errorCount == 1)
        #expect(results.first?.errors == [#"Missing required configuration "topic" which has no default value."#])
        #expect(try await connector.alterOffsets(connectorConfig: [:], offsets: [:]) == false)

        await #expect(throws: CancellationError.self) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await connector.run() }
                group.cancelAll()
                try await group.next()
            }
        }
    }
}

/// A tiny lock-protected box for test bookkeeping.
final class Synchronized<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>
    init(_ value: Value) { storage = Mutex(value) }
    var value: Value { storage.withLock { $0 } }
    func update(_ change: (inout Value) -> Void) { storage.withLock { change(&$0) } }
}
