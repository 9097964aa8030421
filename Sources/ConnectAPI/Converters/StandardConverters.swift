extension PluginRegistry {
    /// The version reported for the converters that mirror Kafka's own classes.
    public static let standardConverterVersion = "3.9.0"

    /// A registry holding Kafka's four standard converters under their Java class names:
    /// `ByteArrayConverter`, `StringConverter`, `JsonConverter` (each also a header converter,
    /// as in Kafka) and `SimpleHeaderConverter`.
    public static var standardConverters: PluginRegistry {
        var registry = PluginRegistry()
        registry.registerStandardConverters()
        return registry
    }

    /// Adds Kafka's four standard converters (see ``standardConverters``).
    public mutating func registerStandardConverters() {
        let version = Self.standardConverterVersion
        registerConverter(ByteArrayConverter.self, className: ByteArrayConverter.className, version: version)
        registerHeaderConverter(ByteArrayConverter.self, className: ByteArrayConverter.className, version: version)
        registerConverter(StringConverter.self, className: StringConverter.className, version: version)
        registerHeaderConverter(StringConverter.self, className: StringConverter.className, version: version)
        registerConverter(JsonConverter.self, className: JsonConverter.className, version: version)
        registerHeaderConverter(JsonConverter.self, className: JsonConverter.className, version: version)
        registerHeaderConverter(SimpleHeaderConverter.self, className: SimpleHeaderConverter.className, version: version)
    }
}
