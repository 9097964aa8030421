/// The declared type of a configuration property, spelled as Kafka's `ConfigDef.Type`
/// (the raw value is what the Connect REST API reports as `type`).
public enum ConfigType: String, Sendable, Hashable, Codable, CaseIterable {
    case boolean = "BOOLEAN"
    case string = "STRING"
    case int = "INT"
    case short = "SHORT"
    case long = "LONG"
    case double = "DOUBLE"
    case list = "LIST"
    case `class` = "CLASS"
    case password = "PASSWORD"

    /// Whether values of this type must be hidden from logs and REST responses.
    public var isSensitive: Bool { self == .password }
}
