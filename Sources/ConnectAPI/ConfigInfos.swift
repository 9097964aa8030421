/// The body of `PUT /connector-plugins/{plugin}/config/validate`, with Kafka's JSON keys.
public struct ConfigInfos: Sendable, Hashable, Codable {
    /// The connector class that was validated.
    public var name: String
    public var errorCount: Int
    public var groups: [String]
    public var configs: [ConfigInfo]

    public init(name: String, errorCount: Int, groups: [String], configs: [ConfigInfo]) {
        self.name = name
        self.errorCount = errorCount
        self.groups = groups
        self.configs = configs
    }

    /// Combines a definition with validation results the way Kafka's herder does: results for
    /// names the definition lacks come first (without a definition), then every defined key in
    /// order with its result (or a `null` value if it was not validated). `error_count` is the
    /// total number of error messages.
    public init(name: String, configDef: ConfigDef, values: [ConfigValue], groups: [String]? = nil) {
        var configs: [ConfigInfo] = []
        var errorCount = 0
        var valuesByName: [String: ConfigValue] = [:]
        for value in values {
            valuesByName[value.name] = value
            if configDef[value.name] == nil {
                configs.append(ConfigInfo(definition: nil, value: ConfigValueInfo(value)))
                errorCount += value.errors.count
            }
        }
        for key in configDef.keys {
            let value = valuesByName[key.name]
            errorCount += value?.errors.count ?? 0
            configs.append(ConfigInfo(definition: ConfigKeyInfo(key), value: value.map { ConfigValueInfo($0) }))
        }
        self.init(name: name, errorCount: errorCount, groups: groups ?? configDef.groups, configs: configs)
    }

    private enum CodingKeys: String, CodingKey {
        case name
        case errorCount = "error_count"
        case groups, configs
    }
}
