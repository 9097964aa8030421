import ConnectAPI
import MirrorClient

extension MirrorConnectorConfig {
    /// Problems no `ConfigDef` validator sees, shared by the three connectors' `validate`: a
    /// replication policy or `forwarding.admin.class` this runtime does not have, and a cluster
    /// the connector must reach but has no address for (`<side>.cluster.bootstrap.servers` missing).
    public static func validationProblems(
        _ properties: [String: String], clusters: [Cluster]
    ) -> [(name: String, message: String)] {
        var problems: [(name: String, message: String)] = []
        let policyKey = Key.replicationPolicyClass
        if let value = properties[policyKey]?.trimmingCharacters(in: .whitespaces), !value.isEmpty {
            do {
                _ = try ReplicationPolicies.make(className: value, config: properties)
            } catch {
                problems.append((policyKey, "Invalid value \(value) for configuration \(policyKey): \(error.message)"))
            }
        }
        let forwardingKey = Key.forwardingAdminClass
        if let value = properties[forwardingKey]?.trimmingCharacters(in: .whitespaces), !value.isEmpty,
           let problem = forwardingAdminProblem(value) {
            problems.append((forwardingKey, "Invalid value \(value) for configuration \(forwardingKey): \(problem)"))
        }
        for cluster in clusters {
            let key = cluster.clusterPrefix + "bootstrap.servers"
            let aliasKey = cluster == .source ? Key.sourceClusterAlias : Key.targetClusterAlias
            let alias = properties[aliasKey] ?? (cluster == .source ? "source" : Defaults.targetClusterAlias)
            if (properties[key] ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                problems.append((key, "Missing required configuration \"\(key)\": no address for the \(cluster) cluster '\(alias)'"))
            }
        }
        return problems
    }

    /// Adds ``validationProblems(_:clusters:)`` to `values`.
    public static func addValidationProblems(_ properties: [String: String], clusters: [Cluster], to values: inout [ConfigValue]) {
        for problem in validationProblems(properties, clusters: clusters) {
            values.addErrorMessage(problem.message, to: problem.name)
        }
    }
}
