import ConnectAPI
/// One installed plugin (`GET /connector-plugins`): `{"class","type","version"}`.
public struct PluginInfo: Sendable, Hashable {
    /// Apache's marker for a plugin without a version; such versions are left out of the JSON.
    public static let undefinedVersion = "undefined"

    /// The (Java) class name the plugin is registered under.
    public var className: String
    /// Apache's `PluginType` name: `source`, `sink`, `converter`, `header_converter`,
    /// `transformation`, `predicate`, ...
    public var type: String
    /// `nil` or ``undefinedVersion`` leaves `version` out.
    public var version: String?

    public init(className: String, type: String, version: String?) {
        self.className = className
        self.type = type
        self.version = version
    }

    /// True for `source` and `sink` plugins (what `connectorsOnly=true` lists).
    public var isConnector: Bool { type == "source" || type == "sink" }

    var json: JSONValue {
        var object = JSONObject(["class": .string(className), "type": .string(type)])
        if let version, version != PluginInfo.undefinedVersion {
            object.members.append(.init(key: "version", value: .string(version)))
        }
        return .object(object)
    }

    public func jsonBytes() -> [UInt8] { ConnectJSON.serialize(json) }
}
