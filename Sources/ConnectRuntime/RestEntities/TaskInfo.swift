import ConnectAPI
/// One task's id and config (`GET /connectors/{c}/tasks`): `{"id":{"connector","task"},"config":{..}}`.
public struct TaskInfo: Sendable, Hashable {
    public var id: ConnectorTaskId
    public var config: [String: String]

    public init(id: ConnectorTaskId, config: [String: String]) {
        self.id = id
        self.config = config
    }

    var json: JSONValue {
        .object(JSONObject(["id": id.json, "config": .stringMap(config)]))
    }

    public func jsonBytes() -> [UInt8] { ConnectJSON.serialize(json) }
}
