import KafkaProtocol

/// The outcome of one leader-side assignment round: the SyncGroup assignment for every member,
/// plus what the leader keeps for itself.
public struct ConnectAssignmentResult: Hashable, Sendable {
    /// The assignment for each member id (every member of the round has one).
    public let assignments: [String: WorkerAssignment]
    /// Who runs what after this round; `nil` when the round failed with `CONFIG_MISMATCH`.
    public let leaderState: ConnectLeaderState?
    /// The config snapshot the round used: the one passed in, or the refreshed one when the
    /// leader had to catch up. The leader should keep it as its current snapshot.
    public let configSnapshot: ConnectClusterSnapshot

    public init(assignments: [String: WorkerAssignment], leaderState: ConnectLeaderState?, configSnapshot: ConnectClusterSnapshot) {
        self.assignments = assignments
        self.leaderState = leaderState
        self.configSnapshot = configSnapshot
    }

    /// Whether the leader could not assign because its config is behind a member's.
    public var failed: Bool { assignments.values.contains { $0.failed } }

    /// The SyncGroup assignment bytes per member id, each encoded in its own version's layout.
    /// - Throws: ``KafkaProtocolEncodingError`` when a name exceeds a Kafka STRING.
    public func encodedAssignments() throws(KafkaProtocolEncodingError) -> [String: [UInt8]] {
        var encoded: [String: [UInt8]] = [:]
        for (member, assignment) in assignments {
            encoded[member] = try assignment.encode()
        }
        return encoded
    }
}
