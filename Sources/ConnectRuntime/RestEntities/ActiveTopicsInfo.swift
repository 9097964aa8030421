import ConnectAPI
/// The topics a connector has used (KIP-558), rendered as `{"<connector>":{"topics":[..]}}`.
public struct ActiveTopicsInfo: Sendable, Hashable {
    public var connector: String
    public var topics: [String]

    public init(connector: String, topics: [String]) {
        self.connector = connector
        self.topics = topics
    }

    var json: JSONValue {
        .object(JSONObject([
            JSONObject.Member(key: connector, value: .object(JSONObject(["topics": .array(topics.map(JSONValue.string))])))
        ]))
    }

    public func jsonBytes() -> [UInt8] { ConnectJSON.serialize(json) }
}
