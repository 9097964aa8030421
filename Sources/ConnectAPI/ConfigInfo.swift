/// One entry of a validate response: a key's definition and its validation result. Either side
/// is JSON `null` when absent (a value for an undefined key, or a key that was not validated).
public struct ConfigInfo: Sendable, Hashable, Codable {
    public var definition: ConfigKeyInfo?
    public var value: ConfigValueInfo?

    public init(definition: ConfigKeyInfo?, value: ConfigValueInfo?) {
        self.definition = definition
        self.value = value
    }

    private enum CodingKeys: String, CodingKey {
        case definition, value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(definition, forKey: .definition)
        try container.encode(value, forKey: .value)
    }
}
