/// A value of a struct ``Schema``: one value per field, like Kafka's `Struct`.
///
/// Every field starts out `null`; ``put(_:_:)`` checks values against the field's schema and
/// ``validate()`` checks that every required field is set.
public struct ConnectStruct: Hashable, Sendable {
    public let schema: Schema
    /// Values in field order.
    public private(set) var values: [ConnectValue]

    /// An empty struct of `schema`.
    /// - Throws: ``ConnectError`` when `schema` is not a struct schema.
    public init(schema: Schema) throws(ConnectError) {
        guard schema.type == .struct else {
            throw ConnectError("Not a struct schema: \(schema)")
        }
        self.schema = schema
        values = Array(repeating: .null, count: schema.fields.count)
    }

    /// The value of `fieldName`, or the field's default when the value is `null`.
    /// - Throws: ``ConnectError`` when there is no such field.
    public func get(_ fieldName: String) throws(ConnectError) -> ConnectValue {
        let field = try lookup(fieldName)
        let value = values[field.index]
        if case .null = value, let defaultValue = field.schema.defaultValue { return defaultValue }
        return value
    }

    /// The value stored for `fieldName` (no defaults applied), or `nil` for an unknown field.
    public subscript(fieldName: String) -> ConnectValue? {
        schema.field(fieldName).map { values[$0.index] }
    }

    /// Sets `fieldName` to `value` after checking it against the field's schema.
    /// - Throws: ``ConnectError`` for an unknown field or a value that does not match.
    public mutating func put(_ fieldName: String, _ value: ConnectValue) throws(ConnectError) {
        let field = try lookup(fieldName)
        try field.schema.validate(value, field: fieldName)
        values[field.index] = value
    }

    /// A copy with `fieldName` set, for chaining.
    public func putting(_ fieldName: String, _ value: ConnectValue) throws(ConnectError) -> ConnectStruct {
        var copy = self
        try copy.put(fieldName, value)
        return copy
    }

    /// Checks every field's value against its schema (required fields must be set).
    public func validate() throws(ConnectError) {
        for field in schema.fields {
            try field.schema.validate(values[field.index], field: field.name)
        }
    }

    private func lookup(_ fieldName: String) throws(ConnectError) -> Field {
        guard let field = schema.field(fieldName) else {
            throw ConnectError("\(fieldName) is not a valid field name")
        }
        return field
    }
}

extension ConnectStruct: CustomStringConvertible {
    /// `Struct{name=value,…}` listing the fields that are set, like Kafka's `Struct.toString`.
    public var description: String {
        let set = schema.fields.compactMap { field -> String? in
            let value = values[field.index]
            return value.isNull ? nil : "\(field.name)=\(value)"
        }
        return "Struct{" + set.joined(separator: ",") + "}"
    }
}
