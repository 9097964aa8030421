import KafkaProtocol

// The "flexible version" encodings of the Kafka protocol (KIP-482): unsigned varints,
// compact (varint length + 1) strings, bytes and arrays, and tagged-field sections.
// Also version-aware helpers that pick the compact or classic encoding, so message codecs
// read like the protocol's JSON schemas.
extension KafkaBinaryWriter {
    /// UNSIGNED_VARINT: 7 bits per byte, least significant group first.
    mutating func writeUnsignedVarint(_ value: UInt32) {
        var remaining = value
        while remaining >= 0x80 {
            writeRaw([UInt8(truncatingIfNeeded: remaining) | 0x80])
            remaining >>= 7
        }
        writeRaw([UInt8(remaining)])
    }

    /// COMPACT_STRING: length + 1 as an unsigned varint, then UTF-8.
    mutating func writeCompactString(_ value: String) throws(KafkaProtocolEncodingError) {
        let utf8 = Array(value.utf8)
        guard utf8.count <= Self.maxStringLength else {
            throw KafkaProtocolEncodingError("a STRING holds at most \(Self.maxStringLength) bytes, got \(utf8.count)")
        }
        writeUnsignedVarint(UInt32(utf8.count + 1))
        writeRaw(utf8)
    }

    /// COMPACT_NULLABLE_STRING: 0 for null.
    mutating func writeCompactNullableString(_ value: String?) throws(KafkaProtocolEncodingError) {
        guard let value else { return writeUnsignedVarint(0) }
        try writeCompactString(value)
    }

    /// COMPACT_BYTES: length + 1 as an unsigned varint, then the bytes.
    mutating func writeCompactBytes(_ value: [UInt8]) {
        writeUnsignedVarint(UInt32(value.count + 1))
        writeRaw(value)
    }

    /// COMPACT_ARRAY: element count + 1 as an unsigned varint, then each element.
    mutating func writeCompactArray<Element, Failure: Error>(
        _ elements: [Element], _ writeElement: (inout KafkaBinaryWriter, Element) throws(Failure) -> Void
    ) throws(Failure) {
        writeUnsignedVarint(UInt32(elements.count + 1))
        for element in elements { try writeElement(&self, element) }
    }

    /// An empty tagged-field section (we never send tagged fields).
    mutating func writeEmptyTaggedFields() { writeUnsignedVarint(0) }

    // MARK: Version-aware helpers

    mutating func writeString(_ value: String, compact: Bool) throws(KafkaProtocolEncodingError) {
        if compact { try writeCompactString(value) } else { try writeString(value) }
    }

    mutating func writeNullableString(_ value: String?, compact: Bool) throws(KafkaProtocolEncodingError) {
        if compact { try writeCompactNullableString(value) } else { try writeNullableString(value) }
    }

    mutating func writeBytes(_ value: [UInt8], compact: Bool) {
        if compact { writeCompactBytes(value) } else { writeBytes(value) }
    }

    mutating func writeArray<Element, Failure: Error>(
        _ elements: [Element], compact: Bool, _ writeElement: (inout KafkaBinaryWriter, Element) throws(Failure) -> Void
    ) throws(Failure) {
        if compact { try writeCompactArray(elements, writeElement) } else { try writeArray(elements, writeElement) }
    }

    /// Ends a structure: an empty tagged-field section in flexible versions, nothing otherwise.
    mutating func writeTaggedFields(ifFlexible flexible: Bool) {
        if flexible { writeEmptyTaggedFields() }
    }
}
