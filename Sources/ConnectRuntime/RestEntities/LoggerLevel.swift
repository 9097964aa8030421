import ConnectAPI
/// A logger's level and when it was last changed: `{"level","last_modified"}`, where
/// `last_modified` is epoch milliseconds or `null` if the level was never changed at runtime.
public struct LoggerLevel: Sendable, Hashable {
    public var level: String
    public var lastModified: Int64?

    public init(level: String, lastModified: Int64?) {
        self.level = level
        self.lastModified = lastModified
    }

    var json: JSONValue {
        .object(JSONObject([
            "level": .string(level),
            "last_modified": lastModified.map(JSONValue.integer) ?? .null,
        ]))
    }

    public func jsonBytes() -> [UInt8] { ConnectJSON.serialize(json) }
}
