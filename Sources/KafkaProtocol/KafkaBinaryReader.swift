/// Reads Kafka protocol primitive types written by ``KafkaBinaryWriter``.
///
/// Every read validates lengths against the remaining input and throws
/// ``KafkaProtocolDecodingError`` instead of trapping, since the bytes come from the network
/// or from topics other programs write.
public struct KafkaBinaryReader: Sendable {
    private let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        offset = 0
    }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset >= bytes.count }

    public mutating func readInt8() throws(KafkaProtocolDecodingError) -> Int8 { try readBigEndian() }
    public mutating func readInt16() throws(KafkaProtocolDecodingError) -> Int16 { try readBigEndian() }
    public mutating func readInt32() throws(KafkaProtocolDecodingError) -> Int32 { try readBigEndian() }
    public mutating func readInt64() throws(KafkaProtocolDecodingError) -> Int64 { try readBigEndian() }

    public mutating func readBool() throws(KafkaProtocolDecodingError) -> Bool { try readInt8() != 0 }

    public mutating func readString() throws(KafkaProtocolDecodingError) -> String {
        guard let value = try readNullableString() else {
            throw KafkaProtocolDecodingError("null STRING", at: offset - 2)
        }
        return value
    }

    public mutating func readNullableString() throws(KafkaProtocolDecodingError) -> String? {
        let length = Int(try readInt16())
        if length == -1 { return nil }
        guard length >= 0 else { throw KafkaProtocolDecodingError("negative STRING length \(length)", at: offset - 2) }
        let raw = try take(length)
        guard let string = String(validating: raw, as: UTF8.self) else {
            throw KafkaProtocolDecodingError("STRING is not valid UTF-8", at: offset - length)
        }
        return string
    }

    public mutating func readBytes() throws(KafkaProtocolDecodingError) -> [UInt8] {
        guard let value = try readNullableBytes() else {
            throw KafkaProtocolDecodingError("null BYTES", at: offset - 4)
        }
        return value
    }

    public mutating func readNullableBytes() throws(KafkaProtocolDecodingError) -> [UInt8]? {
        let length = Int(try readInt32())
        if length == -1 { return nil }
        guard length >= 0 else { throw KafkaProtocolDecodingError("negative BYTES length \(length)", at: offset - 4) }
        return Array(try take(length))
    }

    /// Reads an ARRAY; a null array (count -1) reads as empty.
    public mutating func readArray<Element>(
        _ readElement: (inout KafkaBinaryReader) throws(KafkaProtocolDecodingError) -> Element
    ) throws(KafkaProtocolDecodingError) -> [Element] {
        let count = Int(try readInt32())
        if count == -1 { return [] }
        // Each element takes at least one byte, which bounds allocations on corrupt input.
        guard count >= 0, count <= remaining else {
            throw KafkaProtocolDecodingError("invalid ARRAY length \(count)", at: offset - 4)
        }
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for _ in 0..<count { elements.append(try readElement(&self)) }
        return elements
    }

    /// Throws unless every byte was consumed; decoders of fixed layouts call this last.
    public func expectEnd(_ what: String) throws(KafkaProtocolDecodingError) {
        guard isAtEnd else {
            throw KafkaProtocolDecodingError("\(remaining) unexpected trailing byte(s) after \(what)", at: offset)
        }
    }

    private mutating func take(_ count: Int) throws(KafkaProtocolDecodingError) -> ArraySlice<UInt8> {
        guard count <= remaining else {
            throw KafkaProtocolDecodingError("needed \(count) byte(s), \(remaining) left", at: offset)
        }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    private mutating func readBigEndian<T: FixedWidthInteger>() throws(KafkaProtocolDecodingError) -> T {
        let raw = try take(MemoryLayout<T>.size)
        return raw.reduce(T.zero) { ($0 << 8) | T(truncatingIfNeeded: $1) }
    }
}

/// Input that does not follow the expected Kafka protocol layout.
public struct KafkaProtocolDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    /// Byte offset in the input where the problem was found.
    public var offset: Int

    public init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "malformed Kafka protocol data at byte \(offset): \(message)" }
}
