import Foundation
import Synchronization

/// Converts Connect data to and from JSON: Kafka's `org.apache.kafka.connect.json.JsonConverter`.
///
/// With `schemas.enable=true` (the default) every key or value is written as an envelope
/// `{"schema": <schema>, "payload": <value>}` using Kafka's JSON schema notation; with
/// `schemas.enable=false` only the plain JSON value is written, and reading infers the types
/// (integers become int64, other numbers float64, objects string-keyed maps). Bytes are base64
/// strings; a null value without a schema is a null record (tombstone) both ways. Integers keep
/// all 64 bits.
public final class JsonConverter: Converter, HeaderConverter {
    public static let className = "org.apache.kafka.connect.json.JsonConverter"

    public static let schemasEnableConfig = "schemas.enable"
    public static let schemasCacheSizeConfig = "schemas.cache.size"
    public static let decimalFormatConfig = "decimal.format"
    public static let replaceNullWithDefaultConfig = "replace.null.with.default"

    /// Kafka's `JsonConverterConfig` definition.
    public static let jsonConfigDef = ConverterConfig.baseConfigDef
        .define(schemasEnableConfig, .boolean, defaultValue: .boolean(true), importance: .high,
                documentation: "Include schemas within each of the serialized values and keys.",
                group: "Schemas", orderInGroup: 0, width: .medium, displayName: "Enable Schemas")
        .define(schemasCacheSizeConfig, .int, defaultValue: .int(1000), importance: .high,
                documentation: "The maximum number of schemas that can be cached in this converter instance.",
                group: "Schemas", orderInGroup: 1, width: .medium, displayName: "Schema Cache Size")
        .define(decimalFormatConfig, .string, defaultValue: .string("BASE64"),
                validator: .caseInsensitiveIn("BASE64", "NUMERIC"), importance: .low,
                documentation: "Controls which format this converter will serialize decimals in. This value is case insensitive and can be either 'BASE64' (default) or 'NUMERIC'",
                group: "Serialization", orderInGroup: 0, width: .medium, displayName: "Decimal Format")
        .define(replaceNullWithDefaultConfig, .boolean, defaultValue: .boolean(true), importance: .low,
                documentation: "Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.",
                group: "Serialization", orderInGroup: 1, width: .medium, displayName: "Replace null with default")

    struct Settings: Sendable {
        var schemasEnabled = true
        var replaceNullWithDefault = true
    }

    private let settings = Mutex(Settings())

    public init() {}

    public var configDef: ConfigDef { Self.jsonConfigDef }

    /// Whether values are written in a schema envelope.
    public var schemasEnabled: Bool { settings.withLock { $0.schemasEnabled } }

    public func configure(_ props: [String: String], isKey: Bool) throws {
        try configure(ConverterConfig.withType(props, isKey: isKey))
    }

    /// Configures the converter; `decimal.format=NUMERIC` is rejected (decimals are kept as
    /// their unscaled bytes and written as base64).
    public func configure(_ props: [String: String]) throws {
        var withType = props
        if withType[ConverterConfig.typeConfig] == nil { withType[ConverterConfig.typeConfig] = "header" }
        let config = try ConverterConfig.parse(withType, Self.jsonConfigDef)
        if try config.string(Self.decimalFormatConfig).uppercased() == "NUMERIC" {
            throw ConnectError("\(Self.decimalFormatConfig)=NUMERIC is not supported; use BASE64")
        }
        let parsed = Settings(
            schemasEnabled: try config.bool(Self.schemasEnableConfig),
            replaceNullWithDefault: try config.bool(Self.replaceNullWithDefaultConfig))
        settings.withLock { $0 = parsed }
    }

    // MARK: Converter

    public func fromConnectData(topic: String, schema: Schema?, value: ConnectValue) throws -> [UInt8]? {
        if schema == nil, value.isNull { return nil }
        let current = settings.withLock { $0 }
        let payload = try Self.convertToJSON(schema, value, replaceNull: current.replaceNullWithDefault)
        guard current.schemasEnabled else { return ConnectJSON.serialize(payload) }
        let envelope = JSONObject([
            .init(key: "schema", value: try Self.asJSONSchema(schema, replaceNull: current.replaceNullWithDefault)),
            .init(key: "payload", value: payload),
        ])
        return ConnectJSON.serialize(envelope)
    }

