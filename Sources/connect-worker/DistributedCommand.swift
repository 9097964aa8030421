import ArgumentParser
import BuiltinConnectors
import ConnectAPI
import ConnectRest
import ConnectRuntime
import Foundation
import Logging
import ServiceLifecycle

/// `connect-worker distributed worker.properties`: the equivalent of Apache Kafka's
/// `connect-distributed.sh`.
struct DistributedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distributed",
        abstract: "Run a Kafka Connect distributed worker (like connect-distributed.sh).",
        discussion: """
        Reads a Java .properties file with Apache Kafka's worker property names and defaults \
        (group.id, config.storage.topic, offset.storage.topic, status.storage.topic, \
        key.converter, value.converter, bootstrap.servers, listeners, ...), joins the worker \
        group, creates the internal topics if they are missing and serves the Connect REST API. \
        Unknown properties and invalid values are refused with the reason. SIGTERM or SIGINT \
        stops the tasks gracefully and leaves the group.
        """
    )

    @Argument(help: "The worker properties file (the same file Apache Kafka Connect reads).")
    var workerProperties: String

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: workerProperties) else {
            throw ValidationError("cannot read worker properties file '\(workerProperties)'")
        }
        let properties = try JavaProperties(latin1Bytes: Array(data)).dictionary
        let config: DistributedConfig
        do {
            config = try DistributedConfig(properties)
        } catch {
            throw ValidationError("invalid worker configuration in '\(workerProperties)': \(error.message)")
        }
        let restConfiguration = try RestServerConfiguration(workerProperties: properties)

        let loggerLevels = LoggerLevels(rootLevel: try global.log4jLevel())
        let logger = try global.bootstrapLogging(levels: loggerLevels)

        let plugins = PluginRegistry.connectWorkerPlugins

        let herder = try DistributedHerder(config: config, plugins: plugins, loggerLevels: loggerLevels, logger: logger)
        let rest = try RestServer(configuration: restConfiguration, herder: herder, loggerLevels: loggerLevels, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: rest),
                .init(service: HerderService(herder: herder, rest: rest)),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}

/// Runs the herder once the REST server knows its advertised URL; graceful shutdown stops the
/// tasks and leaves the group before the REST server closes (services stop in reverse order).
struct HerderService: Service {
    let herder: DistributedHerder
    let rest: RestServer

    func run() async throws {
        let url = try await rest.advertisedURL()
        try await withGracefulShutdownHandler {
            try await herder.run(advertisedURL: url)
        } onGracefulShutdown: {
            herder.shutdown()
        }
    }
}
