import ArgumentParser
import ConnectRuntime
import Foundation
import Kafka
import MirrorClient

/// `connect-worker mirror-client`: Apache's `RemoteClusterUtils` / `MirrorClient` from the
/// command line, against one cluster (typically the target of a replication flow).
struct MirrorClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirror-client",
        abstract: "Inspect the MirrorMaker 2 topics of a cluster: translated offsets, heartbeats, checkpoints, upstream clusters.",
        subcommands: [
            TranslateOffsets.self, HeartbeatTopics.self, CheckpointTopics.self, UpstreamClusters.self,
            ReplicationHops.self, RemoteTopics.self,
        ]
    )

    struct TranslateOffsets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "translate-offsets",
            abstract: "The offsets a consumer group of another cluster should use on this cluster, from its checkpoints.")

        @Option(name: .long, help: "The consumer group on the remote (source) cluster.")
        var group: String

        @Option(name: .long, help: "The alias of the remote (source) cluster the group consumed from.")
        var remoteClusterAlias: String

        @OptionGroup var options: MirrorClientOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await options.run(
                .translateOffsets(groupId: group, remoteClusterAlias: remoteClusterAlias, timeout: try options.timeout()),
                global: global)
        }
    }

    struct HeartbeatTopics: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "heartbeat-topics", abstract: "The heartbeats topics of the cluster (local and replicated).")
        @OptionGroup var options: MirrorClientOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws { try await options.run(.heartbeatTopics, global: global) }
    }

    struct CheckpointTopics: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checkpoint-topics", abstract: "The checkpoints topics of the cluster.")
        @OptionGroup var options: MirrorClientOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws { try await options.run(.checkpointTopics, global: global) }
    }

    struct UpstreamClusters: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "upstream-clusters", abstract: "The clusters replicating into this one, at any number of hops.")
        @OptionGroup var options: MirrorClientOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws { try await options.run(.upstreamClusters, global: global) }
    }

    struct ReplicationHops: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "replication-hops", abstract: "The fewest replication hops from an upstream cluster (-1: unreachable).")

        @Option(name: .long, help: "The alias of the upstream cluster.")
        var upstreamClusterAlias: String

        @OptionGroup var options: MirrorClientOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await options.run(.replicationHops(upstreamClusterAlias: upstreamClusterAlias), global: global)
        }
    }

    struct RemoteTopics: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remote-topics", abstract: "The replicated topics of the cluster, internal topics excluded.")

        @Option(name: .long, help: "Only topics replicated directly from this cluster alias.")
        var source: String?

        @OptionGroup var options: MirrorClientOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws { try await options.run(.remoteTopics(source: source), global: global) }
    }
}

/// Connection, policy and output options of every `mirror-client` subcommand.
struct MirrorClientOptions: ParsableArguments {
    enum Output: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(name: .long, help: "The cluster to ask (host:port[,host:port...]); overrides bootstrap.servers of --command-config.")
    var bootstrapServers: String?

    @Option(name: .long, help: "A Java .properties file of client settings: bootstrap.servers, security.protocol, ssl.*, sasl.*, admin.*/consumer.* overrides, replication.policy.*.")
    var commandConfig: String?

    @Option(name: .long, help: "replication.policy.class (DefaultReplicationPolicy or IdentityReplicationPolicy).")
    var replicationPolicyClass: String?

    @Option(name: .long, help: "replication.policy.separator (default '.').")
    var replicationPolicySeparator: String?

    @Option(name: .long, help: "replication.policy.internal.topic.separator.enabled (true or false).")
    var internalTopicSeparatorEnabled: String?

    @Option(name: .long, help: "How long to wait for the cluster, in milliseconds.")
    var timeoutMs: Int = 30_000

    @Option(name: .long, help: "Output format: text or json.")
    var output: Output = .text

    /// The client properties: the file, then the options on top.
    func properties() throws -> [String: String] {
        var properties: [String: String] = [:]
        if let commandConfig {
            guard let data = FileManager.default.contents(atPath: commandConfig) else {
                throw ValidationError("cannot read --command-config file '\(commandConfig)'")
            }
            properties = try JavaProperties(latin1Bytes: Array(data)).dictionary
        }
        if let bootstrapServers { properties[MirrorClientConfig.bootstrapServersConfig] = bootstrapServers }
        if let replicationPolicyClass { properties[ReplicationPolicies.replicationPolicyClassConfig] = replicationPolicyClass }
        if let replicationPolicySeparator { properties[DefaultReplicationPolicy.separatorConfig] = replicationPolicySeparator }
        if let internalTopicSeparatorEnabled {
            properties[DefaultReplicationPolicy.internalTopicSeparatorEnabledConfig] = internalTopicSeparatorEnabled
        }
        guard properties[MirrorClientConfig.bootstrapServersConfig] != nil else {
            throw ValidationError("set --bootstrap-servers or bootstrap.servers in --command-config")
        }
        return properties
    }

    func timeout() throws -> Duration {
        guard timeoutMs > 0 else { throw ValidationError("--timeout-ms must be positive") }
        return .milliseconds(timeoutMs)
    }

    /// Asks the cluster and prints the answer.
    func run(_ query: MirrorClientQuery, global: GlobalOptions) async throws {
        let logger = try global.bootstrapLogging()
        let config: MirrorClientConfig
        do {
            config = try MirrorClientConfig(try properties())
        } catch let error as MirrorClientError {
            throw ValidationError(error.message)
        }
        let client = try MirrorClusterClient(config: config, operationTimeout: try timeout(), logger: logger)
        let answer: MirrorClientQuery.Answer
        do {
            answer = try await query.run(on: client)
            await client.close()
        } catch {
            await client.close()
            throw error
        }
        print(output == .json ? answer.renderJSON() : answer.renderText(), terminator: "")
    }
}
