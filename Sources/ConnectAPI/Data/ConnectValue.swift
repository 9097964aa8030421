/// A Connect data value: what converters produce and consume, the counterpart of the Java
/// objects Kafka's `ConnectSchema` accepts (`Byte`, `Short`, …, `byte[]`, `List`, `Map`,
/// `Struct`). `null` is a case of its own.
///
/// Raw bytes (``bytes(_:)`` with ``Schema/optionalBytes``) are the cheap path that
/// MirrorMaker's records take.
public enum ConnectValue: Hashable, Sendable {
    case null
    case boolean(Bool)
    case int8(Int8)
    case int16(Int16)
    case int32(Int32)
    case int64(Int64)
    case float32(Float)
    case float64(Double)
    case string(String)
    case bytes([UInt8])
    case array([ConnectValue])
    /// Map entries in order; keys may be any value (Connect maps need not have string keys).
    case map([ConnectMapEntry])
    indirect case `struct`(ConnectStruct)

    /// The schema type this value belongs to; `nil` for ``null``.
    public var schemaType: SchemaType? {
        switch self {
        case .null: nil
        case .boolean: .boolean
        case .int8: .int8
        case .int16: .int16
        case .int32: .int32
        case .int64: .int64
        case .float32: .float32
        case .float64: .float64
        case .string: .string
        case .bytes: .bytes
        case .array: .array
        case .map: .map
        case .struct: .struct
        }
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The text, if this is a string.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The bytes, if this is a byte array.
    public var bytesValue: [UInt8]? {
        if case .bytes(let bytes) = self { return bytes }
        return nil
    }

    /// Any integer value widened to 64 bits.
    public var int64Value: Int64? {
        switch self {
        case .int8(let number): Int64(number)
        case .int16(let number): Int64(number)
        case .int32(let number): Int64(number)
        case .int64(let number): number
        default: nil
        }
    }

    /// The Java class name Kafka's error messages show for a value of this kind.
    var typeDescription: String {
        switch self {
        case .null: "null"
        case .boolean: "java.lang.Boolean"
        case .int8: "java.lang.Byte"
        case .int16: "java.lang.Short"
        case .int32: "java.lang.Integer"
        case .int64: "java.lang.Long"
        case .float32: "java.lang.Float"
        case .float64: "java.lang.Double"
        case .string: "java.lang.String"
        case .bytes: "[B"
        case .array: "java.util.ArrayList"
        case .map: "java.util.HashMap"
        case .struct: "org.apache.kafka.connect.data.Struct"
        }
    }
}

/// One entry of a ``ConnectValue/map(_:)``.
public struct ConnectMapEntry: Hashable, Sendable {
    public var key: ConnectValue
    public var value: ConnectValue

    public init(key: ConnectValue, value: ConnectValue) {
        self.key = key
        self.value = value
    }
}

extension ConnectValue: ExpressibleByStringLiteral, ExpressibleByNilLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
}

extension ConnectValue: CustomStringConvertible {
    /// A readable rendering: strings and numbers plainly, bytes as their length, containers
    /// recursively.
    public var description: String {
        switch self {
        case .null: "null"
        case .boolean(let flag): String(flag)
        case .int8(let number): String(number)
        case .int16(let number): String(number)
        case .int32(let number): String(number)
        case .int64(let number): String(number)
        case .float32(let number): JavaCompat.floatString(number)
        case .float64(let number): JavaCompat.doubleString(number)
        case .string(let text): text
        case .bytes(let bytes): "bytes[\(bytes.count)]"
        case .array(let elements): "[" + elements.map(\.description).joined(separator: ", ") + "]"
        case .map(let entries): "{" + entries.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + "}"
        case .struct(let value): value.description
        }
    }
}

/// A value together with the schema describing it (either may be absent), like Kafka's
/// `SchemaAndValue`.
public struct SchemaAndValue: Hashable, Sendable {
    public var schema: Schema?
    public var value: ConnectValue

    public init(schema: Schema?, value: ConnectValue) {
        self.schema = schema
        self.value = value
    }

    /// No schema and no value.
    public static let null = SchemaAndValue(schema: nil, value: .null)
}
