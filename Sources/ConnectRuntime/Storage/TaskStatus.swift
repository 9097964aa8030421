/// The status of a task as workers report it in the status topic (Apache's `TaskStatus`).
public struct TaskStatus: Hashable, Sendable {
    public var id: ConnectorTaskId
    public var state: StatusRecord.State
    /// The stack trace of a failure, if any.
    public var trace: String?
    /// The reporting worker's id (its advertised `host:port`).
    public var workerId: String
    /// The group generation in which the worker reported this status.
    public var generation: Int32

    public init(id: ConnectorTaskId, state: StatusRecord.State, trace: String? = nil, workerId: String, generation: Int32) {
        self.id = id
        self.state = state
        self.trace = trace
        self.workerId = workerId
        self.generation = generation
    }

    init(id: ConnectorTaskId, record: StatusRecord) {
        self.init(id: id, state: record.state, trace: record.trace, workerId: record.workerId, generation: record.generation)
    }

    /// The status-topic value.
    public var record: StatusRecord {
        StatusRecord(state: state, trace: trace, workerId: workerId, generation: generation)
    }
}
