/// A value in a source partition or source offset map.
///
/// Connect only allows primitive values there (`OffsetUtils.validateFormat`). Internal topics
/// are read back through `JsonConverter` without schemas, so every integral number comes
/// back as a Java `Long` and every other number as a `Double`; these cases mirror that and
/// keep `1` and `1.0` apart.
public enum OffsetValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int64(Int64)
    case float64(Double)
    case string(String)

    /// The value as a JSON tree, as `JsonConverter` (schemas disabled) writes it.
    package var jsonValue: JSONValue {
        switch self {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .int64(let number): .integer(number)
        case .float64(let number): .double(number)
        case .string(let text): .string(text)
        }
    }

    /// Converts a parsed JSON value; arrays and objects are rejected with `field` in the message.
    package init(jsonValue json: JSONValue, field: String, in what: String) throws(ConnectError) {
        switch json {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .integer(let number): self = .int64(number)
        case .double(let number): self = .float64(number)
        case .string(let text): self = .string(text)
        case .array, .object:
            throw ConnectError(
                "\(what): field '\(field)' holds \(json.typeName); only strings, numbers, booleans and null are allowed")
        }
    }

    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The integer, if this is one (a whole `float64` is not converted).
    public var int64Value: Int64? {
        if case .int64(let number) = self { return number }
        return nil
    }
}

extension OffsetValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int64(value) }
    public init(floatLiteral value: Double) { self = .float64(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
}

extension OffsetValue: CustomStringConvertible {
    /// The value as it appears in the offsets topic's JSON.
    public var description: String { String(decoding: ConnectJSON.serialize(jsonValue), as: UTF8.self) }
}
