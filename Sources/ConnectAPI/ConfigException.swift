/// A configuration error, worded like Kafka's `ConfigException`.
public struct ConfigException: Error, Sendable, Hashable, CustomStringConvertible {
    /// The full message, e.g. `Invalid value x for configuration tasks.max: Not a number of type INT`.
    public let message: String
    /// The property the error is about, when there is one.
    public let name: String?

    /// An error with a free-form message.
    public init(_ message: String, name: String? = nil) {
        self.message = message
        self.name = name
    }

    /// An error about one value: `Invalid value <value> for configuration <name>[: <reason>]`.
    public init(name: String, value: String?, reason: String?) {
        let shown = value ?? "null"
        let suffix = reason.map { ": \($0)" } ?? ""
        self.init("Invalid value \(shown) for configuration \(name)\(suffix)", name: name)
    }

    /// The error for a required property that is absent.
    public static func missingRequired(_ name: String) -> ConfigException {
        ConfigException("Missing required configuration \"\(name)\" which has no default value.", name: name)
    }

    /// The error for a lookup of a property the definition does not know.
    public static func unknown(_ name: String) -> ConfigException {
        ConfigException("Unknown configuration '\(name)'", name: name)
    }

    public var description: String { message }
}
