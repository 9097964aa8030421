import ConnectAPI
/// One entry of `GET /connectors?expand=status&expand=info`:
/// `{"<name>":{"status":{..},"info":{..}}}`, each part present only when requested.
public struct ConnectorExpansion: Sendable, Hashable {
    public var name: String
    public var status: ConnectorStateInfo?
    public var info: ConnectorInfo?

    public init(name: String, status: ConnectorStateInfo?, info: ConnectorInfo?) {
        self.name = name
        self.status = status
        self.info = info
    }

    var json: JSONValue {
        var object = JSONObject()
        if let status { object.members.append(.init(key: "status", value: status.json)) }
        if let info { object.members.append(.init(key: "info", value: info.json)) }
        return .object(object)
    }
}
