import ConnectAPI
/// The value of a `restart-connector-<name>` config-topic record:
/// `{"include-tasks":<bool>,"only-failed":<bool>}` (KIP-745).
public struct RestartRequestRecord: Hashable, Sendable {
    public var includeTasks: Bool
    public var onlyFailed: Bool

    public init(includeTasks: Bool = false, onlyFailed: Bool = false) {
        self.includeTasks = includeTasks
        self.onlyFailed = onlyFailed
    }

    public func encoded() -> [UInt8] {
        ConnectJSON.serialize(JSONObject(["include-tasks": .bool(includeTasks), "only-failed": .bool(onlyFailed)]))
    }

    /// A missing or non-boolean flag defaults to `false`, as in Apache.
    /// - Throws: ``ConnectRuntimeError`` with code `malformedRecord` if the value is not a JSON object.
    public init(decoding bytes: [UInt8]) throws(ConnectRuntimeError) {
        let object = try ConnectJSON.parseRecordObject(bytes, what: "restart request record")
        includeTasks = object.bool("include-tasks", default: false)
        onlyFailed = object.bool("only-failed", default: false)
    }
}
