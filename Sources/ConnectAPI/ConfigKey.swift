/// The definition of one configuration property, as in Kafka's `ConfigDef.ConfigKey`.
public struct ConfigKey: Sendable {
    /// How much a user is likely to need to change the property.
    public enum Importance: String, Sendable, Hashable, Codable, CaseIterable {
        case high = "HIGH"
        case medium = "MEDIUM"
        case low = "LOW"
    }

    /// A display-width hint for UIs.
    public enum Width: String, Sendable, Hashable, Codable, CaseIterable {
        case none = "NONE"
        case short = "SHORT"
        case medium = "MEDIUM"
        case long = "LONG"
    }

    /// What a property is when it is not set.
    public enum DefaultValue: Sendable, Hashable {
        /// No default: the property must be set.
        case required
        /// Optional, without a value when unset (Java's `null` default).
        case null
        /// Optional, with this value when unset.
        case value(ConfigValueType)

        public static func string(_ value: String) -> Self { .value(.string(value)) }
        public static func boolean(_ value: Bool) -> Self { .value(.boolean(value)) }
        public static func int(_ value: Int32) -> Self { .value(.int(value)) }
        public static func short(_ value: Int16) -> Self { .value(.short(value)) }
        public static func long(_ value: Int64) -> Self { .value(.long(value)) }
        public static func double(_ value: Double) -> Self { .value(.double(value)) }
        public static func list(_ values: [String]) -> Self { .value(.list(values)) }
        public static func `class`(_ name: String) -> Self { .value(.class(name)) }
    }

    public let name: String
    public let type: ConfigType
    public let defaultValue: DefaultValue
    public let validator: ConfigValidator?
    public let importance: Importance
    public let documentation: String
    public let group: String?
    public let orderInGroup: Int
    public let width: Width
    public let displayName: String
    /// Names of properties whose validity or visibility depends on this one.
    public let dependents: [String]

    /// Without a group the order is -1, the width `NONE` and the display name the property name,
    /// as in Kafka's shorter `define` overloads.
    public init(
        name: String,
        type: ConfigType,
        defaultValue: DefaultValue,
        validator: ConfigValidator? = nil,
        importance: Importance,
        documentation: String,
        group: String? = nil,
        orderInGroup: Int = -1,
        width: Width = .none,
        displayName: String? = nil,
        dependents: [String] = []
    ) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.validator = validator
        self.importance = importance
        self.documentation = documentation
        self.group = group
        self.orderInGroup = orderInGroup
        self.width = width
        self.displayName = displayName ?? name
        self.dependents = dependents
    }

    /// Whether the property may be left unset.
    public var hasDefault: Bool { defaultValue != .required }

    /// The value used when the property is unset (`nil` for required and null defaults).
    public var defaultParsedValue: ConfigValueType? {
        if case .value(let value) = defaultValue { return value }
        return nil
    }
}
