import ConnectAPI

/// Small connectors with real behaviour, for tests and demos: a counting source and Kafka's
/// file stream source and sink.
public enum BuiltinConnectors {
    /// The version every built-in connector reports.
    public static let version = "1.0.0"

    /// Registers `SequenceSourceConnector`, `FileStreamSourceConnector` and `FileStreamSinkConnector`.
    public static func register(into registry: inout PluginRegistry) {
        registry.registerSourceConnector(SequenceSourceConnector.self, className: SequenceSourceConnector.className)
        registry.registerSourceConnector(FileStreamSourceConnector.self, className: FileStreamSourceConnector.className)
        registry.registerSinkConnector(FileStreamSinkConnector.self, className: FileStreamSinkConnector.className)
    }
}

/// Sleeps for `milliseconds`, throwing `CancellationError` as soon as the task is cancelled.
func sleep(milliseconds: Int64) async throws {
    if milliseconds > 0 {
        try await Task.sleep(for: .milliseconds(milliseconds))
    } else {
        try Task.checkCancellation()
    }
}

/// Parses `props` against `configDef`, as a ``ConnectError`` on failure.
func parseConfig(_ props: [String: String], _ configDef: ConfigDef) throws(ConnectError) -> ParsedConfig {
    do {
        return try configDef.parse(props)
    } catch {
        throw ConnectError(error.message, underlying: error)
    }
}