    public func toConnectData(topic: String, bytes: [UInt8]?) throws -> SchemaAndValue {
        guard let bytes else { return .null }
        let current = settings.withLock { $0 }
        let json: JSONValue
        do {
            json = try ConnectJSON.parse(bytes, what: "JSON record data")
        } catch {
            throw ConnectError("Converting byte[] to Kafka Connect data failed due to serialization error: \(error.message)", underlying: error)
        }
        guard current.schemasEnabled else {
            return SchemaAndValue(schema: nil, value: try Self.convertToConnect(nil, json, replaceNull: current.replaceNullWithDefault))
        }
        guard case .object(let envelope) = json, envelope.members.count == 2,
              let schemaJSON = envelope["schema"], let payload = envelope["payload"]
        else {
            throw ConnectError(
                "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields. "
                    + "If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.")
        }
        let schema = try Self.asConnectSchema(schemaJSON, replaceNull: current.replaceNullWithDefault)
        return SchemaAndValue(schema: schema, value: try Self.convertToConnect(schema, payload, replaceNull: current.replaceNullWithDefault))
    }

    // MARK: HeaderConverter

    public func fromConnectHeader(topic: String, headerKey: String, schema: Schema?, value: ConnectValue) throws -> [UInt8]? {
        try fromConnectData(topic: topic, schema: schema, value: value)
    }

    public func toConnectHeader(topic: String, headerKey: String, bytes: [UInt8]?) throws -> SchemaAndValue {
        try toConnectData(topic: topic, bytes: bytes)
    }

    // MARK: Schemas

    /// Kafka's JSON name for a schema type (`float32` is `float`, `float64` is `double`).
    static func jsonTypeName(_ type: SchemaType) -> String {
        switch type {
        case .float32: "float"
        case .float64: "double"
        default: type.rawValue
        }
    }

    /// The JSON form of `schema` as Kafka writes it in the envelope (`null` for no schema).
    static func asJSONSchema(_ schema: Schema?, replaceNull: Bool = true) throws(ConnectError) -> JSONValue {
        guard let schema else { return .null }
        var members: [JSONObject.Member] = [.init(key: "type", value: .string(jsonTypeName(schema.type)))]
        switch schema.type {
        case .array:
            members.append(.init(key: "items", value: try asJSONSchema(schema.valueSchema, replaceNull: replaceNull)))
        case .map:
            members.append(.init(key: "keys", value: try asJSONSchema(schema.keySchema, replaceNull: replaceNull)))
            members.append(.init(key: "values", value: try asJSONSchema(schema.valueSchema, replaceNull: replaceNull)))
        case .struct:
            var fields: [JSONValue] = []
            for field in schema.fields {
                guard case .object(var fieldSchema) = try asJSONSchema(field.schema, replaceNull: replaceNull) else { continue }
                fieldSchema.members.append(.init(key: "field", value: .string(field.name)))
                fields.append(.object(fieldSchema))
            }
            members.append(.init(key: "fields", value: .array(fields)))
        default:
            break
        }
        members.append(.init(key: "optional", value: .bool(schema.isOptional)))
        if let name = schema.name { members.append(.init(key: "name", value: .string(name))) }
        if let version = schema.version { members.append(.init(key: "version", value: .integer(Int64(version)))) }
        if let doc = schema.doc { members.append(.init(key: "doc", value: .string(doc))) }
        if let parameters = schema.parameters {
            let sorted = parameters.sorted { $0.key < $1.key }.map { JSONObject.Member(key: $0.key, value: .string($0.value)) }
            members.append(.init(key: "parameters", value: .object(JSONObject(sorted))))
        }
        if let defaultValue = schema.defaultValue {
            members.append(.init(key: "default", value: try convertToJSON(schema, defaultValue, replaceNull: replaceNull)))
        }
        return .object(JSONObject(members))
    }

