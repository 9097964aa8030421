import KafkaProtocol
import Testing

@Suite struct KafkaBinaryCodecTests {
    @Test func primitivesAreBigEndianWithKafkaLengthPrefixes() throws {
        var writer = KafkaBinaryWriter()
        writer.writeInt16(1)
        writer.writeInt32(-2)
        writer.writeInt64(0x0102_0304_0506_0708)
        try writer.writeString("ab")
        try writer.writeNullableString(nil)
        writer.writeNullableBytes([9])
        writer.writeArray([Int32(7)]) { $0.writeInt32($1) }
        #expect(writer.bytes == [
            0, 1,
            0xFF, 0xFF, 0xFF, 0xFE,
            1, 2, 3, 4, 5, 6, 7, 8,
            0, 2, 0x61, 0x62,
            0xFF, 0xFF,
            0, 0, 0, 1, 9,
            0, 0, 0, 1, 0, 0, 0, 7,
        ])

        var reader = KafkaBinaryReader(writer.bytes)
        #expect(try reader.readInt16() == 1)
        #expect(try reader.readInt32() == -2)
        #expect(try reader.readInt64() == 0x0102_0304_0506_0708)
        #expect(try reader.readString() == "ab")
        #expect(try reader.readNullableString() == nil)
        #expect(try reader.readNullableBytes() == [9])
        #expect(try reader.readArray { reader throws(KafkaProtocolDecodingError) in try reader.readInt32() } == [7])
        try reader.expectEnd("test record")
    }

    @Test func truncatedAndCorruptInputThrowsInsteadOfTrapping() {
        var truncated = KafkaBinaryReader([0, 5, 0x61])
        #expect(throws: KafkaProtocolDecodingError.self) { try truncated.readString() }

        var hugeArray = KafkaBinaryReader([0x7F, 0xFF, 0xFF, 0xFF])
        #expect(throws: KafkaProtocolDecodingError.self) {
            try hugeArray.readArray { reader throws(KafkaProtocolDecodingError) in try reader.readInt8() }
        }

        var invalidUTF8 = KafkaBinaryReader([0, 1, 0xFF])
        #expect(throws: KafkaProtocolDecodingError.self) { try invalidUTF8.readString() }

        let trailing = KafkaBinaryReader([0])
        #expect(throws: KafkaProtocolDecodingError.self) { try trailing.expectEnd("nothing") }
    }

    @Test func stringsTooLongForTheFormatThrowInsteadOfTrapping() throws {
        var writer = KafkaBinaryWriter()
        try writer.writeString(String(repeating: "a", count: 32767))
        #expect(writer.bytes.count == 2 + 32767)
        #expect(throws: KafkaProtocolEncodingError.self) { try writer.writeString(String(repeating: "é", count: 16384)) }
        #expect(writer.bytes.count == 2 + 32767, "a failed write appends nothing")
    }
}
