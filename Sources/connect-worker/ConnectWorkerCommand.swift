import ArgumentParser
import ConnectRuntime
import Logging

/// `connect-worker`: the swift-connect worker process.
@main
struct ConnectWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect-worker",
        abstract: "swift-connect: a Kafka Connect-compatible worker hosting the MirrorMaker 2 connectors.",
        discussion: """
        `connect-worker distributed worker.properties` runs a Kafka Connect distributed worker \
        (like Apache Kafka's connect-distributed.sh), compatible with Apache Kafka's workers on the \
        wire, in the internal topics and in the REST API. It hosts the three MirrorMaker 2 \
        connectors under Apache Kafka's class names \
        (org.apache.kafka.connect.mirror.MirrorSourceConnector, MirrorCheckpointConnector, \
        MirrorHeartbeatConnector), submitted through the REST API as with Apache Kafka Connect. \
        `connect-worker mirror-client` reads the MirrorMaker 2 topics of a cluster (translated \
        offsets, heartbeats, checkpoints); `connect-worker cluster-info` describes a Kafka cluster.
        """,
        subcommands: [DistributedCommand.self, ClusterInfoCommand.self, MirrorClientCommand.self]
    )
}

/// Options every subcommand shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "warning"

    /// Sends logs (including librdkafka's) to standard error. Only `main` bootstraps logging.
    func bootstrapLogging() throws -> Logger {
        let level = try swiftLogLevel()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "connect-worker")
    }

    /// Like ``bootstrapLogging()``, with levels that `/admin/loggers` can change at run time.
    func bootstrapLogging(levels: LoggerLevels) throws -> Logger {
        LoggingSystem.bootstrap { label in
            levels.makeLogHandler(label: label, wrapping: StreamLogHandler.standardError(label: label))
        }
        return Logger(label: "connect-worker")
    }

    func swiftLogLevel() throws -> Logger.Level {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("unknown log level '\(logLevel)'")
        }
        return level
    }

    /// The `--log-level` as the log4j level name `/admin/loggers` shows.
    func log4jLevel() throws -> String {
        switch try swiftLogLevel() {
        case .trace: "TRACE"
        case .debug: "DEBUG"
        case .info, .notice: "INFO"
        case .warning: "WARN"
        case .error: "ERROR"
        case .critical: "FATAL"
        }
    }
}
