/// Appends Kafka protocol primitive types (big-endian integers, INT16-length-prefixed
/// strings, INT32-length-prefixed bytes and arrays) to a byte buffer.
///
/// These are the "classic" (non-flexible) encodings used by Kafka's `Struct`/`Schema`
/// types, which is what MirrorMaker 2 records and Connect's group protocol metadata use.
public struct KafkaBinaryWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(reservingCapacity capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func writeInt8(_ value: Int8) { bytes.append(UInt8(bitPattern: value)) }
    public mutating func writeInt16(_ value: Int16) { appendBigEndian(value) }
    public mutating func writeInt32(_ value: Int32) { appendBigEndian(value) }
    public mutating func writeInt64(_ value: Int64) { appendBigEndian(value) }

    public mutating func writeBool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    /// The most UTF-8 bytes a STRING can hold (its length is an INT16).
    public static let maxStringLength = Int(Int16.max)

    /// STRING: INT16 byte length, then UTF-8.
    ///
    /// - Throws: ``KafkaProtocolEncodingError`` for strings longer than 32767 UTF-8 bytes,
    ///   which the format cannot represent (e.g. oversized commit metadata).
    public mutating func writeString(_ value: String) throws(KafkaProtocolEncodingError) {
        let length = value.utf8.count
        guard length <= Self.maxStringLength else {
            throw KafkaProtocolEncodingError("a STRING holds at most \(Self.maxStringLength) bytes, got \(length)")
        }
        writeInt16(Int16(length))
        bytes.append(contentsOf: value.utf8)
    }

    /// NULLABLE_STRING: length -1 for null.
    public mutating func writeNullableString(_ value: String?) throws(KafkaProtocolEncodingError) {
        guard let value else { return writeInt16(-1) }
        try writeString(value)
    }

    /// BYTES: INT32 length, then the bytes.
    public mutating func writeBytes(_ value: [UInt8]) {
        writeInt32(Int32(value.count))
        bytes.append(contentsOf: value)
    }

    /// NULLABLE_BYTES: length -1 for null.
    public mutating func writeNullableBytes(_ value: [UInt8]?) {
        guard let value else { return writeInt32(-1) }
        writeBytes(value)
    }

    /// ARRAY: INT32 element count, then each element.
    public mutating func writeArray<Element, Failure: Error>(
        _ elements: [Element], _ writeElement: (inout KafkaBinaryWriter, Element) throws(Failure) -> Void
    ) throws(Failure) {
        writeInt32(Int32(elements.count))
        for element in elements { try writeElement(&self, element) }
    }

    /// Appends bytes with no length prefix.
    public mutating func writeRaw(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }

    private mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}

/// A value that the Kafka protocol types cannot represent.
public struct KafkaProtocolEncodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { "cannot encode Kafka protocol data: \(message)" }
}
