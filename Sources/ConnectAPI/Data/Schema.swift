/// The type of a Connect ``Schema``, named as Kafka's `Schema.Type.getName()` names it.
public enum SchemaType: String, Sendable, Hashable, CaseIterable {
    case int8, int16, int32, int64, float32, float64, boolean, string, bytes, array, map
    case `struct`

    /// Whether values of this type are single values (not array, map or struct).
    public var isPrimitive: Bool {
        switch self {
        case .array, .map, .struct: false
        default: true
        }
    }
}

/// One field of a struct ``Schema``.
public struct Field: Hashable, Sendable {
    public var name: String
    /// Position of the field within its struct.
    public var index: Int
    public var schema: Schema

    public init(name: String, index: Int, schema: Schema) {
        self.name = name
        self.index = index
        self.schema = schema
    }
}

/// A Connect schema, like Kafka's `ConnectSchema`: a type plus optionality, name, version,
/// documentation, parameters, a default value and, for complex types, the element, key/value
/// or field schemas.
///
/// Build one from the constants (``int32``, ``optionalBytes``, …) and factories
/// (``array(_:)``, ``map(key:value:)``, ``struct(name:fields:)``), refined with the modifier
/// methods (``optional()``, ``named(_:)``, ``withDefault(_:)``, …).
public struct Schema: Hashable, Sendable {
    /// Everything a schema holds. It lives in one shared box: schemas travel with every
    /// record (key, value and header schemas), and copying a box costs one reference count
    /// where copying these fields would cost seven.
    private struct Attributes: Hashable, Sendable {
        var type: SchemaType
        var isOptional: Bool
        var defaultValue: ConnectValue?
        var name: String?
        var version: Int32?
        var doc: String?
        var parameters: [String: String]?
        var fields: [Field] = []
        var keySchema: Schema?
        var valueSchema: Schema?
    }

    private var box: CopyOnWriteBox<Attributes>

    public var type: SchemaType {
        get { box.value.type }
        set { box.value.type = newValue }
    }
    public var isOptional: Bool {
        get { box.value.isOptional }
        set { box.value.isOptional = newValue }
    }
    /// The value used when a struct field holds `null` (must match the schema).
    public var defaultValue: ConnectValue? {
        get { box.value.defaultValue }
        set { box.value.defaultValue = newValue }
    }
    /// The schema's name, e.g. `org.apache.kafka.connect.data.Timestamp` for a logical type.
    public var name: String? {
        get { box.value.name }
        set { box.value.name = newValue }
    }
    public var version: Int32? {
        get { box.value.version }
        set { box.value.version = newValue }
    }
    public var doc: String? {
        get { box.value.doc }
        set { box.value.doc = newValue }
    }
    /// Extra string parameters (e.g. `scale` of a `Decimal`), or `nil` when there are none.
    public var parameters: [String: String]? {
        get { box.value.parameters }
        set { box.value.parameters = newValue }
    }
    /// The fields of a struct schema, in order; empty for other types.
    public var fields: [Field] { box.value.fields }

    /// A schema of a primitive type (for complex types use the factories).
    public init(type: SchemaType, isOptional: Bool = false) {
        box = CopyOnWriteBox(Attributes(type: type, isOptional: isOptional))
    }

    /// The key schema of a map schema.
    public var keySchema: Schema? { box.value.keySchema }
    /// The element schema of an array schema, or the value schema of a map schema.
    public var valueSchema: Schema? { box.value.valueSchema }

    /// The field called `name` of a struct schema.
    public func field(_ name: String) -> Field? {
        fields.first { $0.name == name }
    }

    // MARK: Factories

    /// An array of `elements`.
    public static func array(_ elements: Schema) -> Schema {
        var schema = Schema(type: .array)
        schema.box.value.valueSchema = elements
        return schema
    }

    /// A map from `key` to `value`.
    public static func map(key: Schema, value: Schema) -> Schema {
        var schema = Schema(type: .map)
        schema.box.value.keySchema = key
        schema.box.value.valueSchema = value
        return schema
    }

    /// A struct with `fields` (name and schema) in order.
    /// - Throws: ``ConnectError`` when two fields share a name.
    public static func `struct`(name: String? = nil, fields: [(String, Schema)]) throws(ConnectError) -> Schema {
        var schema = Schema(type: .struct)
        schema.name = name
        for (fieldName, fieldSchema) in fields {
            guard schema.field(fieldName) == nil else {
                throw ConnectError("Cannot create field because of field name duplication \(fieldName)")
            }
            schema.box.value.fields.append(Field(name: fieldName, index: schema.fields.count, schema: fieldSchema))
        }
        return schema
    }

    // MARK: Modifiers

