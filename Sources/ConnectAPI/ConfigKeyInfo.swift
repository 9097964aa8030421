/// The REST form of a ``ConfigKey`` (`definition` in a validate response, and the items of
/// `GET /connector-plugins/{plugin}/config`), with Kafka's JSON keys.
public struct ConfigKeyInfo: Sendable, Hashable, Codable {
    public var name: String
    /// The ``ConfigType`` raw value, e.g. `"LIST"`.
    public var type: String
    /// True only for keys without a default.
    public var required: Bool
    /// The default as Kafka's `convertToString` renders it; `nil` (JSON `null`) for required keys
    /// and null defaults.
    public var defaultValue: String?
    public var importance: String
    public var documentation: String?
    public var group: String?
    /// Serialized as `order`.
    public var orderInGroup: Int
    public var width: String
    public var displayName: String?
    public var dependents: [String]

    public init(
        name: String, type: String, required: Bool, defaultValue: String?, importance: String,
        documentation: String?, group: String?, orderInGroup: Int, width: String,
        displayName: String?, dependents: [String]
    ) {
        self.name = name
        self.type = type
        self.required = required
        self.defaultValue = defaultValue
        self.importance = importance
        self.documentation = documentation
        self.group = group
        self.orderInGroup = orderInGroup
        self.width = width
        self.displayName = displayName
        self.dependents = dependents
    }

    /// The REST form of `key`, its name prefixed with `prefix` (used for client overrides).
    public init(_ key: ConfigKey, prefix: String = "") {
        self.init(
            name: prefix + key.name,
            type: key.type.rawValue,
            required: !key.hasDefault,
            defaultValue: key.defaultParsedValue?.kafkaString,
            importance: key.importance.rawValue,
            documentation: key.documentation,
            group: key.group,
            orderInGroup: key.orderInGroup,
            width: key.width.rawValue,
            displayName: key.displayName,
            dependents: key.dependents)
    }

    private enum CodingKeys: String, CodingKey {
        case name, type, required
        case defaultValue = "default_value"
        case importance, documentation, group
        case orderInGroup = "order"
        case width
        case displayName = "display_name"
        case dependents
        /// Kafka's JSON creator reads this spelling; it never writes it.
        case legacyOrderInGroup = "order_in_group"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        type = try container.decode(String.self, forKey: .type)
        required = try container.decode(Bool.self, forKey: .required)
        defaultValue = try container.decodeIfPresent(String.self, forKey: .defaultValue)
        importance = try container.decode(String.self, forKey: .importance)
        documentation = try container.decodeIfPresent(String.self, forKey: .documentation)
        group = try container.decodeIfPresent(String.self, forKey: .group)
        orderInGroup = try container.decodeIfPresent(Int.self, forKey: .orderInGroup)
            ?? container.decodeIfPresent(Int.self, forKey: .legacyOrderInGroup) ?? -1
        width = try container.decode(String.self, forKey: .width)
        displayName = try container.decodeIfPresent(String.self, forKey: .displayName)
        dependents = try container.decodeIfPresent([String].self, forKey: .dependents) ?? []
    }

    /// Writes every key, with explicit `null`s as Kafka does.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(type, forKey: .type)
        try container.encode(required, forKey: .required)
        try container.encode(defaultValue, forKey: .defaultValue)
        try container.encode(importance, forKey: .importance)
        try container.encode(documentation, forKey: .documentation)
        try container.encode(group, forKey: .group)
        try container.encode(orderInGroup, forKey: .orderInGroup)
        try container.encode(width, forKey: .width)
        try container.encode(displayName, forKey: .displayName)
        try container.encode(dependents, forKey: .dependents)
    }
}
