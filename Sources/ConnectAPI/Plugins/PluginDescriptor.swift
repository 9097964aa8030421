import Foundation

/// One plugin the worker can instantiate, like Kafka's `PluginDesc`: its Java-style class name,
/// the aliases it may also be referred to by, its type, version and how to create it.
public struct PluginDescriptor: Sendable, CustomStringConvertible {
    /// How to create an instance; the case matches ``type``.
    public enum Factory: Sendable {
        case sourceConnector(@Sendable () -> any SourceConnector)
        case sinkConnector(@Sendable () -> any SinkConnector)
        case converter(@Sendable () -> any Converter)
        case headerConverter(@Sendable () -> any HeaderConverter)

        public var type: PluginType {
            switch self {
            case .sourceConnector: .source
            case .sinkConnector: .sink
            case .converter: .converter
            case .headerConverter: .headerConverter
            }
        }
    }

    /// The fully qualified class name, e.g. `org.apache.kafka.connect.mirror.MirrorSourceConnector`.
    public let className: String
    public let type: PluginType
    /// The version, or `nil` when undefined (then `GET /connector-plugins` omits it).
    public let version: String?
    public let factory: Factory
    /// Aliases resolved by the registry: the simple class name and the simple name without its
    /// type suffix, each only when no other plugin claims it (Kafka's `PluginUtils.computeAliases`).
    public internal(set) var aliases: [String] = []

    public init(className: String, version: String?, factory: Factory) {
        self.className = className
        self.type = factory.type
        self.version = version
        self.factory = factory
    }

    /// The class name after the last `.` (and `$` of a nested class).
    public var simpleName: String {
        let afterDot = className.split(separator: ".", omittingEmptySubsequences: false).last.map(String.init) ?? className
        return afterDot.split(separator: "$", omittingEmptySubsequences: false).last.map(String.init) ?? afterDot
    }

    /// The simple name with the type suffix removed at its last occurrence (when it is not at
    /// the start), like Kafka's `PluginUtils.prunedName`: `MirrorSourceConnector` → `MirrorSource`,
    /// `StringConverter` → `String`.
    public var prunedName: String {
        let suffix = type.isConnector ? "Connector" : type.interfaceName
        let simple = simpleName
        guard let range = simple.range(of: suffix, options: .backwards), range.lowerBound > simple.startIndex else {
            return simple
        }
        return String(simple[..<range.lowerBound])
    }

    /// `PluginDesc{…}` as Kafka renders it in "available connectors are" messages.
    public var description: String {
        let shownVersion = version ?? "undefined"
        return "PluginDesc{klass=class \(className), name='\(className)', version='\(shownVersion)', "
            + "encodedVersion=\(shownVersion), type=\(type.rawValue), typeName='\(type.rawValue)', location='classpath'}"
    }
}