    /// A copy that accepts `null`.
    public func optional() -> Schema { with { $0.isOptional = true } }
    /// A copy with `name`.
    public func named(_ name: String?) -> Schema { with { $0.name = name } }
    /// A copy with `version`.
    public func withVersion(_ version: Int32?) -> Schema { with { $0.version = version } }
    /// A copy with `doc`.
    public func withDoc(_ doc: String?) -> Schema { with { $0.doc = doc } }
    /// A copy with one more parameter.
    public func withParameter(_ key: String, _ value: String) -> Schema {
        with { $0.parameters = ($0.parameters ?? [:]).merging([key: value]) { $1 } }
    }

    /// A copy with a default value.
    /// - Throws: ``ConnectError`` when `value` does not match the schema.
    public func withDefault(_ value: ConnectValue) throws(ConnectError) -> Schema {
        try validate(value, field: "default")
        return with { $0.defaultValue = value }
    }

    private func with(_ change: (inout Schema) -> Void) -> Schema {
        var copy = self
        change(&copy)
        return copy
    }

    // MARK: Validation

    /// Checks that `value` conforms to this schema, as Kafka's `ConnectSchema.validateValue`
    /// does: types must match exactly, `null` only where optional (or defaulted), and
    /// elements, map entries and struct values recursively.
    /// - Throws: ``ConnectError`` describing the first mismatch.
    public func validate(_ value: ConnectValue, field: String? = nil) throws(ConnectError) {
        let location = field.map { " for field: \"\($0)\"" } ?? ""
        if case .null = value {
            guard isOptional || defaultValue != nil else {
                throw ConnectError("Invalid value: null used for required field: \"\(field ?? "null")\", schema type: \(type.rawValue.uppercased())")
            }
            return
        }
        guard value.schemaType == type else {
            throw ConnectError("Invalid Java object for schema with type \(type.rawValue.uppercased()): \(value.typeDescription)\(location)")
        }
        switch value {
        case .array(let elements):
            guard let elementSchema = valueSchema else { return }
            for element in elements { try elementSchema.validate(element, field: "entry") }
        case .map(let entries):
            guard let keySchema, let valueSchema else { return }
            for entry in entries {
                try keySchema.validate(entry.key, field: "key")
                try valueSchema.validate(entry.value, field: "value")
            }
        case .struct(let structValue):
            guard structValue.schema == self else {
                throw ConnectError("Struct schemas do not match.")
            }
            try structValue.validate()
        default:
            break
        }
    }
}

// MARK: Standard schemas

extension Schema {
    public static let int8 = Schema(type: .int8)
    public static let int16 = Schema(type: .int16)
    public static let int32 = Schema(type: .int32)
    public static let int64 = Schema(type: .int64)
    public static let float32 = Schema(type: .float32)
    public static let float64 = Schema(type: .float64)
    public static let boolean = Schema(type: .boolean)
    public static let string = Schema(type: .string)
    public static let bytes = Schema(type: .bytes)

    public static let optionalInt8 = Schema(type: .int8, isOptional: true)
    public static let optionalInt16 = Schema(type: .int16, isOptional: true)
    public static let optionalInt32 = Schema(type: .int32, isOptional: true)
    public static let optionalInt64 = Schema(type: .int64, isOptional: true)
    public static let optionalFloat32 = Schema(type: .float32, isOptional: true)
    public static let optionalFloat64 = Schema(type: .float64, isOptional: true)
    public static let optionalBoolean = Schema(type: .boolean, isOptional: true)
    public static let optionalString = Schema(type: .string, isOptional: true)
    /// The schema of raw record keys and values (what `ByteArrayConverter` produces).
    public static let optionalBytes = Schema(type: .bytes, isOptional: true)

    /// Names of Kafka's logical types; their values use the underlying type
    /// (`Decimal`: bytes of the big-endian two's-complement unscaled value with parameter
    /// `scale`; `Date`: int32 days since the epoch; `Time`: int32 milliseconds of the day;
    /// `Timestamp`: int64 milliseconds since the epoch).
    public enum LogicalName {
        public static let decimal = "org.apache.kafka.connect.data.Decimal"
        public static let decimalScale = "scale"
        public static let date = "org.apache.kafka.connect.data.Date"
        public static let time = "org.apache.kafka.connect.data.Time"
        public static let timestamp = "org.apache.kafka.connect.data.Timestamp"
    }
}

extension Schema: CustomStringConvertible {
    /// `Schema{NAME:TYPE}` like Kafka's `ConnectSchema.toString`.
    public var description: String {
        if let name { return "Schema{\(name):\(type.rawValue.uppercased())}" }
        return "Schema{\(type.rawValue.uppercased())}"
    }
}
