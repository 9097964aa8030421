import ConnectAPI

/// The minimal connector properties, as in Apache Kafka's `TestUtils.makeProps`.
func makeProps(_ extra: [String: String] = [:]) -> [String: String] {
    var props = [
        "name": "ConnectorName",
        "connector.class": "ConnectorClass",
        "source.cluster.alias": "source1",
        "target.cluster.alias": "target2",
    ]
    props.merge(extra) { $1 }
    return props
}

/// Non-empty error lists by property name.
func errorsByName(_ values: [ConfigValue]) -> [String: [String]] {
    var result: [String: [String]] = [:]
    for value in values where !value.errors.isEmpty {
        result[value.name, default: []] += value.errors
    }
    return result
}

/// The REST rendering of a key's default.
func renderedDefault(_ def: ConfigDef, _ name: String) -> String? {
    def[name].flatMap { ConfigKeyInfo($0).defaultValue }
}
