import Foundation
import ConnectAPI

/// Which Kafka client settings a connector config may override with `producer.override.*`,
/// `consumer.override.*` and `admin.override.*` (the worker's
/// `connector.client.config.override.policy`, Apache's `ConnectorClientConfigOverridePolicy`
/// plugins, KIP-458).
///
/// - `All`: any setting (the default);
/// - `None`: no setting;
/// - `Principal`: only who the client is: `sasl.jaas.config`, `sasl.mechanism`, `security.protocol`.
///
/// The worker property takes the alias (`All`), the simple class name
/// (`AllConnectorClientConfigOverridePolicy`) or the full class name
/// (`org.apache.kafka.connect.connector.policy.AllConnectorClientConfigOverridePolicy`).
public enum ConnectorClientConfigOverridePolicy: String, Sendable, CaseIterable {
    case all = "All"
    case none = "None"
    case principal = "Principal"

    /// The package of Apache's policy classes.
    static let classPackage = "org.apache.kafka.connect.connector.policy."
    static let classSuffix = "ConnectorClientConfigOverridePolicy"

    /// The settings `Principal` allows.
    public static let principalSettings: Set<String> = ["sasl.jaas.config", "sasl.mechanism", "security.protocol"]

    /// Parses the worker property (alias, simple or full class name).
    public init?(configValue: String) {
        let value = configValue.trimmingCharacters(in: .whitespaces)
        for policy in Self.allCases {
            let simpleName = policy.rawValue + Self.classSuffix
            if value == policy.rawValue || value == simpleName || value == Self.classPackage + simpleName {
                self = policy
                return
            }
        }
        return nil
    }

    /// The Kafka clients a connector's tasks may have overridden.
    public enum ClientType: String, Sendable {
        case producer, consumer, admin

        /// `producer.override.`, `consumer.override.`, `admin.override.`.
        public var overridePrefix: String { rawValue + ".override." }
    }

    /// Whether the policy lets a connector override the client setting `name` (without prefix).
    public func allows(_ name: String) -> Bool {
        switch self {
        case .all: true
        case .none: false
        case .principal: Self.principalSettings.contains(name)
        }
    }

    /// One validation result per `<client>.override.*` entry of `connectorConfig`, named with
    /// the prefix; each forbidden one carries Apache's message.
    public func validate(_ connectorConfig: [String: String], client: ClientType) -> [ConfigValue] {
        let prefix = client.overridePrefix
        return connectorConfig.keys.filter { $0.hasPrefix(prefix) }.sorted().map { key in
            let name = String(key.dropFirst(prefix.count))
            var value = ConfigValue(name: key, value: connectorConfig[key].map { .string($0) })
            if !allows(name) {
                value.addErrorMessage("The '\(rawValue)' policy does not allow '\(name)' to be overridden in the connector configuration.")
            }
            return value
        }
    }

    /// The `<client>.override.*` settings of `connectorConfig` (without the prefix), if the
    /// policy allows them all (Apache's worker checks again when it builds a task's clients).
    /// - Throws: ``ConnectError`` naming the forbidden settings.
    public func overrides(_ connectorConfig: [String: String], client: ClientType) throws -> [String: String] {
        let forbidden = validate(connectorConfig, client: client).filter { !$0.errors.isEmpty }
        guard forbidden.isEmpty else {
            throw ConnectError("Client Config Overrides not allowed: " + forbidden.flatMap(\.errors).joined(separator: " "))
        }
        return ParsedConfig.entriesWithPrefix(connectorConfig, client.overridePrefix)
    }
}
