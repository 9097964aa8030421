import ConnectAPI
/// `GET /`: `{"version","commit","kafka_cluster_id"}`.
public struct ServerInfo: Sendable, Hashable {
    public var version: String
    public var commit: String
    public var kafkaClusterId: String

    public init(version: String, commit: String, kafkaClusterId: String) {
        self.version = version
        self.commit = commit
        self.kafkaClusterId = kafkaClusterId
    }

    var json: JSONValue {
        .object(JSONObject([
            "version": .string(version),
            "commit": .string(commit),
            "kafka_cluster_id": .string(kafkaClusterId),
        ]))
    }

    public func jsonBytes() -> [UInt8] { ConnectJSON.serialize(json) }
}
