import ConnectAPI
import Testing

@Suite("JsonConverter")
struct JsonConverterTests {
    private func converter(_ props: [String: String] = [:], isKey: Bool = false) throws -> JsonConverter {
        let converter = JsonConverter()
        try converter.configure(props, isKey: isKey)
        return converter
    }

    private func text(_ bytes: [UInt8]?) -> String? {
        bytes.map { String(decoding: $0, as: UTF8.self) }
    }

    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    // MARK: Golden output (Jackson keeps insertion order, so these are byte-exact)

    @Test func primitivesInEnvelope() throws {
        let json = try converter()
        #expect(text(try json.fromConnectData(topic: "t", schema: .boolean, value: true))
            == #"{"schema":{"type":"boolean","optional":false},"payload":true}"#)
        #expect(text(try json.fromConnectData(topic: "t", schema: .int8, value: .int8(12)))
            == #"{"schema":{"type":"int8","optional":false},"payload":12}"#)
        #expect(text(try json.fromConnectData(topic: "t", schema: .int64, value: .int64(.max)))
            == #"{"schema":{"type":"int64","optional":false},"payload":9223372036854775807}"#)
        #expect(text(try json.fromConnectData(topic: "t", schema: .float32, value: .float32(12.34)))
            == #"{"schema":{"type":"float","optional":false},"payload":12.34}"#)
        #expect(text(try json.fromConnectData(topic: "t", schema: .float64, value: .float64(1e20)))
            == #"{"schema":{"type":"double","optional":false},"payload":1.0E20}"#)
        #expect(text(try json.fromConnectData(topic: "t", schema: .optionalString, value: "a\"b"))
            == #"{"schema":{"type":"string","optional":true},"payload":"a\"b"}"#)
        #expect(text(try json.fromConnectData(topic: "t", schema: .bytes, value: .bytes(bytes("test-string"))))
            == #"{"schema":{"type":"bytes","optional":false},"payload":"dGVzdC1zdHJpbmc="}"#)
    }

    @Test func schemaMetadataAndLogicalTypes() throws {
        let json = try converter()
        let decimal = Schema.bytes.named(Schema.LogicalName.decimal).withVersion(1).withParameter("scale", "2")
        // 1.56 with scale 2: unscaled 156 = 0x009C.
        #expect(text(try json.fromConnectData(topic: "t", schema: decimal, value: .bytes([0x00, 0x9C])))
            == #"{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":"AJw="}"#)
        let date = Schema.int32.named(Schema.LogicalName.date).withVersion(1)
        #expect(text(try json.fromConnectData(topic: "t", schema: date, value: .int32(10000)))
            == #"{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Date","version":1},"payload":10000}"#)
        let documented = try Schema.optionalInt32.withDoc("count").withDefault(.int32(5))
        #expect(text(try json.fromConnectData(topic: "t", schema: documented, value: .null))
            == #"{"schema":{"type":"int32","optional":true,"doc":"count","default":5},"payload":5}"#)
    }

    @Test func complexTypes() throws {
        let json = try converter()
        let array = Schema.array(.int32)
        #expect(text(try json.fromConnectData(topic: "t", schema: array, value: .array([.int32(1), .int32(2), .int32(3)])))
            == #"{"schema":{"type":"array","items":{"type":"int32","optional":false},"optional":false},"payload":[1,2,3]}"#)

        let stringMap = Schema.map(key: .string, value: .int32)
        let stringEntries: ConnectValue = .map([
            ConnectMapEntry(key: "key1", value: .int32(12)), ConnectMapEntry(key: "key2", value: .int32(15)),
        ])
        #expect(text(try json.fromConnectData(topic: "t", schema: stringMap, value: stringEntries))
            == #"{"schema":{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":{"key1":12,"key2":15}}"#)

        let intMap = Schema.map(key: .int32, value: .int32)
        let intEntries: ConnectValue = .map([
            ConnectMapEntry(key: .int32(1), value: .int32(12)), ConnectMapEntry(key: .int32(2), value: .int32(15)),
        ])
        #expect(text(try json.fromConnectData(topic: "t", schema: intMap, value: intEntries))
            == #"{"schema":{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":[[1,12],[2,15]]}"#)

        let structSchema = try Schema.struct(fields: [("field1", .boolean), ("field2", .string), ("field3", .optionalString)])
        let value = try ConnectStruct(schema: structSchema).putting("field1", true).putting("field2", "string2")
        #expect(text(try json.fromConnectData(topic: "t", schema: structSchema, value: .struct(value)))
            == #"{"schema":{"type":"struct","fields":[{"type":"boolean","optional":false,"field":"field1"},{"type":"string","optional":false,"field":"field2"},{"type":"string","optional":true,"field":"field3"}],"optional":false},"payload":{"field1":true,"field2":"string2","field3":null}}"#)
    }