    /// Reads Kafka's JSON schema notation (`nil` for JSON `null`).
    /// - Throws: ``ConnectError`` for an unknown type or a malformed schema.
    static func asConnectSchema(_ json: JSONValue, replaceNull: Bool = true) throws(ConnectError) -> Schema? {
        if case .null = json { return nil }
        guard case .object(let object) = json, case .string(let typeName)? = object["type"] else {
            throw ConnectError("Schema must contain 'type' field")
        }
        var schema: Schema
        switch typeName {
        case "boolean": schema = Schema(type: .boolean)
        case "int8": schema = Schema(type: .int8)
        case "int16": schema = Schema(type: .int16)
        case "int32": schema = Schema(type: .int32)
        case "int64": schema = Schema(type: .int64)
        case "float": schema = Schema(type: .float32)
        case "double": schema = Schema(type: .float64)
        case "bytes": schema = Schema(type: .bytes)
        case "string": schema = Schema(type: .string)
        case "array":
            guard let items = object["items"], let elementSchema = try asConnectSchema(items, replaceNull: replaceNull) else {
                throw ConnectError("Array schema did not specify the element type")
            }
            schema = .array(elementSchema)
        case "map":
            guard let keysJSON = object["keys"] else { throw ConnectError("Map schema did not specify the key type") }
            guard let valuesJSON = object["values"] else { throw ConnectError("Map schema did not specify the value type") }
            guard let keySchema = try asConnectSchema(keysJSON, replaceNull: replaceNull),
                  let valueSchema = try asConnectSchema(valuesJSON, replaceNull: replaceNull)
            else { throw ConnectError("Map schema did not specify the key and value types") }
            schema = .map(key: keySchema, value: valueSchema)
        case "struct":
            guard case .array(let fieldsJSON)? = object["fields"] else {
                throw ConnectError("Struct schema's \"fields\" argument is not an array.")
            }
            var fields: [(String, Schema)] = []
            for fieldJSON in fieldsJSON {
                guard case .object(let fieldObject) = fieldJSON, case .string(let fieldName)? = fieldObject["field"] else {
                    throw ConnectError("Struct schema's field name not specified properly")
                }
                guard let fieldSchema = try asConnectSchema(fieldJSON, replaceNull: replaceNull) else {
                    throw ConnectError("Struct schema's field \(fieldName) has no schema")
                }
                fields.append((fieldName, fieldSchema))
            }
            schema = try .struct(fields: fields)
        default:
            throw ConnectError("Unknown schema type: \(typeName)")
        }
        if case .bool(true)? = object["optional"] { schema.isOptional = true }
        if case .string(let name)? = object["name"] { schema.name = name }
        if case .integer(let version)? = object["version"] {
            guard let narrowed = Int32(exactly: version) else { throw ConnectError("Schema version \(version) does not fit in 32 bits") }
            schema.version = narrowed
        }
        if case .string(let doc)? = object["doc"] { schema.doc = doc }
        if case .object(let parameters)? = object["parameters"] {
            var table: [String: String] = [:]
            for member in parameters.members {
                guard case .string(let value) = member.value else {
                    throw ConnectError("Schema parameters must have string values.")
                }
                table[member.key] = value
            }
            schema.parameters = table
        }
        if let defaultJSON = object["default"] {
            let defaultValue = try convertToConnect(schema, defaultJSON, replaceNull: replaceNull)
            if !defaultValue.isNull {
                do {
                    schema = try schema.withDefault(defaultValue)
                } catch {
                    throw ConnectError("Invalid default value: \(error.message)", underlying: error)
                }
            }
        }
        return schema
    }

    // MARK: Values

