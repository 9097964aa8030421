import ConnectAPI

/// The key, value and header converters one task uses: the connector's `key.converter` (and
/// its `key.converter.*` settings) when its config names one, else the worker's; likewise
/// for values and headers (Apache's `Worker.startTask` rules).
struct TaskConverters: Sendable {
    let key: any Converter
    let value: any Converter
    let header: any HeaderConverter

    init(connectorConfig: [String: String], worker: DistributedConfig, plugins: PluginRegistry) throws {
        func settings(_ property: String, workerClass: String) -> (className: String, props: [String: String]) {
            if let className = connectorConfig[property] {
                return (className, ParsedConfig.entriesWithPrefix(connectorConfig, property + "."))
            }
            return (workerClass, ParsedConfig.entriesWithPrefix(worker.originals, property + "."))
        }
        let key = settings(ConnectorConfig.keyConverter, workerClass: worker.keyConverter)
        let value = settings(ConnectorConfig.valueConverter, workerClass: worker.valueConverter)
        let header = settings(ConnectorConfig.headerConverter, workerClass: worker.headerConverter)
        self.key = try plugins.newConverter(key.className, props: key.props, isKey: true)
        self.value = try plugins.newConverter(value.className, props: value.props, isKey: false)
        self.header = try plugins.newHeaderConverter(header.className, props: header.props)
    }
}