    @Test func schemalessAndNulls() throws {
        let json = try converter()
        #expect(text(try json.fromConnectData(topic: "t", schema: nil, value: true)) == #"{"schema":null,"payload":true}"#)
        #expect(try json.fromConnectData(topic: "t", schema: nil, value: .null) == nil)
        #expect(text(try json.fromConnectData(topic: "t", schema: .optionalString, value: .null))
            == #"{"schema":{"type":"string","optional":true},"payload":null}"#)
        #expect(try json.toConnectData(topic: "t", bytes: nil) == .null)

        let plain = try converter(["schemas.enable": "false"])
        #expect(try plain.fromConnectData(topic: "t", schema: nil, value: .null) == nil)
        let mixedKeys: ConnectValue = .map([ConnectMapEntry(key: "a", value: .int64(1)), ConnectMapEntry(key: .int32(2), value: "b")])
        #expect(text(try plain.fromConnectData(topic: "t", schema: nil, value: mixedKeys)) == #"[["a",1],[2,"b"]]"#)
        #expect(text(try plain.fromConnectData(topic: "t", schema: .int32, value: .int32(42))) == "42")
    }

    // MARK: Reading

    @Test func readsEnvelopes() throws {
        let json = try converter()
        let read = try json.toConnectData(topic: "t", bytes: bytes(#"{"schema":{"type":"int64"},"payload":9223372036854775807}"#))
        #expect(read == SchemaAndValue(schema: .int64, value: .int64(.max)))

        let optional = try json.toConnectData(topic: "t", bytes: bytes(#"{"schema":{"type":"string","optional":true},"payload":null}"#))
        #expect(optional == SchemaAndValue(schema: .optionalString, value: .null))

        let defaulted = try json.toConnectData(
            topic: "t", bytes: bytes(#"{"schema":{"type":"int32","optional":true,"default":7},"payload":null}"#))
        #expect(defaulted.value == .int32(7))
        #expect(defaulted.schema?.defaultValue == .int32(7))

        let bytesValue = try json.toConnectData(topic: "t", bytes: bytes(#"{"schema":{"type":"bytes"},"payload":"dGVzdC1zdHJpbmc="}"#))
        #expect(bytesValue.value == .bytes(bytes("test-string")))
    }

    @Test func roundTripsEveryType() throws {
        let json = try converter()
        let inner = try Schema.struct(name: "inner", fields: [("n", .optionalInt16)]).optional()
        let schema = try Schema.struct(name: "com.example.Record", fields: [
            ("b", .boolean), ("i8", .int8), ("i16", .int16), ("i32", .int32), ("i64", .int64),
            ("f32", .float32), ("f64", .float64), ("s", .string), ("raw", .bytes),
            ("list", .array(.optionalString)), ("byName", .map(key: .string, value: .float64)),
            ("byNumber", .map(key: .int64, value: .boolean)), ("inner", inner),
        ]).withVersion(3).withDoc("a record")
        let innerValue = try ConnectStruct(schema: inner).putting("n", .int16(-7))
        let value = try ConnectStruct(schema: schema)
            .putting("b", true).putting("i8", .int8(-128)).putting("i16", .int16(300)).putting("i32", .int32(.min))
            .putting("i64", .int64(.min)).putting("f32", .float32(0.1)).putting("f64", .float64(-2.5e-300))
            .putting("s", "héllo\n").putting("raw", .bytes([0, 255, 10]))
            .putting("list", .array(["x", .null]))
            .putting("byName", .map([ConnectMapEntry(key: "pi", value: .float64(3.14159))]))
            .putting("byNumber", .map([ConnectMapEntry(key: .int64(1 << 40), value: false)]))
            .putting("inner", .struct(innerValue))
        let encoded = try #require(try json.fromConnectData(topic: "t", schema: schema, value: .struct(value)))
        let decoded = try json.toConnectData(topic: "t", bytes: encoded)
        #expect(decoded.schema == schema)
        #expect(decoded.value == .struct(value))
    }

    @Test func schemasDisabledInfersTypes() throws {
        let plain = try converter(["schemas.enable": "false"])
        let read = try plain.toConnectData(topic: "t", bytes: bytes(#"{"a":1,"b":[true,null,2.5],"c":"x"}"#))
        #expect(read.schema == nil)
        #expect(read.value == .map([
            ConnectMapEntry(key: "a", value: .int64(1)),
            ConnectMapEntry(key: "b", value: .array([true, .null, .float64(2.5)])),
            ConnectMapEntry(key: "c", value: "x"),
        ]))
        #expect(try plain.toConnectData(topic: "t", bytes: bytes("null")) == .null)
    }

    // MARK: Bad input

    private func message(_ body: () throws -> Any?) -> String? {
        do {
            _ = try body()
            return nil
        } catch let error as ConnectError {
            return error.message
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func badInputThrowsClearErrors() throws {
        let json = try converter()
        #expect(message { try json.toConnectData(topic: "t", bytes: self.bytes("not json")) }?
            .hasPrefix("Converting byte[] to Kafka Connect data failed due to serialization error: ") == true)
        #expect(message { try json.toConnectData(topic: "t", bytes: self.bytes(#"{"a":1}"#)) }?
            .hasPrefix(#"JsonConverter with schemas.enable requires "schema" and "payload" fields"#) == true)
        #expect(message { try json.toConnectData(topic: "t", bytes: self.bytes(#"{"schema":{"type":"foo"},"payload":1}"#)) }
            == "Unknown schema type: foo")
        #expect(message { try json.toConnectData(topic: "t", bytes: self.bytes(#"{"schema":{"optional":true},"payload":1}"#)) }
            == "Schema must contain 'type' field")
        #expect(message { try json.toConnectData(topic: "t", bytes: self.bytes(#"{"schema":{"type":"int32"},"payload":null}"#)) }
            == "Invalid null value for required INT32 field")
        #expect(message { try json.toConnectData(topic: "t", bytes: self.bytes(#"{"schema":{"type":"int8"},"payload":300}"#)) }
            == "Invalid JSON for INT8 schema: 300 is out of range")
        #expect(message { try json.toConnectData(topic: "t", bytes: self.bytes(#"{"schema":{"type":"string"},"payload":5}"#)) }
            == "Invalid JSON for STRING schema: expected a string but found an integer")
        #expect(message { try json.toConnectData(topic: "t", bytes: self.bytes(#"{"schema":{"type":"bytes"},"payload":"%%%"}"#)) }
            == "Invalid bytes field: not valid base64")
        #expect(message { try json.fromConnectData(topic: "t", schema: .int32, value: "x") } == "Invalid type for INT32: java.lang.String")
        #expect(message { try json.fromConnectData(topic: "t", schema: .int32, value: .null) }
            == "Conversion error: null value for field that is required and has no default value")
        #expect(message { try self.converter(["schemas.enable": "maybe"]) }
            == "Invalid value maybe for configuration schemas.enable: Expected value to be either true or false")
        #expect(message { try self.converter(["decimal.format": "numeric"]) } == "decimal.format=NUMERIC is not supported; use BASE64")
    }
}
