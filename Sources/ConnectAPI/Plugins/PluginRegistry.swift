/// The plugins a worker knows, looked up by class name or alias the way Kafka's `Plugins` and
/// `DelegatingClassLoader` do. A value type: build it once at startup, then share it.
public struct PluginRegistry: Sendable {
    /// Every registered plugin in registration order, with aliases resolved.
    public private(set) var plugins: [PluginDescriptor] = []
    private var aliasTable: [String: String] = [:]

    public init() {}

    // MARK: Registration

    /// Adds `descriptor`, replacing an earlier plugin with the same class name and type, and
    /// recomputes every plugin's aliases.
    public mutating func register(_ descriptor: PluginDescriptor) {
        plugins.removeAll { $0.className == descriptor.className && $0.type == descriptor.type }
        plugins.append(descriptor)
        recomputeAliases()
    }

    /// Registers a source connector class under `className` (its version read from an instance).
    public mutating func registerSourceConnector<C: SourceConnector>(_ type: C.Type, className: String) {
        register(PluginDescriptor(className: className, version: C().version, factory: .sourceConnector { C() }))
    }

    /// Registers a sink connector class under `className` (its version read from an instance).
    public mutating func registerSinkConnector<C: SinkConnector>(_ type: C.Type, className: String) {
        register(PluginDescriptor(className: className, version: C().version, factory: .sinkConnector { C() }))
    }

    /// Registers a converter class under `className`.
    public mutating func registerConverter<C: Converter>(_ type: C.Type, className: String, version: String?) {
        register(PluginDescriptor(className: className, version: version, factory: .converter { C() }))
    }

    /// Registers a header converter class under `className`.
    public mutating func registerHeaderConverter<C: HeaderConverter>(_ type: C.Type, className: String, version: String?) {
        register(PluginDescriptor(className: className, version: version, factory: .headerConverter { C() }))
    }

    /// Adds every plugin of `other`.
    public mutating func merge(_ other: PluginRegistry) {
        for descriptor in other.plugins { register(descriptor) }
    }

    /// Kafka's `PluginUtils.computeAliases`: an alias (simple or pruned name) is kept only
    /// when exactly one class name claims it, across all plugin types.
    private mutating func recomputeAliases() {
        var claims: [String: Set<String>] = [:]
        for plugin in plugins {
            claims[plugin.simpleName, default: []].insert(plugin.className)
            claims[plugin.prunedName, default: []].insert(plugin.className)
        }
        aliasTable = [:]
        for (alias, classNames) in claims where classNames.count == 1 {
            aliasTable[alias] = classNames.first
        }
        for index in plugins.indices {
            let plugin = plugins[index]
            var aliases: [String] = []
            for alias in [plugin.simpleName, plugin.prunedName]
            where aliasTable[alias] == plugin.className && alias != plugin.className && !aliases.contains(alias) {
                aliases.append(alias)
            }
            plugins[index].aliases = aliases
        }
    }

    // MARK: Listing

    /// The plugins of `type`, sorted by class name (Kafka lists them from a sorted set).
    public func plugins(ofType type: PluginType) -> [PluginDescriptor] {
        plugins.filter { $0.type == type }.sorted { $0.className < $1.className }
    }

    /// Source and sink connectors sorted by class name.
    public var connectors: [PluginDescriptor] {
        plugins.filter(\.type.isConnector).sorted { $0.className < $1.className }
    }

    /// What `GET /connector-plugins` lists (`connectorsOnly=true`, the default): the
    /// connectors sorted by class name (same as ``connectors``).
    public var connectorPlugins: [PluginDescriptor] { connectors }

    /// What `GET /connector-plugins?connectorsOnly=false` lists: every plugin, sorted by class
    /// name, then type (a class that is both converter and header converter appears twice).
    public var allPlugins: [PluginDescriptor] {
        plugins.sorted { ($0.className, $0.type) < ($1.className, $1.type) }
    }

    /// The full class name `classOrAlias` refers to (itself when it is no known alias).
    public func resolveClassName(_ classOrAlias: String) -> String {
        aliasTable[classOrAlias] ?? classOrAlias
    }

    // MARK: Connectors

