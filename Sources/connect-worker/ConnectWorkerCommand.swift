import ArgumentParser
import Logging

/// `connect-worker`: the swift-connect worker process.
@main
struct ConnectWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect-worker",
        abstract: "swift-connect: a Kafka Connect-compatible worker hosting the MirrorMaker 2 connectors.",
        discussion: """
        This build provides the Kafka client layer and its diagnostics. The distributed worker \
        (`connect-worker distributed worker.properties`, the equivalent of connect-distributed.sh) \
        and the MirrorMaker 2 connectors are not available yet.
        """,
        subcommands: [ClusterInfoCommand.self]
    )
}

/// Options every subcommand shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "warning"

    /// Sends logs (including librdkafka's) to standard error. Only `main` bootstraps logging.
    func bootstrapLogging() throws -> Logger {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("unknown log level '\(logLevel)'")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "connect-worker")
    }
}
