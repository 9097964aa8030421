import KafkaProtocol

/// The connectors and tasks the group leader assigns to one worker, as carried in SyncGroup.
///
/// Layout (Kafka protocol types, big-endian):
/// ```
/// version       INT16   header: 0 eager, 1 compatible, 2 sessioned
/// error         INT16   0 = none, 1 = config mismatch
/// leader        STRING  leader's member id
/// leader-url    STRING  leader's REST URL
/// config-offset INT64
/// assignment    ARRAY of { connector STRING, tasks ARRAY of INT32 }   (V1+: nullable)
/// revoked       ARRAY of { connector STRING, tasks ARRAY of INT32 }   (V1+ only, nullable)
/// delay         INT32   scheduled rebalance delay in ms               (V1+ only)
/// ```
/// Task number `-1` in a `tasks` array stands for the Connector instance itself.
///
/// Apache reads every assignment with the V1 reader, which accepts V0 data (missing fields
/// take defaults: no revocations, delay 0), and both readers ignore trailing bytes, so
/// versions above 2 read as V1.
public struct WorkerAssignment: Hashable, Sendable {
    /// The assignment error code (INT16).
    public struct ErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int16
        public init(rawValue: Int16) { self.rawValue = rawValue }

        public static let noError = ErrorCode(rawValue: 0)
        /// The leader could not reconcile config offsets; members read the config topic to the end and rejoin.
        public static let configMismatch = ErrorCode(rawValue: 1)

