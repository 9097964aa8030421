/// The REST form of a ``ConfigValue`` (`value` in a validate response), with Kafka's JSON keys.
public struct ConfigValueInfo: Sendable, Hashable, Codable {
    public var name: String
    /// The value as Kafka's `convertToString` renders it (passwords as `[hidden]`); `nil` is JSON `null`.
    public var value: String?
    public var recommendedValues: [String]
    public var errors: [String]
    public var visible: Bool

    public init(name: String, value: String?, recommendedValues: [String], errors: [String], visible: Bool) {
        self.name = name
        self.value = value
        self.recommendedValues = recommendedValues
        self.errors = errors
        self.visible = visible
    }

    /// The REST form of `configValue`. Recommended values of a `LIST` key are single elements,
    /// so each is rendered on its own.
    public init(_ configValue: ConfigValue, name: String? = nil) {
        self.init(
            name: name ?? configValue.name,
            value: configValue.value?.kafkaString,
            recommendedValues: configValue.recommendedValues.map(\.kafkaString),
            errors: configValue.errors,
            visible: configValue.visible)
    }

    private enum CodingKeys: String, CodingKey {
        case name, value
        case recommendedValues = "recommended_values"
        case errors, visible
    }

    /// Writes every key, with an explicit `null` for a missing value.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(value, forKey: .value)
        try container.encode(recommendedValues, forKey: .recommendedValues)
        try container.encode(errors, forKey: .errors)
        try container.encode(visible, forKey: .visible)
    }
}