    /// The connector named `classOrAlias`: a class name, an alias, or (like Kafka) a simple
    /// name with or without its `Connector` suffix.
    /// - Throws: ``ConnectError`` "Failed to find any class that implements Connector and which
    ///   name matches …" or "More than one connector matches alias …".
    public func lookupConnector(_ classOrAlias: String) throws(ConnectError) -> PluginDescriptor {
        let all = connectors
        let className = resolveClassName(classOrAlias)
        if let match = all.first(where: { $0.className == className }) { return match }
        let matches = all.filter { $0.simpleName == classOrAlias || $0.simpleName == classOrAlias + "Connector" }
        let listing = all.map(\.description).joined(separator: ", ")
        if matches.isEmpty {
            throw ConnectError(
                "Failed to find any class that implements Connector and which name matches \(classOrAlias), available connectors are: \(listing)")
        }
        if matches.count > 1 {
            throw ConnectError(
                "More than one connector matches alias \(classOrAlias). Please use full package and class name instead. Classes found: \(listing)")
        }
        return matches[0]
    }

    /// A new, unstarted instance of the connector named `classOrAlias`.
    public func newConnector(_ classOrAlias: String) throws(ConnectError) -> any Connector {
        switch try lookupConnector(classOrAlias).factory {
        case .sourceConnector(let make): return make()
        case .sinkConnector(let make): return make()
        case .converter, .headerConverter:
            throw ConnectError("\(classOrAlias) is not a connector")
        }
    }

    /// Whether `classOrAlias` names a sink connector (`nil` when it names no connector).
    public func connectorType(_ classOrAlias: String) -> PluginType? {
        try? lookupConnector(classOrAlias).type
    }

    // MARK: Converters

    /// The converter named `classOrAlias`.
    /// - Throws: ``ConnectError`` "Failed to find any class that implements Converter and which
    ///   name matches …, available plugins are: …".
    public func lookupConverter(_ classOrAlias: String) throws(ConnectError) -> PluginDescriptor {
        try lookup(classOrAlias, type: .converter)
    }

    /// The header converter named `classOrAlias`.
    public func lookupHeaderConverter(_ classOrAlias: String) throws(ConnectError) -> PluginDescriptor {
        try lookup(classOrAlias, type: .headerConverter)
    }

    /// A new converter named `classOrAlias`, configured with `props` (prefix already removed).
    /// - Throws: ``ConnectError`` when there is no such converter or configuring fails.
    public func newConverter(_ classOrAlias: String, props: [String: String], isKey: Bool) throws(ConnectError) -> any Converter {
        guard case .converter(let make) = try lookupConverter(classOrAlias).factory else {
            throw ConnectError("\(classOrAlias) is not a Converter")
        }
        let converter = make()
        do {
            try converter.configure(props, isKey: isKey)
        } catch {
            throw Self.configureFailure(classOrAlias, error)
        }
        return converter
    }

    /// A new header converter named `classOrAlias`, configured with `props` (prefix removed).
    public func newHeaderConverter(_ classOrAlias: String, props: [String: String]) throws(ConnectError) -> any HeaderConverter {
        guard case .headerConverter(let make) = try lookupHeaderConverter(classOrAlias).factory else {
            throw ConnectError("\(classOrAlias) is not a HeaderConverter")
        }
        let converter = make()
        do {
            try converter.configure(props)
        } catch {
            throw Self.configureFailure(classOrAlias, error)
        }
        return converter
    }

    private static func configureFailure(_ name: String, _ error: any Error) -> ConnectError {
        if let connectError = error as? ConnectError { return connectError }
        if let configError = error as? ConfigException { return ConnectError(configError.message, underlying: configError) }
        return ConnectError("Failed to configure \(name)", underlying: error)
    }

    private func lookup(_ classOrAlias: String, type: PluginType) throws(ConnectError) -> PluginDescriptor {
        let className = resolveClassName(classOrAlias)
        let candidates = plugins(ofType: type)
        if let match = candidates.first(where: { $0.className == className }) { return match }
        let listing = candidates.map(\.description).joined(separator: ", ")
        throw ConnectError(
            "Failed to find any class that implements \(type.interfaceName) and which name matches \(classOrAlias), available plugins are: \(listing)")
    }
}
