import KafkaProtocol

// Readers for the "flexible version" encodings (see KafkaBinaryWriter+Flexible.swift).
// Tagged fields are skipped: none of the fields we need is tagged.
extension KafkaBinaryReader {
    /// UNSIGNED_VARINT of at most 32 bits (5 bytes).
    mutating func readUnsignedVarint() throws(KafkaProtocolDecodingError) -> UInt32 {
        let start = offset
        var value: UInt32 = 0
        for index in 0..<5 {
            let byte = UInt8(bitPattern: try readInt8())
            if index == 4, byte > 0x0F {
                throw KafkaProtocolDecodingError("UNSIGNED_VARINT does not fit 32 bits", at: start)
            }
            value |= UInt32(byte & 0x7F) << (7 * UInt32(index))
            if byte & 0x80 == 0 { return value }
        }
        throw KafkaProtocolDecodingError("UNSIGNED_VARINT longer than 5 bytes", at: start)
    }

    /// `count` bytes with no length prefix.
    mutating func readRawBytes(_ count: Int) throws(KafkaProtocolDecodingError) -> [UInt8] {
        guard count >= 0, count <= remaining else {
            throw KafkaProtocolDecodingError("needed \(count) byte(s), \(remaining) left", at: offset)
        }
        var result = [UInt8]()
        result.reserveCapacity(count)
        // Cannot fail: the length was checked above.
        for _ in 0..<count { result.append(UInt8(bitPattern: try readInt8())) }
        return result
    }

    /// The length of a compact field: nil for null (encoded 0), else the decoded length.
    private mutating func readCompactLength(_ what: String) throws(KafkaProtocolDecodingError) -> Int? {
        let start = offset
        let encoded = Int(try readUnsignedVarint())
        if encoded == 0 { return nil }
        let length = encoded - 1
        guard length <= remaining else {
            throw KafkaProtocolDecodingError("\(what) length \(length) exceeds the \(remaining) byte(s) left", at: start)
        }
        return length
    }

    mutating func readCompactNullableString() throws(KafkaProtocolDecodingError) -> String? {
        let start = offset
        guard let length = try readCompactLength("COMPACT_STRING") else { return nil }
        let raw = try readRawBytes(length)
        guard let string = String(validating: raw, as: UTF8.self) else {
            throw KafkaProtocolDecodingError("COMPACT_STRING is not valid UTF-8", at: start)
        }
        return string
    }

    mutating func readCompactString() throws(KafkaProtocolDecodingError) -> String {
        let start = offset
        guard let value = try readCompactNullableString() else {
            throw KafkaProtocolDecodingError("null COMPACT_STRING", at: start)
        }
        return value
    }

    mutating func readCompactNullableBytes() throws(KafkaProtocolDecodingError) -> [UInt8]? {
        guard let length = try readCompactLength("COMPACT_BYTES") else { return nil }
        return try readRawBytes(length)
    }

    mutating func readCompactBytes() throws(KafkaProtocolDecodingError) -> [UInt8] {
        let start = offset
        guard let value = try readCompactNullableBytes() else {
            throw KafkaProtocolDecodingError("null COMPACT_BYTES", at: start)
        }
        return value
    }

    /// COMPACT_ARRAY; a null array reads as empty.
    mutating func readCompactArray<Element>(
        _ readElement: (inout KafkaBinaryReader) throws(KafkaProtocolDecodingError) -> Element
    ) throws(KafkaProtocolDecodingError) -> [Element] {
        // Each element takes at least one byte, so the length check bounds allocations.
        guard let count = try readCompactLength("COMPACT_ARRAY") else { return [] }
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for _ in 0..<count { elements.append(try readElement(&self)) }
        return elements
    }

    /// Skips a tagged-field section.
    mutating func skipTaggedFields() throws(KafkaProtocolDecodingError) {
        let count = try readUnsignedVarint()
        for _ in 0..<count {
            _ = try readUnsignedVarint()  // tag
            let size = Int(try readUnsignedVarint())
            _ = try readRawBytes(size)
        }
    }

    // MARK: Version-aware helpers

    mutating func readString(compact: Bool) throws(KafkaProtocolDecodingError) -> String {
        compact ? try readCompactString() : try readString()
    }

    mutating func readNullableString(compact: Bool) throws(KafkaProtocolDecodingError) -> String? {
        compact ? try readCompactNullableString() : try readNullableString()
    }

    mutating func readBytes(compact: Bool) throws(KafkaProtocolDecodingError) -> [UInt8] {
        compact ? try readCompactBytes() : try readBytes()
    }

    mutating func readArray<Element>(
        compact: Bool, _ readElement: (inout KafkaBinaryReader) throws(KafkaProtocolDecodingError) -> Element
    ) throws(KafkaProtocolDecodingError) -> [Element] {
        compact ? try readCompactArray(readElement) : try readArray(readElement)
    }

    /// Ends a structure: skips its tagged fields in flexible versions.
    mutating func skipTaggedFields(ifFlexible flexible: Bool) throws(KafkaProtocolDecodingError) {
        if flexible { try skipTaggedFields() }
    }
}
