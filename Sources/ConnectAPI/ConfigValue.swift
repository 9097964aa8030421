/// The outcome of validating one property: its parsed value, recommended values, every error
/// found and whether it should be shown, as in Kafka's `ConfigValue`.
public struct ConfigValue: Sendable, Hashable {
    public let name: String
    public var value: ConfigValueType?
    public var recommendedValues: [ConfigValueType]
    public var errors: [String]
    public var visible: Bool

    public init(
        name: String,
        value: ConfigValueType? = nil,
        recommendedValues: [ConfigValueType] = [],
        errors: [String] = [],
        visible: Bool = true
    ) {
        self.name = name
        self.value = value
        self.recommendedValues = recommendedValues
        self.errors = errors
        self.visible = visible
    }

    public mutating func addErrorMessage(_ message: String) {
        errors.append(message)
    }
}

extension Array where Element == ConfigValue {
    /// Appends `message` to the entry for `name`, adding an entry when there is none (how
    /// connectors report multi-property problems from `validate`).
    public mutating func addErrorMessage(_ message: String, to name: String) {
        if let index = firstIndex(where: { $0.name == name }) {
            self[index].addErrorMessage(message)
        } else {
            append(ConfigValue(name: name, errors: [message]))
        }
    }

    /// The total number of error messages.
    public var errorCount: Int { reduce(0) { $0 + $1.errors.count } }
}
