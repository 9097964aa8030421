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

    var json: JSONValue {
        switch self {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .int64(let number): .integer(number)
        case .float64(let number): .double(number)
        case .string(let text): .string(text)
        }
    }

    /// Converts a parsed JSON value; arrays and objects are rejected with `field` in the message.
    init(json: JSONValue, field: String, in what: String) throws(ConnectRuntimeError) {
        switch json {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .integer(let number): self = .int64(number)
        case .double(let number): self = .float64(number)
        case .string(let text): self = .string(text)
        case .array, .object:
            throw ConnectRuntimeError(
                .malformedRecord,
                "\(what): field '\(field)' holds \(json.typeName); only strings, numbers, booleans and null are allowed"
            )
        }
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
    public var description: String { String(decoding: ConnectJSON.serialize(json), as: UTF8.self) }
}
