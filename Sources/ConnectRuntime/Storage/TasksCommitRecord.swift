import ConnectAPI
/// The value of a `commit-<name>` config-topic record: `{"tasks":<count>}`. Task configs take
/// effect only once a commit covering a complete set of them has been read.
public struct TasksCommitRecord: Hashable, Sendable {
    public var taskCount: Int32

    public init(taskCount: Int32) {
        self.taskCount = taskCount
    }

    public func encoded() -> [UInt8] {
        ConnectJSON.serialize(JSONObject(["tasks": .integer(Int64(taskCount))]))
    }

    /// - Throws: ``ConnectRuntimeError`` with code `malformedRecord` unless `tasks` is an
    ///   integer that fits in 32 bits.
    public init(decoding bytes: [UInt8]) throws(ConnectRuntimeError) {
        let what = "tasks commit record"
        taskCount = try ConnectJSON.parseRecordObject(bytes, what: what).int32("tasks", in: what)
    }
}