    /// Converts a Connect value to JSON following `schema` (or the value's own kind without one).
    static func convertToJSON(_ schema: Schema?, _ value: ConnectValue, replaceNull: Bool = true) throws(ConnectError) -> JSONValue {
        if case .null = value {
            guard let schema else { return .null }
            if replaceNull, let defaultValue = schema.defaultValue {
                return try convertToJSON(schema, defaultValue, replaceNull: replaceNull)
            }
            if schema.isOptional { return .null }
            throw ConnectError("Conversion error: null value for field that is required and has no default value")
        }
        let type = schema?.type ?? value.schemaType ?? .string
        func mismatch() -> ConnectError {
            ConnectError("Invalid type for \(schema.map { $0.type.rawValue.uppercased() } ?? "unknown schema"): \(value.typeDescription)")
        }
        switch (type, value) {
        case (.int8, .int8(let number)): return .integer(Int64(number))
        case (.int16, .int16(let number)): return .integer(Int64(number))
        case (.int32, .int32(let number)): return .integer(Int64(number))
        case (.int64, .int64(let number)): return .integer(number)
        case (.float32, .float32(let number)):
            // Jackson writes a Float with Float.toString's digits, not the widened double's.
            guard number.isFinite, let widened = Double(JavaCompat.floatString(number)) else { return .double(Double(number)) }
            return .double(widened)
        case (.float64, .float64(let number)): return .double(number)
        case (.boolean, .boolean(let flag)): return .bool(flag)
        case (.string, .string(let text)): return .string(text)
        case (.bytes, .bytes(let bytes)): return .string(Data(bytes).base64EncodedString())
        case (.array, .array(let elements)):
            var out: [JSONValue] = []
            out.reserveCapacity(elements.count)
            for element in elements {
                out.append(try convertToJSON(schema?.valueSchema, element, replaceNull: replaceNull))
            }
            return .array(out)
        case (.map, .map(let entries)):
            let objectMode: Bool
            if let schema {
                objectMode = schema.keySchema?.type == .string
            } else {
                objectMode = entries.allSatisfy { $0.key.stringValue != nil }
            }
            if objectMode {
                var members: [JSONObject.Member] = []
                for entry in entries {
                    let key = try convertToJSON(schema?.keySchema, entry.key, replaceNull: replaceNull)
                    members.append(.init(key: jsonText(key), value: try convertToJSON(schema?.valueSchema, entry.value, replaceNull: replaceNull)))
                }
                return .object(JSONObject(members))
            }
            var pairs: [JSONValue] = []
            for entry in entries {
                pairs.append(.array([
                    try convertToJSON(schema?.keySchema, entry.key, replaceNull: replaceNull),
                    try convertToJSON(schema?.valueSchema, entry.value, replaceNull: replaceNull),
                ]))
            }
            return .array(pairs)
        case (.struct, .struct(let structValue)):
            guard let schema, structValue.schema == schema else { throw ConnectError("Mismatching schema.") }
            var members: [JSONObject.Member] = []
            for field in schema.fields {
                members.append(.init(
                    key: field.name,
                    value: try convertToJSON(field.schema, structValue.values[field.index], replaceNull: replaceNull)))
            }
            return .object(JSONObject(members))
        default:
            throw mismatch()
        }
    }

