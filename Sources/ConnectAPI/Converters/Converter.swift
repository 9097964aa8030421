/// Translates between Connect data and the bytes of a Kafka record key or value, like Kafka's
/// `Converter`. The runtime creates one per connector and role (key or value), calls
/// ``configure(_:isKey:)`` once, then converts from any number of tasks concurrently.
/// Implementations keep their configuration behind a `Mutex`.
public protocol Converter: AnyObject, Sendable {
    init()

    /// The converter's properties (used to validate `key.converter.*` / `value.converter.*`).
    /// Default: empty.
    var configDef: ConfigDef { get }

    /// Configures the converter with its properties (the `key.converter.` / `value.converter.`
    /// prefix removed); `isKey` tells which role it has.
    /// - Throws: ``ConnectError`` (or `ConfigException`) for invalid properties.
    func configure(_ props: [String: String], isKey: Bool) throws

    /// Serializes `value` (described by `schema`) for `topic`; `nil` means a null record
    /// key or value (a tombstone).
    /// - Throws: ``ConnectError`` when the value cannot be converted.
    func fromConnectData(topic: String, schema: Schema?, value: ConnectValue) throws -> [UInt8]?

    /// Like ``fromConnectData(topic:schema:value:)`` with the record's headers available.
    /// Default: ignores the headers.
    func fromConnectData(topic: String, headers: ConnectHeaders, schema: Schema?, value: ConnectValue) throws -> [UInt8]?

    /// Deserializes the bytes of a record key or value (`nil` for a null one).
    /// - Throws: ``ConnectError`` when the bytes are not in the expected format.
    func toConnectData(topic: String, bytes: [UInt8]?) throws -> SchemaAndValue

    /// Like ``toConnectData(topic:bytes:)`` with the record's headers available.
    /// Default: ignores the headers.
    func toConnectData(topic: String, headers: ConnectHeaders, bytes: [UInt8]?) throws -> SchemaAndValue
}

extension Converter {
    public var configDef: ConfigDef { ConfigDef() }

    public func fromConnectData(topic: String, headers: ConnectHeaders, schema: Schema?, value: ConnectValue) throws -> [UInt8]? {
        try fromConnectData(topic: topic, schema: schema, value: value)
    }

    public func toConnectData(topic: String, headers: ConnectHeaders, bytes: [UInt8]?) throws -> SchemaAndValue {
        try toConnectData(topic: topic, bytes: bytes)
    }
}

/// Translates between Connect header values and header bytes, like Kafka's `HeaderConverter`.
/// Configured once with the `header.converter.` properties, then used concurrently.
public protocol HeaderConverter: AnyObject, Sendable {
    init()

    /// The converter's properties. Default: empty.
    var configDef: ConfigDef { get }

    /// Configures the converter (prefix removed).
    func configure(_ props: [String: String]) throws

    /// Serializes one header value; `nil` means a header with a null value.
    func fromConnectHeader(topic: String, headerKey: String, schema: Schema?, value: ConnectValue) throws -> [UInt8]?

    /// Deserializes one header value (`nil` for a null one).
    func toConnectHeader(topic: String, headerKey: String, bytes: [UInt8]?) throws -> SchemaAndValue
}

extension HeaderConverter {
    public var configDef: ConfigDef { ConfigDef() }
}
