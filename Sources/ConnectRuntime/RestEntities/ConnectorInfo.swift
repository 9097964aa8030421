import ConnectAPI
/// A connector's name, config, tasks and type: `{"name","config":{..},"tasks":[{"connector","task"}],"type"}`
/// (`GET /connectors/{c}`, and the body of create and update responses).
public struct ConnectorInfo: Sendable, Hashable {
    public var name: String
    public var config: [String: String]
    public var tasks: [ConnectorTaskId]
    public var type: ConnectorType

    public init(name: String, config: [String: String], tasks: [ConnectorTaskId], type: ConnectorType) {
        self.name = name
        self.config = config
        self.tasks = tasks
        self.type = type
    }

    var json: JSONValue {
        .object(JSONObject([
            "name": .string(name),
            "config": .stringMap(config),
            "tasks": .array(tasks.map(\.json)),
            "type": .string(type.rawValue),
        ]))
    }

    /// The JSON body Apache Kafka writes for this entity.
    public func jsonBytes() -> [UInt8] { ConnectJSON.serialize(json) }
}

extension ConnectorTaskId {
    /// `{"connector":"c","task":0}`.
    var json: JSONValue {
        .object(JSONObject(["connector": .string(connector), "task": .integer(Int64(task))]))
    }
}
