import ArgumentParser
import ConnectRuntime
import Foundation
import Kafka

/// `connect-worker cluster-info`: proves the client layer against a cluster by describing it.
struct ClusterInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster-info",
        abstract: "Describe a Kafka cluster: id, brokers, topics with partition counts, consumer groups."
    )

    @Option(name: .long, help: "The cluster to describe (host:port[,host:port...]).")
    var bootstrapServers: String

    @Option(name: .long, help: "A Java .properties file of client settings (security.protocol, sasl.*, ssl.*...).")
    var commandConfig: String?

    @Option(name: .long, help: "How long to wait for the cluster, in milliseconds.")
    var timeoutMs: Int = 15_000

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let logger = try global.bootstrapLogging()
        guard timeoutMs > 0 else { throw ValidationError("--timeout-ms must be positive") }
        var properties: [String: String] = [:]
        if let commandConfig {
            guard let data = FileManager.default.contents(atPath: commandConfig) else {
                throw ValidationError("cannot read --command-config file '\(commandConfig)'")
            }
            properties = try JavaProperties(latin1Bytes: Array(data)).dictionary
        }
        properties["bootstrap.servers"] = bootstrapServers
        properties["default.api.timeout.ms"] = String(timeoutMs)

        let admin = try KafkaAdminClient(configuration: KafkaConfiguration(properties), logger: logger)
        do {
            let cluster = try await admin.describeCluster()
            let topics = try await admin.describeTopics()
            let groups = try await admin.listConsumerGroups()
            await admin.close()
            print(Self.report(cluster: cluster, topics: topics, groups: groups), terminator: "")
        } catch {
            await admin.close()
            throw error
        }
    }

    static func report(cluster: ClusterDescription, topics: [TopicDescription], groups: [ConsumerGroupListing]) -> String {
        var lines = [
            "cluster.id: \(cluster.clusterID ?? "unknown")",
            "controller: \(cluster.controllerID)",
            "brokers: \(cluster.brokers.count)",
        ]
        lines += cluster.brokers.sorted { $0.id < $1.id }.map { "  broker \($0.id) \($0.host):\($0.port)" }
        lines.append("topics: \(topics.count)")
        lines += topics.map { "  \($0.name) partitions=\($0.partitionCount) replication.factor=\($0.replicationFactor)" }
        lines.append("consumer groups: \(groups.count)")
        lines += groups.map { "  \($0.groupID) state=\($0.state.rawValue)" }
        return lines.joined(separator: "\n") + "\n"
    }
}
