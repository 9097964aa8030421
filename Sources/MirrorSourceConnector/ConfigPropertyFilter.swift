import ConnectAPI
import MirrorClient

/// Decides which topic config properties MirrorSourceConnector copies to remote topics, like
/// Apache Kafka's `DefaultConfigPropertyFilter`: every property except those matching
/// `config.properties.exclude`; properties left at their default on the source are copied only
/// with `use.defaults.from=source` (with `target`, the target cluster's defaults apply).
public struct ConfigPropertyFilter: Sendable {
    static let validUseDefaultsFrom: Set<String> = ["source", "target"]

    public let exclude: PatternList
    /// Whether source-side default values are copied (`use.defaults.from=source`).
    public let useSourceDefaults: Bool

    /// - Throws: ``ConnectError`` for an invalid pattern or a `useDefaultsFrom` other than
    ///   `source` or `target`.
    public init(exclude: [String], useDefaultsFrom: String = "target") throws(ConnectError) {
        guard Self.validUseDefaultsFrom.contains(useDefaultsFrom) else {
            throw ConnectError("Invalid value \(useDefaultsFrom) for configuration \(MirrorSourceConfig.Key.useDefaultsFrom): String must be one of: source, target")
        }
        do {
            self.exclude = try PatternList(exclude, property: MirrorSourceConfig.Key.configPropertiesExclude)
        } catch {
            throw ConnectError("Invalid \(MirrorSourceConfig.Key.configPropertiesExclude): \(error.message)", underlying: error)
        }
        useSourceDefaults = useDefaultsFrom == "source"
    }

    public func shouldReplicateConfigProperty(_ name: String) -> Bool {
        !exclude.matches(name)
    }

    public func shouldReplicateSourceDefault(_ name: String) -> Bool {
        useSourceDefaults
    }
}
