import BuiltinConnectors
import ConnectAPI
import MirrorCheckpointConnector
import MirrorHeartbeatConnector
import MirrorSourceConnector

extension PluginRegistry {
    /// Every plugin `connect-worker` ships: Kafka's standard converters, the built-in demo
    /// connectors and the three MirrorMaker 2 connectors, under Apache Kafka's class names.
    static var connectWorkerPlugins: PluginRegistry {
        var plugins = PluginRegistry.standardConverters
        BuiltinConnectors.register(into: &plugins)
        plugins.registerSourceConnector(MirrorSourceConnector.self, className: MirrorSourceConnector.className)
        plugins.registerSourceConnector(MirrorCheckpointConnector.self, className: MirrorCheckpointConnector.className)
        plugins.registerSourceConnector(MirrorHeartbeatConnector.self, className: MirrorHeartbeatConnector.className)
        return plugins
    }
}
