import Logging

/// The leader-side assignor of the `default` (eager, V0) sub-protocol, matching Apache's
/// `EagerAssignor`: every rebalance revokes everything, and the leader hands out a fresh full
/// assignment.
///
/// Connectors (sorted by name) go round-robin over the members sorted by member id; the tasks
/// (by connector, then task number) continue the same round-robin where the connectors left
/// off. It keeps no state between rounds.
public struct EagerAssignor: Sendable {
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// Computes the V0 assignment of every member.
    ///
    /// - Parameters:
    ///   - leaderId: the leader's member id; must be one of `members`.
    ///   - members: every member of the JoinGroup response.
    ///   - configSnapshot: the leader's current config snapshot.
    ///   - refreshSnapshot: called when `configSnapshot` is behind a member's config offset, to
    ///     take a newer snapshot of what the leader has read so far.
    /// - Returns: the assignments; all carry `CONFIG_MISMATCH` if the leader is still behind.
    /// - Throws: ``ConnectRuntimeError`` for an empty group, a repeated member id, a leader not
    ///   in the group, or a member id longer than a Kafka STRING.
    public func performAssignment(
        leaderId: String,
        members: [ConnectGroupMember],
        configSnapshot: ConnectClusterSnapshot,
        refreshSnapshot: (() -> ConnectClusterSnapshot)? = nil
    ) throws(ConnectRuntimeError) -> ConnectAssignmentResult {
        let round = try ConnectAssignmentRound(leaderId: leaderId, members: members)
        let version = ConnectProtocolCompatibility.eager.protocolVersion
        guard let (snapshot, offset) = round.resolveLeaderConfig(configSnapshot, refreshSnapshot: refreshSnapshot) else {
            logger.info("Leader's config is behind a member's; returning CONFIG_MISMATCH to trigger a re-sync", metadata: [
                "connect.config.offset": "\(configSnapshot.offset)", "connect.config.max-member-offset": "\(round.maxOffset)",
            ])
            return try round.configMismatch(version: version, snapshot: configSnapshot)
        }

        let memberIds = round.members.map(\.memberId)
        var connectors: [String: [String]] = [:]
        var tasks: [String: [ConnectorTaskId]] = [:]
        var next = 0
        func nextMember() -> String {
            defer { next = (next + 1) % memberIds.count }
            return memberIds[next]
        }
        let sortedConnectors = snapshot.connectors
        for connector in sortedConnectors {
            connectors[nextMember(), default: []].append(connector)
        }
        for connector in sortedConnectors {
            for task in snapshot.tasks(of: connector) {
                tasks[nextMember(), default: []].append(task)
            }
        }

        var assignments: [String: WorkerAssignment] = [:]
        var connectorOwners: [String: String] = [:]
        var taskOwners: [ConnectorTaskId: String] = [:]
        for member in memberIds {
            let memberConnectors = connectors[member] ?? []
            let memberTasks = tasks[member] ?? []
            assignments[member] = try WorkerAssignment(
                version: version, leader: leaderId, leaderUrl: round.leaderUrl, configOffset: offset,
                connectors: memberConnectors,
                tasks: ConnectAssignmentRound.wireOrdered(connectors: memberConnectors, tasks: memberTasks)
            )
            for connector in memberConnectors { connectorOwners[connector] = member }
            for task in memberTasks { taskOwners[task] = member }
        }
        logger.debug("Eager assignment computed", metadata: [
            "connect.config.offset": "\(offset)", "connect.group.members": "\(memberIds.count)",
        ])
        let leaderState = ConnectLeaderState(memberUrls: round.memberUrls, connectorOwners: connectorOwners, taskOwners: taskOwners)
        return ConnectAssignmentResult(assignments: assignments, leaderState: leaderState, configSnapshot: snapshot)
    }
}
