/// Passes raw bytes through unchanged: Kafka's
/// `org.apache.kafka.connect.converters.ByteArrayConverter`, the MirrorMaker 2 default for keys,
/// values and headers.
public final class ByteArrayConverter: Converter, HeaderConverter {
    public static let className = "org.apache.kafka.connect.converters.ByteArrayConverter"

    public init() {}

    public var configDef: ConfigDef { ConverterConfig.baseConfigDef }

    public func configure(_ props: [String: String], isKey: Bool) throws {}
    public func configure(_ props: [String: String]) throws {}

    /// Bytes for a `bytes` (or absent) schema and a bytes or null value.
    /// - Throws: ``ConnectError`` for another schema type or value kind.
    public func fromConnectData(topic: String, schema: Schema?, value: ConnectValue) throws -> [UInt8]? {
        if let schema, schema.type != .bytes {
            throw ConnectError("Invalid schema type for ByteArrayConverter: \(schema.type.rawValue.uppercased())")
        }
        switch value {
        case .null: return nil
        case .bytes(let bytes): return bytes
        default: throw ConnectError("ByteArrayConverter is not compatible with objects of type \(value.typeDescription)")
        }
    }

    /// The bytes with ``Schema/optionalBytes`` (a null value for `nil`).
    public func toConnectData(topic: String, bytes: [UInt8]?) throws -> SchemaAndValue {
        SchemaAndValue(schema: .optionalBytes, value: bytes.map(ConnectValue.bytes) ?? .null)
    }

    public func fromConnectHeader(topic: String, headerKey: String, schema: Schema?, value: ConnectValue) throws -> [UInt8]? {
        try fromConnectData(topic: topic, schema: schema, value: value)
    }

    public func toConnectHeader(topic: String, headerKey: String, bytes: [UInt8]?) throws -> SchemaAndValue {
        try toConnectData(topic: topic, bytes: bytes)
    }
}
