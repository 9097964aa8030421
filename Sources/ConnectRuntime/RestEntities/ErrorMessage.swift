import ConnectAPI
/// The body of every REST error: `{"error_code": <HTTP status>, "message": "..."}`.
public struct ErrorMessage: Sendable, Hashable {
    public var errorCode: Int
    public var message: String?

    public init(errorCode: Int, message: String?) {
        self.errorCode = errorCode
        self.message = message
    }

    var json: JSONValue {
        .object(JSONObject([
            "error_code": .integer(Int64(errorCode)),
            "message": message.map(JSONValue.string) ?? .null,
        ]))
    }

    public func jsonBytes() -> [UInt8] { ConnectJSON.serialize(json) }

    /// Reads an error body another worker sent; `nil` unless it is an object with an integer
    /// `error_code`.
    public init?(jsonBytes bytes: [UInt8]) {
        guard case .object(let object)? = try? ConnectJSON.parseRecord(bytes, what: "error body"),
              case .integer(let code)? = object["error_code"], let errorCode = Int(exactly: code)
        else { return nil }
        self.errorCode = errorCode
        if case .string(let text)? = object["message"] { message = text } else { message = nil }
    }
}
