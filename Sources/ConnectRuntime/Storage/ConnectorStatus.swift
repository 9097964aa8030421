/// The status of a connector as workers report it in the status topic (Apache's
/// `ConnectorStatus`): its state, the failure trace, the reporting worker and its generation.
public struct ConnectorStatus: Hashable, Sendable {
    public var connector: String
    public var state: StatusRecord.State
    /// The stack trace of a failure, if any.
    public var trace: String?
    /// The reporting worker's id (its advertised `host:port`).
    public var workerId: String
    /// The group generation in which the worker reported this status.
    public var generation: Int32

    public init(connector: String, state: StatusRecord.State, trace: String? = nil, workerId: String, generation: Int32) {
        self.connector = connector
        self.state = state
        self.trace = trace
        self.workerId = workerId
        self.generation = generation
    }

    init(connector: String, record: StatusRecord) {
        self.init(connector: connector, state: record.state, trace: record.trace, workerId: record.workerId, generation: record.generation)
    }

    /// The status-topic value.
    public var record: StatusRecord {
        StatusRecord(state: state, trace: trace, workerId: workerId, generation: generation)
    }
}
