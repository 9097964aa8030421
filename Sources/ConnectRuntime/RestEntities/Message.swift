import ConnectAPI
/// A plain `{"message": "..."}` body, e.g. the answer to altering or resetting offsets.
public struct Message: Sendable, Hashable {
    public var message: String

    public init(_ message: String) { self.message = message }

    /// "The offsets for this connector have been altered successfully"
    public static let offsetsAltered = Message("The offsets for this connector have been altered successfully")
    /// "The offsets for this connector have been reset successfully"
    public static let offsetsReset = Message("The offsets for this connector have been reset successfully")

    var json: JSONValue { .object(JSONObject(["message": .string(message)])) }

    public func jsonBytes() -> [UInt8] { ConnectJSON.serialize(json) }
}
