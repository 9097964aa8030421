/// Shared configuration of the built-in converters, like Kafka's `ConverterConfig`.
public enum ConverterConfig {
    /// How the converter is used: `key`, `value` or `header` (set by the runtime).
    public static let typeConfig = "converter.type"

    /// The definition every converter's own definition starts from.
    public static let baseConfigDef = ConfigDef()
        .define(typeConfig, .string, validator: .in("key", "value", "header"), importance: .low,
                documentation: "How this converter will be used.")

    /// `props` with `converter.type` set for a key or value converter, as Kafka's
    /// `configure(Map, boolean)` does.
    static func withType(_ props: [String: String], isKey: Bool) -> [String: String] {
        var copy = props
        copy[typeConfig] = isKey ? "key" : "value"
        return copy
    }

    /// Parses `props` against `configDef`, turning errors into ``ConnectError``.
    static func parse(_ props: [String: String], _ configDef: ConfigDef) throws(ConnectError) -> ParsedConfig {
        do {
            return try configDef.parse(props)
        } catch {
            throw ConnectError(error.message, underlying: error)
        }
    }
}
