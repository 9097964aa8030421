import ConnectAPI
/// The value of a `tasks-fencing-<name>` config-topic record: `{"task-count":<count>}`, written
/// after zombie fencing for exactly-once source connectors (KIP-618).
public struct TaskCountRecord: Hashable, Sendable {
    public var taskCount: Int32

    public init(taskCount: Int32) {
        self.taskCount = taskCount
    }

    public func encoded() -> [UInt8] {
        ConnectJSON.serialize(JSONObject(["task-count": .integer(Int64(taskCount))]))
    }

    /// - Throws: ``ConnectRuntimeError`` with code `malformedRecord` unless `task-count` is an
    ///   integer that fits in 32 bits.
    public init(decoding bytes: [UInt8]) throws(ConnectRuntimeError) {
        let what = "task count record"
        taskCount = try ConnectJSON.parseRecordObject(bytes, what: what).int32("task-count", in: what)
    }
}
