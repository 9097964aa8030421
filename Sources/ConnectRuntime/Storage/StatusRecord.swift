import ConnectAPI
/// The value of a `status-connector-<name>` or `status-task-<name>-<n>` status-topic record:
/// `{"state":"RUNNING","trace":null,"worker_id":"host:8083","generation":5}`.
public struct StatusRecord: Hashable, Sendable {
    /// Connector and task states, with the names Apache's `AbstractStatus.State` writes.
    public enum State: String, CaseIterable, Sendable {
        case unassigned = "UNASSIGNED"
        case running = "RUNNING"
        case paused = "PAUSED"
        case failed = "FAILED"
        /// Written when a connector or task is removed; never shown to users.
        case destroyed = "DESTROYED"
        case restarting = "RESTARTING"
        /// Only used for connectors.
        case stopped = "STOPPED"
    }

    public var state: State
    /// The stack trace of a failure, if any.
    public var trace: String?
    /// The reporting worker's id (its advertised `host:port`).
    public var workerId: String
    /// The group generation in which the worker wrote this status.
    public var generation: Int32

    public init(state: State, trace: String? = nil, workerId: String, generation: Int32) {
        self.state = state
        self.trace = trace
        self.workerId = workerId
        self.generation = generation
    }

    /// Fields in schema order; a missing trace is written as `"trace":null`.
    public func encoded() -> [UInt8] {
        ConnectJSON.serialize(JSONObject([
            "state": .string(state.rawValue),
            "trace": trace.map(JSONValue.string) ?? .null,
            "worker_id": .string(workerId),
            "generation": .integer(Int64(generation)),
        ]))
    }

    /// Extra fields are ignored; `trace` may be absent or null.
    /// - Throws: ``ConnectRuntimeError`` with code `malformedRecord` if `state` is not a known
    ///   state name, `worker_id` is not a string or `generation` is not a 32-bit integer.
    public init(decoding bytes: [UInt8]) throws(ConnectRuntimeError) {
        let what = "status record"
        let object = try ConnectJSON.parseRecordObject(bytes, what: what)
        let name = try object.string("state", in: what)
        guard let state = State(rawValue: name) else {
            throw ConnectRuntimeError(.malformedRecord, "\(what): unknown state '\(name)'")
        }
        self.state = state
        trace = try object.optionalString("trace", in: what)
        workerId = try object.string("worker_id", in: what)
        generation = try object.int32("generation", in: what)
    }
}
