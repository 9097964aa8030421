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

/// The addresses of both clusters, which `validate` requires.
let clusterAddresses = ["source.cluster.bootstrap.servers": "src:9092", "target.cluster.bootstrap.servers": "tgt:9092"]

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