    /// Jackson's `asText` of a map key.
    private static func jsonText(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .null: "null"
        case .bool(let flag): String(flag)
        case .integer(let number): String(number)
        case .double(let number): JavaCompat.doubleString(number)
        case .array, .object: ""
        }
    }

    /// Converts JSON to a Connect value following `schema`, or inferring types without one.
    static func convertToConnect(_ schema: Schema?, _ json: JSONValue, replaceNull: Bool = true) throws(ConnectError) -> ConnectValue {
        guard let schema else { return try inferConnectValue(json, replaceNull: replaceNull) }
        let typeName = schema.type.rawValue.uppercased()
        if case .null = json {
            if replaceNull, let defaultValue = schema.defaultValue { return defaultValue }
            if schema.isOptional { return .null }
            throw ConnectError("Invalid null value for required \(typeName) field")
        }
        func invalid() -> ConnectError {
            ConnectError("Invalid JSON for \(typeName) schema: expected \(expectedJSON(schema.type)) but found \(json.typeName)")
        }
        func integer<T: FixedWidthInteger>(_: T.Type) throws(ConnectError) -> T {
            let whole: Int64
            switch json {
            case .integer(let number): whole = number
            case .double(let number) where number.rounded() == number && abs(number) < 9.2e18: whole = Int64(number)
            default: throw invalid()
            }
            guard let narrowed = T(exactly: whole) else {
                throw ConnectError("Invalid JSON for \(typeName) schema: \(whole) is out of range")
            }
            return narrowed
        }
        switch schema.type {
        case .boolean:
            guard case .bool(let flag) = json else { throw invalid() }
            return .boolean(flag)
        case .int8: return .int8(try integer(Int8.self))
        case .int16: return .int16(try integer(Int16.self))
        case .int32: return .int32(try integer(Int32.self))
        case .int64: return .int64(try integer(Int64.self))
        case .float32, .float64:
            let number: Double
            switch json {
            case .integer(let whole): number = Double(whole)
            case .double(let fraction): number = fraction
            case .string("NaN"): number = .nan
            case .string("Infinity"): number = .infinity
            case .string("-Infinity"): number = -.infinity
            default: throw invalid()
            }
            return schema.type == .float32 ? .float32(Float(number)) : .float64(number)
        case .string:
            guard case .string(let text) = json else { throw invalid() }
            return .string(text)
        case .bytes:
            guard case .string(let text) = json else { throw invalid() }
            guard let data = Data(base64Encoded: text) else { throw ConnectError("Invalid bytes field: not valid base64") }
            return .bytes(Array(data))
        case .array:
            guard case .array(let elements) = json else { throw invalid() }
            var out: [ConnectValue] = []
            out.reserveCapacity(elements.count)
            for element in elements {
                out.append(try convertToConnect(schema.valueSchema, element, replaceNull: replaceNull))
            }
            return .array(out)
        case .map:
            var entries: [ConnectMapEntry] = []
            if schema.keySchema?.type == .string {
                guard case .object(let object) = json else {
                    throw ConnectError("Maps with string fields should be encoded as JSON objects, but found \(json.typeName)")
                }
                for member in object.members {
                    entries.append(ConnectMapEntry(
                        key: .string(member.key), value: try convertToConnect(schema.valueSchema, member.value, replaceNull: replaceNull)))
                }
            } else {
                guard case .array(let pairs) = json else {
                    throw ConnectError("Maps with non-string fields should be encoded as JSON array of tuples, but found \(json.typeName)")
                }
                for pair in pairs {
                    guard case .array(let tuple) = pair else {
                        throw ConnectError("Found invalid map entry instead of array tuple: \(pair.typeName)")
                    }
                    guard tuple.count == 2 else {
                        throw ConnectError("Found invalid map entry, expected length 2 but found :\(tuple.count)")
                    }
                    entries.append(ConnectMapEntry(
                        key: try convertToConnect(schema.keySchema, tuple[0], replaceNull: replaceNull),
                        value: try convertToConnect(schema.valueSchema, tuple[1], replaceNull: replaceNull)))
                }
            }
            return .map(entries)
        case .struct:
            guard case .object(let object) = json else {
                throw ConnectError("Structs should be encoded as JSON objects, but found \(json.typeName)")
            }
            var result = try ConnectStruct(schema: schema)
            for field in schema.fields {
                let value = try convertToConnect(field.schema, object[field.name] ?? .null, replaceNull: replaceNull)
                try result.put(field.name, value)
            }
            return .struct(result)
        }
    }

    private static func expectedJSON(_ type: SchemaType) -> String {
        switch type {
        case .boolean: "a boolean"
        case .int8, .int16, .int32, .int64: "an integer"
        case .float32, .float64: "a number"
        case .string: "a string"
        case .bytes: "a base64 string"
        case .array: "an array"
        case .map: "an object or an array of pairs"
        case .struct: "an object"
        }
    }

    /// Schemaless JSON to Connect: integers are int64, other numbers float64, objects maps.
    private static func inferConnectValue(_ json: JSONValue, replaceNull: Bool) throws(ConnectError) -> ConnectValue {
        switch json {
        case .null: return .null
        case .bool(let flag): return .boolean(flag)
        case .integer(let number): return .int64(number)
        case .double(let number): return .float64(number)
        case .string(let text): return .string(text)
        case .array(let elements):
            var out: [ConnectValue] = []
            out.reserveCapacity(elements.count)
            for element in elements { out.append(try inferConnectValue(element, replaceNull: replaceNull)) }
            return .array(out)
        case .object(let object):
            var entries: [ConnectMapEntry] = []
            for member in object.members {
                entries.append(ConnectMapEntry(key: .string(member.key), value: try inferConnectValue(member.value, replaceNull: replaceNull)))
            }
            return .map(entries)
        }
    }
}
