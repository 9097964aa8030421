/// Builds a ``ReplicationPolicy`` from `replication.policy.class` and the rest of a
/// connector or client configuration, as Apache does with `getConfiguredInstance`.
///
/// Apache's fully-qualified class names and their simple names are both accepted.
public enum ReplicationPolicies {
    public static let replicationPolicyClassConfig = "replication.policy.class"
    public static let defaultReplicationPolicyClass = "org.apache.kafka.connect.mirror.DefaultReplicationPolicy"
    public static let identityReplicationPolicyClass = "org.apache.kafka.connect.mirror.IdentityReplicationPolicy"

    /// The class names ``make(className:config:)`` accepts.
    public static var knownClassNames: [String] {
        builders.flatMap { [$0.className, simpleName($0.className)] }
    }

    /// Builds the policy `config[replication.policy.class]` names, `DefaultReplicationPolicy` if absent.
    /// - Throws: ``MirrorClientError`` as ``make(className:config:)`` does.
    public static func make(config: [String: String]) throws(MirrorClientError) -> any ReplicationPolicy {
        try make(className: config[replicationPolicyClassConfig] ?? defaultReplicationPolicyClass, config: config)
    }

    /// Builds the policy named `className`, configured from `config`.
    /// - Throws: ``MirrorClientError/Code/unknownReplicationPolicy`` for a class with no Swift
    ///   implementation, ``MirrorClientError/Code/invalidConfig`` for an unparsable setting.
    public static func make(className: String, config: [String: String]) throws(MirrorClientError) -> any ReplicationPolicy {
        let name = ConfigParsing.className(className)
        guard let builder = builders.first(where: { name == $0.className || name == simpleName($0.className) }) else {
            throw MirrorClientError(
                .unknownReplicationPolicy,
                "\(replicationPolicyClassConfig)=\"\(className)\" is not supported; known classes: "
                    + knownClassNames.joined(separator: ", ")
            )
        }
        return try builder.make(config)
    }

    private struct Builder: Sendable {
        var className: String
        var make: @Sendable ([String: String]) throws(MirrorClientError) -> any ReplicationPolicy
    }

    private static let builders: [Builder] = [
        Builder(className: defaultReplicationPolicyClass) { config throws(MirrorClientError) in
            try DefaultReplicationPolicy(config: config)
        },
        Builder(className: identityReplicationPolicyClass) { config throws(MirrorClientError) in
            try IdentityReplicationPolicy(config: config)
        },
    ]

    private static func simpleName(_ className: String) -> String {
        String(className.split(separator: ".").last ?? Substring(className))
    }
}
