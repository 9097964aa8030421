import ConnectAPI
import Foundation

/// Connector settings Apache's runtime honours and this one cannot. A config that asks for
/// one is invalid (400 on create and update, an error on the property in
/// `…/config/validate`) instead of running silently without it.
///
/// Refused: non-empty `transforms` and `predicates` (no single message transforms), `errors.*`
/// other than their defaults (a task fails on its first error; no retries, tolerance, error
/// logging or dead letter queue), and for source connectors `topic.creation.*` (topics are not
/// created for them) and a connector-specific `offsets.storage.topic`.
enum UnsupportedConnectorSettings {
    /// The errors of ``check(_:isSink:definition:values:)`` alone, for a config that did not go
    /// through validation (e.g. written to the config topic by another implementation).
    static func problems(_ config: [String: String], isSink: Bool, definition: ConfigDef) -> [String] {
        var values = definition.validate(config)
        var before: [String: Int] = [:]
        for value in values { before[value.name] = value.errors.count }
        check(config, isSink: isSink, definition: definition, values: &values)
        return values.flatMap { $0.errors.dropFirst(before[$0.name] ?? 0) }
    }

    /// Adds an error to the entry of every such setting in `config`.
    /// - Parameters:
    ///   - definition: the definition `values` were validated with (it has the defaults).
    ///   - values: the validation results; entries are added for properties without one.
    static func check(_ config: [String: String], isSink: Bool, definition: ConfigDef, values: inout [ConfigValue]) {
        for (name, what) in [
            (ConnectorConfig.transforms, "Transformations (single message transforms)"),
            (ConnectorConfig.predicates, "Predicates"),
        ] {
            guard let value = values.first(where: { $0.name == name }), value.errors.isEmpty,
                  case .list(let aliases)? = value.value, !aliases.isEmpty else { continue }
            values.addErrorMessage("\(what) are not supported by this runtime; '\(name)' must be empty", to: name)
        }
        for name in config.keys.sorted() where name.hasPrefix("errors.") {
            // Apache ignores `errors.*` names it does not define (e.g. a dead letter queue of a source).
            guard let key = definition[name],
                  let value = values.first(where: { $0.name == name }), value.errors.isEmpty,
                  let parsed = value.value, parsed != key.defaultParsedValue else { continue }
            let defaultText = ConfigKeyInfo(key).defaultValue ?? "null"
            values.addErrorMessage(
                "Error handling other than the default is not supported by this runtime (a task fails on its first error); '\(name)' must be \(defaultText.isEmpty ? "empty" : defaultText)",
                to: name)
        }
        guard !isSink else { return }
        for name in config.keys.sorted() where name.hasPrefix("topic.creation.") {
            values.addErrorMessage(
                "Topic creation for source connectors (KIP-158) is not supported by this runtime; create the topics beforehand and remove '\(name)'",
                to: name)
        }
        if let topic = config["offsets.storage.topic"], !topic.trimmingCharacters(in: .whitespaces).isEmpty {
            values.addErrorMessage(
                "Connector-specific offsets topics are not supported by this runtime; source offsets go to the worker's offset.storage.topic",
                to: "offsets.storage.topic")
        }
    }
}
