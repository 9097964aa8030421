import ConnectAPI
/// The value of a `status-topic-<topic>:connector-<name>` status-topic record, which tracks the
/// topics a connector uses (KIP-558):
/// `{"topic":{"name":"<topic>","connector":"<name>","task":<n>,"discoverTimestamp":<epoch ms>}}`.
/// Deleting the entry writes a tombstone.
public struct TopicStatusRecord: Hashable, Sendable {
    public var topic: String
    public var connector: String
    /// The task that first reported the topic.
    public var task: Int32
    /// Milliseconds since the epoch when the topic was first seen.
    public var discoverTimestamp: Int64

    public init(topic: String, connector: String, task: Int32, discoverTimestamp: Int64) {
        self.topic = topic
        self.connector = connector
        self.task = task
        self.discoverTimestamp = discoverTimestamp
    }

    public func encoded() -> [UInt8] {
        ConnectJSON.serialize(JSONObject([
            "topic": .object(JSONObject([
                "name": .string(topic),
                "connector": .string(connector),
                "task": .integer(Int64(task)),
                "discoverTimestamp": .integer(discoverTimestamp),
            ])),
        ]))
    }

    /// - Throws: ``ConnectRuntimeError`` with code `malformedRecord` if `topic` is not an object
    ///   or one of its fields is missing or of the wrong type.
    public init(decoding bytes: [UInt8]) throws(ConnectRuntimeError) {
        let what = "topic status record"
        let inner = try ConnectJSON.parseRecordObject(bytes, what: what).object("topic", in: what)
        topic = try inner.string("name", in: what)
        connector = try inner.string("connector", in: what)
        task = try inner.int32("task", in: what)
        discoverTimestamp = try inner.int64("discoverTimestamp", in: what)
    }
}
