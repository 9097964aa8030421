import ConnectAPI
import Testing

@Suite("ByteArray, String and SimpleHeader converters")
struct ConvertersTests {
    @Test func byteArrayPassesBytesThrough() throws {
        let converter = ByteArrayConverter()
        try converter.configure([:], isKey: true)
        #expect(try converter.fromConnectData(topic: "t", schema: .optionalBytes, value: .bytes([1, 2, 3])) == [1, 2, 3])
        #expect(try converter.fromConnectData(topic: "t", schema: nil, value: .null) == nil)
        #expect(try converter.toConnectData(topic: "t", bytes: [9]) == SchemaAndValue(schema: .optionalBytes, value: .bytes([9])))
        #expect(try converter.toConnectData(topic: "t", bytes: nil) == SchemaAndValue(schema: .optionalBytes, value: .null))
        #expect(throws: ConnectError.self) { try converter.fromConnectData(topic: "t", schema: .string, value: .bytes([1])) }
        do {
            _ = try converter.fromConnectData(topic: "t", schema: nil, value: "text")
            Issue.record("expected an error")
        } catch let error as ConnectError {
            #expect(error.message == "ByteArrayConverter is not compatible with objects of type java.lang.String")
        }
    }

    @Test func stringConverterEncodings() throws {
        let utf8 = StringConverter()
        try utf8.configure([:], isKey: false)
        #expect(try utf8.fromConnectData(topic: "t", schema: .string, value: "héllo") == Array("héllo".utf8))
        #expect(try utf8.fromConnectData(topic: "t", schema: nil, value: .int64(42)) == Array("42".utf8))
        #expect(try utf8.fromConnectData(topic: "t", schema: nil, value: .float64(1.5)) == Array("1.5".utf8))
        #expect(try utf8.fromConnectData(topic: "t", schema: nil, value: .null) == nil)
        #expect(try utf8.toConnectData(topic: "t", bytes: Array("héllo".utf8)) == SchemaAndValue(schema: .optionalString, value: "héllo"))
        #expect(try utf8.toConnectData(topic: "t", bytes: nil) == SchemaAndValue(schema: .optionalString, value: .null))

        let utf16 = StringConverter()
        try utf16.configure(["converter.encoding": "UTF-16"], isKey: true)
        #expect(try utf16.fromConnectData(topic: "t", schema: nil, value: "hi") == [0xFE, 0xFF, 0, 0x68, 0, 0x69])
        #expect(try utf16.toConnectData(topic: "t", bytes: [0xFF, 0xFE, 0x68, 0, 0x69, 0]).value == "hi")

        let latin1 = StringConverter()
        try latin1.configure(["converter.encoding": "ISO-8859-1"], isKey: true)
        #expect(try latin1.fromConnectData(topic: "t", schema: nil, value: "é€") == [0xE9, UInt8(ascii: "?")])
        #expect(try latin1.toConnectData(topic: "t", bytes: [0xE9]).value == "é")

        #expect(throws: ConnectError.self) { try StringConverter().configure(["converter.encoding": "EBCDIC"], isKey: false) }
    }

    @Test func simpleHeaderConverterWritesText() throws {
        let converter = SimpleHeaderConverter()
        func write(_ value: ConnectValue, _ schema: Schema? = nil) throws -> String? {
            try converter.fromConnectHeader(topic: "t", headerKey: "h", schema: schema, value: value)
                .map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(try write("plain") == "plain")
        #expect(try write(.int32(-5)) == "-5")
        #expect(try write(.float32(0.1)) == "0.1")
        #expect(try write(true) == "true")
        #expect(try write(.bytes(Array("test-string".utf8))) == "dGVzdC1zdHJpbmc=")
        #expect(try write(.array(["a", .int32(1)])) == #"["a",1]"#)
        #expect(try write(.map([ConnectMapEntry(key: "k", value: "v\"")])) == #"{"k":"v\""}"#)
        #expect(try write(.null) == nil)
    }

    @Test func simpleHeaderConverterInfersTypes() throws {
        let converter = SimpleHeaderConverter()
        func read(_ text: String?) throws -> SchemaAndValue {
            try converter.toConnectHeader(topic: "t", headerKey: "h", bytes: text.map { Array($0.utf8) })
        }
        #expect(try read(nil) == .null)
        #expect(try read("") == SchemaAndValue(schema: .string, value: ""))
        #expect(try read("true") == SchemaAndValue(schema: .boolean, value: true))
        #expect(try read("12") == SchemaAndValue(schema: .int8, value: .int8(12)))
        #expect(try read("-300") == SchemaAndValue(schema: .int16, value: .int16(-300)))
        #expect(try read("70000") == SchemaAndValue(schema: .int32, value: .int32(70000)))
        #expect(try read("9223372036854775807") == SchemaAndValue(schema: .int64, value: .int64(.max)))
        #expect(try read("1.5") == SchemaAndValue(schema: .float32, value: .float32(1.5)))
        #expect(try read("1e400") == SchemaAndValue(schema: .string, value: "1e400"))
        #expect(try read("12abc") == SchemaAndValue(schema: .string, value: "12abc"))
        #expect(try read("hello world") == SchemaAndValue(schema: .string, value: "hello world"))
    }
}
