import ConnectAPI
/// A connector's status and its tasks' statuses (`GET /connectors/{c}/status`):
/// `{"name","connector":{"state","worker_id","trace"?},"tasks":[{"id","state","worker_id","trace"?}],"type"}`.
/// `trace` is left out when it is `nil` or empty, as Apache does.
public struct ConnectorStateInfo: Sendable, Hashable {
    /// The connector instance's state: `UNASSIGNED`, `RUNNING`, `PAUSED`, `FAILED`,
    /// `RESTARTING` or `STOPPED`.
    public struct ConnectorState: Sendable, Hashable {
        public var state: String
        public var workerId: String
        public var trace: String?

        public init(state: String, workerId: String, trace: String? = nil) {
            self.state = state
            self.workerId = workerId
            self.trace = trace
        }

        var json: JSONValue {
            var object = JSONObject(["state": .string(state), "worker_id": .string(workerId)])
            if let trace, !trace.isEmpty { object.members.append(.init(key: "trace", value: .string(trace))) }
            return .object(object)
        }

        public func jsonBytes() -> [UInt8] { ConnectJSON.serialize(json) }
    }

    /// One task's state (`GET /connectors/{c}/tasks/{n}/status`).
    public struct TaskState: Sendable, Hashable {
        public var id: Int32
        public var state: String
        public var workerId: String
        public var trace: String?

        public init(id: Int32, state: String, workerId: String, trace: String? = nil) {
            self.id = id
            self.state = state
            self.workerId = workerId
            self.trace = trace
        }

        var json: JSONValue {
            var object = JSONObject(["id": .integer(Int64(id)), "state": .string(state), "worker_id": .string(workerId)])
            if let trace, !trace.isEmpty { object.members.append(.init(key: "trace", value: .string(trace))) }
            return .object(object)
        }

        public func jsonBytes() -> [UInt8] { ConnectJSON.serialize(json) }
    }

    public var name: String
    public var connector: ConnectorState
    public var tasks: [TaskState]
    public var type: ConnectorType

    public init(name: String, connector: ConnectorState, tasks: [TaskState], type: ConnectorType) {
        self.name = name
        self.connector = connector
        self.tasks = tasks
        self.type = type
    }

    var json: JSONValue {
        .object(JSONObject([
            "name": .string(name),
            "connector": connector.json,
            "tasks": .array(tasks.map(\.json)),
            "type": .string(type.rawValue),
        ]))
    }

    public func jsonBytes() -> [UInt8] { ConnectJSON.serialize(json) }
}
