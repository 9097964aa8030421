import ConnectAPI

/// The offsets topic's JSON for ``OffsetValue`` (the type lives in ConnectAPI, where tasks
/// use it): integral numbers are Java `Long`s, other numbers `Double`s, as Apache's
/// JsonConverter reads them back.
extension OffsetValue {
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
