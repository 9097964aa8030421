import Foundation
import Logging
import Synchronization

/// The worker's dynamic log levels behind `/admin/loggers` (Apache's `Loggers`, KIP-495/976).
///
/// Loggers are swift-log labels, arranged in a hierarchy by dots as log4j does: a logger
/// without a level of its own takes the level of its nearest dotted ancestor that has one, else
/// the root level. Labels become known when a logger is made through ``makeLogHandler(label:wrapping:)``
/// (the handler factory `connect-worker` bootstraps swift-log with) or when a level is set for
/// them. Levels are log4j names (`TRACE`, `DEBUG`, `INFO`, `WARN`, `ERROR`, `FATAL`, plus `ALL`
/// and `OFF`); `WARN` maps to swift-log's `warning` and `FATAL` to `critical`.
public final class LoggerLevels: Sendable {
    /// The name of the root logger in requests and responses (case-insensitive on input).
    public static let rootLoggerName = "root"

    /// The log4j level names accepted by `PUT /admin/loggers/{logger}`.
    public static let levelNames = ["ALL", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "OFF"]

    private struct State {
        var rootLevel: String
        /// Levels set explicitly, by logger name.
        var levels: [String: String] = [:]
        var lastModified: [String: Int64] = [:]
        /// Every logger name seen (made by the handler factory or set explicitly).
        var known: Set<String> = []
        /// Resolved levels by label; cleared on every change.
        var effectiveCache: [String: String] = [:]

        func effectiveLevel(_ name: String) -> String {
            if let level = levels[name] { return level }
            var candidate = Substring(name)
            while let dot = candidate.lastIndex(of: ".") {
                candidate = candidate[..<dot]
                if let level = levels[String(candidate)] { return level }
            }
            return rootLevel
        }
    }

    private let state: Mutex<State>
    private let clock: @Sendable () -> Int64

    /// - Parameters:
    ///   - rootLevel: the starting root level, a log4j name (default `INFO`).
    ///   - clock: milliseconds since the epoch, for `last_modified`.
    public init(
        rootLevel: String = "INFO",
        clock: @escaping @Sendable () -> Int64 = { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
    ) {
        let root = LoggerLevels.normalizedLevel(rootLevel) ?? "INFO"
        state = Mutex(State(rootLevel: root))
        self.clock = clock
    }

    /// The upper-cased level name if `text` names a log4j level, else `nil`.
    public static func normalizedLevel(_ text: String) -> String? {
        let upper = text.uppercased()
        return levelNames.contains(upper) ? upper : nil
    }

    /// The swift-log level for a log4j level name; `nil` for `OFF` (nothing is logged).
    public static func swiftLogLevel(_ level: String) -> Logger.Level? {
        switch level {
        case "ALL", "TRACE": .trace
        case "DEBUG": .debug
        case "INFO": .info
        case "WARN": .warning
        case "ERROR": .error
        case "FATAL": .critical
        default: nil
        }
    }

    /// Records that a logger with this label exists, so `GET /admin/loggers/{label}` finds it.
    public func register(label: String) {
        state.withLock { _ = $0.known.insert(label) }
    }

    /// The level of one logger (its own or its effective one) and when it was last changed;
    /// `nil` if no logger with that name is known. `root` is always known.
    public func level(of logger: String) -> LoggerLevel? {
        state.withLock { state in
            if logger.lowercased() == LoggerLevels.rootLoggerName {
                return LoggerLevel(level: state.rootLevel, lastModified: state.lastModified[LoggerLevels.rootLoggerName])
            }
            guard state.known.contains(logger) else { return nil }
            return LoggerLevel(level: state.effectiveLevel(logger), lastModified: state.lastModified[logger])
        }
    }

    /// Every logger with a level of its own, plus `root` (`GET /admin/loggers`).
    public func allLevels() -> [String: LoggerLevel] {
        state.withLock { state in
            var result: [String: LoggerLevel] = [:]
            for (name, level) in state.levels {
                result[name] = LoggerLevel(level: level, lastModified: state.lastModified[name])
            }
            result[LoggerLevels.rootLoggerName] = LoggerLevel(
                level: state.rootLevel, lastModified: state.lastModified[LoggerLevels.rootLoggerName])
            return result
        }
    }

    /// Sets `level` on the logger `namespace` and on every known logger whose name starts with
    /// `namespace` (plain string prefix, as Apache does); `root` sets the root and every logger.
    /// Loggers already at that level keep their `last_modified`.
    /// - Returns: the names of all loggers in the namespace, sorted.
    /// - Throws: ``ConnectRestError`` `notFound` ("invalid log level 'x'.") for unknown levels,
    ///   as Apache answers.
    @discardableResult
    public func setLevel(namespace: String, level: String) throws(ConnectRestError) -> [String] {
        guard let level = LoggerLevels.normalizedLevel(level) else {
            throw ConnectRestError.notFound("invalid log level '\(level)'.")
        }
        let now = clock()
        return state.withLock { state in
            var affected: [String]
            let isRoot = namespace.lowercased() == LoggerLevels.rootLoggerName
            if isRoot {
                affected = Array(state.known)
            } else {
                affected = state.known.filter { $0.hasPrefix(namespace) }
                if !state.known.contains(namespace) { affected.append(namespace) }
            }
            for name in affected {
                let current = state.levels[name] ?? state.effectiveLevel(name)
                guard current != level else { continue }
                state.levels[name] = level
                state.lastModified[name] = now
                state.known.insert(name)
            }
            if isRoot {
                if state.rootLevel != level {
                    state.rootLevel = level
                    state.lastModified[LoggerLevels.rootLoggerName] = now
                }
                affected.append(LoggerLevels.rootLoggerName)
            }
            state.effectiveCache.removeAll()
            return affected.sorted()
        }
    }

    /// The level the logger with this label currently logs at; `nil` means `OFF`.
    public func effectiveSwiftLogLevel(label: String) -> Logger.Level? {
        let name = state.withLock { state in
            if let cached = state.effectiveCache[label] { return cached }
            let resolved = state.effectiveLevel(label)
            state.effectiveCache[label] = resolved
            return resolved
        }
        return LoggerLevels.swiftLogLevel(name)
    }

    /// A handler for swift-log's `LoggingSystem.bootstrap` that registers `label` and filters
    /// through these levels before passing events to `handler`.
    public func makeLogHandler(label: String, wrapping handler: any LogHandler) -> LoggerLevelsLogHandler {
        register(label: label)
        return LoggerLevelsLogHandler(label: label, levels: self, wrapping: handler)
    }
}

/// A swift-log handler whose level comes from a ``LoggerLevels`` registry, so
/// `PUT /admin/loggers/...` changes take effect on loggers that already exist.
///
/// Setting ``logLevel`` on a logger has no effect: levels are managed through the registry.
public struct LoggerLevelsLogHandler: LogHandler {
    public let label: String
    private let levels: LoggerLevels
    private var wrapped: any LogHandler

    public init(label: String, levels: LoggerLevels, wrapping handler: any LogHandler) {
        self.label = label
        self.levels = levels
        var handler = handler
        handler.logLevel = .trace
        self.wrapped = handler
    }

    public var logLevel: Logger.Level {
        get { levels.effectiveSwiftLogLevel(label: label) ?? .critical }
        set {}
    }

    public var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { wrapped.metadataProvider }
        set { wrapped.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        // `OFF` drops even critical events, which `logLevel` alone cannot express.
        guard let threshold = levels.effectiveSwiftLogLevel(label: label), event.level >= threshold else { return }
        wrapped.log(event: event)
    }
}