        public var description: String {
            switch self {
            case .noError: "NO_ERROR"
            case .configMismatch: "CONFIG_MISMATCH"
            default: "error \(rawValue)"
            }
        }
    }

    /// The header version: the one written by ``encode()`` and the one read by decoding.
    public let version: Int16
    public let error: ErrorCode
    /// The leader's group member id.
    public let leader: String
    /// The leader's advertised REST URL.
    public let leaderUrl: String
    public let configOffset: Int64
    public let connectors: [String]
    public let tasks: [ConnectorTaskId]
    /// Connectors to stop before taking the new assignment (V1+; not encoded in V0).
    public let revokedConnectors: [String]
    /// Tasks to stop before taking the new assignment (V1+; not encoded in V0).
    public let revokedTasks: [ConnectorTaskId]
    /// Milliseconds until the leader's scheduled follow-up rebalance (V1+; not encoded in V0).
    public let delay: Int32

    /// The sentinel task number for "the Connector instance itself".
    public static let connectorTask: Int32 = -1

    /// - Throws: ``ConnectRuntimeError`` with code `invalidArgument` for a negative version or a
    ///   string longer than a Kafka STRING can hold.
    public init(
        version: Int16,
        error: ErrorCode = .noError,
        leader: String,
        leaderUrl: String,
        configOffset: Int64,
        connectors: [String] = [],
        tasks: [ConnectorTaskId] = [],
        revokedConnectors: [String] = [],
        revokedTasks: [ConnectorTaskId] = [],
        delay: Int32 = 0
    ) throws(ConnectRuntimeError) {
        guard version >= 0 else {
            throw ConnectRuntimeError(.invalidArgument, "Connect protocol version must not be negative, got \(version)")
        }
        try ConnectorTaskId.validateProtocolString(leader, "leader")
        try ConnectorTaskId.validateProtocolString(leaderUrl, "leader URL")
        for name in connectors + revokedConnectors {
            try ConnectorTaskId.validateProtocolString(name, "connector name")
        }
        self.init(
            validatedVersion: version, error: error, leader: leader, leaderUrl: leaderUrl,
            configOffset: configOffset, connectors: connectors, tasks: tasks,
            revokedConnectors: revokedConnectors, revokedTasks: revokedTasks, delay: delay
        )
    }

    private init(
        validatedVersion version: Int16, error: ErrorCode, leader: String, leaderUrl: String, configOffset: Int64,
        connectors: [String], tasks: [ConnectorTaskId], revokedConnectors: [String], revokedTasks: [ConnectorTaskId],
        delay: Int32
    ) {
        self.version = version
        self.error = error
        self.leader = leader
        self.leaderUrl = leaderUrl
        self.configOffset = configOffset
        self.connectors = connectors
        self.tasks = tasks
        self.revokedConnectors = revokedConnectors
        self.revokedTasks = revokedTasks
        self.delay = delay
    }

    /// Whether the leader reported an error instead of a usable assignment.
    public var failed: Bool { error != .noError }

    // MARK: Encoding

    /// Encodes with the V0 layout when ``version`` is 0, otherwise with the V1 layout under
    /// this version's header.
    ///
    /// - Throws: ``KafkaProtocolEncodingError`` when a name or URL exceeds a Kafka STRING.
    public func encode() throws(KafkaProtocolEncodingError) -> [UInt8] { try encode(headerVersion: version) }

    /// Encodes under `headerVersion`, which also picks the layout (0 = V0, otherwise V1).
    /// Subscriptions embed the current assignment under their own version this way.
    func encode(headerVersion: Int16) throws(KafkaProtocolEncodingError) -> [UInt8] {
        var writer = KafkaBinaryWriter(reservingCapacity: 64)
        writer.writeInt16(headerVersion)
        writer.writeInt16(error.rawValue)
        try writer.writeString(leader)
        try writer.writeString(leaderUrl)
        writer.writeInt64(configOffset)
        try Self.writeConnectorAssignments(connectors: connectors, tasks: tasks, to: &writer)
        if headerVersion >= ConnectProtocolCompatibility.compatible.protocolVersion {
            try Self.writeConnectorAssignments(connectors: revokedConnectors, tasks: revokedTasks, to: &writer)
            writer.writeInt32(delay)
        }
        return writer.bytes
    }

    /// Groups work by connector in order of first appearance: each listed connector gets the
    /// `-1` entry first, then its tasks follow in the given order.
    private static func writeConnectorAssignments(
        connectors: [String],
        tasks: [ConnectorTaskId],
        to writer: inout KafkaBinaryWriter
    ) throws(KafkaProtocolEncodingError) {
        var order: [String] = []
        var taskNumbers: [String: [Int32]] = [:]
        func add(_ connector: String, _ task: Int32) {
            if taskNumbers[connector] == nil { order.append(connector) }
            taskNumbers[connector, default: []].append(task)
        }
        var seenConnectors = Set<String>()
        for connector in connectors where seenConnectors.insert(connector).inserted {
            add(connector, connectorTask)
        }
        for task in tasks { add(task.connector, task.task) }
        try writer.writeArray(order) { writer, connector throws(KafkaProtocolEncodingError) in
            try writer.writeString(connector)
            writer.writeArray(taskNumbers[connector, default: []]) { $0.writeInt32($1) }
        }
    }

    // MARK: Decoding

    /// Decodes an assignment.
    ///
    /// With `.compatible` or `.sessioned` (the default) this reads like Apache's V1 reader,
    /// which Apache's `WorkerCoordinator` uses for every protocol: fields after
    /// `config-offset` may be missing and take defaults. With `.eager` it reads like
    /// `ConnectProtocol.deserializeAssignment`, which stops after the V0 fields. Both ignore
    /// trailing bytes, and the header version is kept in ``version`` either way.
    /// - Throws: `KafkaProtocolDecodingError` for truncated or malformed input, a negative
    ///   version, or a task number below -1.
    public init(
        decoding bytes: [UInt8],
        compatibility: ConnectProtocolCompatibility = .sessioned
    ) throws(KafkaProtocolDecodingError) {
        var reader = KafkaBinaryReader(bytes)
        self = try Self.read(from: &reader, compatibility: compatibility)
    }

    static func readVersion(from reader: inout KafkaBinaryReader) throws(KafkaProtocolDecodingError) -> Int16 {
        let version = try reader.readInt16()
        guard version >= 0 else {
            throw KafkaProtocolDecodingError("unsupported Connect protocol version \(version)", at: reader.offset - 2)
        }
        return version
    }

    private static func read(
        from reader: inout KafkaBinaryReader,
        compatibility: ConnectProtocolCompatibility
    ) throws(KafkaProtocolDecodingError) -> WorkerAssignment {
        let version = try readVersion(from: &reader)
        let error = ErrorCode(rawValue: try reader.readInt16())
        let leader = try reader.readString()
        let leaderUrl = try reader.readString()
        let configOffset = try reader.readInt64()
        var assigned: (connectors: [String], tasks: [ConnectorTaskId]) = ([], [])
        var revoked: (connectors: [String], tasks: [ConnectorTaskId]) = ([], [])
        var delay: Int32 = 0
        if !compatibility.isIncremental {
            assigned = try readConnectorAssignments(from: &reader)
        } else {
            // V1 fields from here on have defaults and may be absent (for example in V0 data).
            if !reader.isAtEnd { assigned = try readConnectorAssignments(from: &reader) }
            if !reader.isAtEnd { revoked = try readConnectorAssignments(from: &reader) }
            if !reader.isAtEnd { delay = try reader.readInt32() }
        }
        return WorkerAssignment(
            validatedVersion: version, error: error, leader: leader, leaderUrl: leaderUrl,
            configOffset: configOffset, connectors: assigned.connectors, tasks: assigned.tasks,
            revokedConnectors: revoked.connectors, revokedTasks: revoked.tasks, delay: delay
        )
    }

    private static func readConnectorAssignments(
        from reader: inout KafkaBinaryReader
    ) throws(KafkaProtocolDecodingError) -> (connectors: [String], tasks: [ConnectorTaskId]) {
        var connectors: [String] = []
        var tasks: [ConnectorTaskId] = []
        let entries = try reader.readArray { (reader: inout KafkaBinaryReader) throws(KafkaProtocolDecodingError) in
            let connector = try reader.readString()
            let numbers = try reader.readArray { (reader: inout KafkaBinaryReader) throws(KafkaProtocolDecodingError) in
                let number = try reader.readInt32()
                guard number >= connectorTask else {
                    throw KafkaProtocolDecodingError("invalid task number \(number) for connector '\(connector)'", at: reader.offset - 4)
                }
                return number
            }
            return (connector, numbers)
        }
        for (connector, numbers) in entries {
            for number in numbers {
                if number == connectorTask {
                    connectors.append(connector)
                } else {
                    tasks.append(ConnectorTaskId(validatedConnector: connector, task: number))
                }
            }
        }
        return (connectors, tasks)
    }
}
