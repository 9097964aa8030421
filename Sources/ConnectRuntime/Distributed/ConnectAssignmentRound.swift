/// The checks both assignors run before assigning (internal).
struct ConnectAssignmentRound {
    let leaderId: String
    let leaderUrl: String
    /// Members sorted by member id (Java `String` order).
    let members: [ConnectGroupMember]
    /// The highest config offset any member reported. Apache assigns with this offset even if
    /// some members are behind; those members catch up before using the assignment.
    let maxOffset: Int64

    /// - Throws: ``ConnectRuntimeError`` (`invalidArgument`) when there are no members, a
    ///   member id repeats, or the leader is not among the members.
    init(leaderId: String, members: [ConnectGroupMember]) throws(ConnectRuntimeError) {
        var byId: [String: ConnectGroupMember] = [:]
        for member in members {
            guard byId.updateValue(member, forKey: member.memberId) == nil else {
                throw ConnectRuntimeError(.invalidArgument, "member '\(member.memberId)' appears more than once in the group")
            }
        }
        guard let leader = byId[leaderId] else {
            throw ConnectRuntimeError(.invalidArgument, "leader '\(leaderId)' is not among the \(members.count) group members")
        }
        self.leaderId = leaderId
        self.leaderUrl = leader.subscription.url
        self.members = members.sorted { javaStringOrder($0.memberId, $1.memberId) }
        self.maxOffset = members.map(\.subscription.configOffset).max() ?? leader.subscription.configOffset
    }

    /// Apache's `ensureLeaderConfig`: when the leader's snapshot is behind `maxOffset` it takes
    /// a fresh snapshot; if that is still behind, the round fails with `CONFIG_MISMATCH`
    /// (returns `nil`). Otherwise returns the snapshot to use and the offset to publish.
    func resolveLeaderConfig(
        _ snapshot: ConnectClusterSnapshot,
        refreshSnapshot: (() -> ConnectClusterSnapshot)?
    ) -> (snapshot: ConnectClusterSnapshot, offset: Int64)? {
        guard snapshot.offset < maxOffset else { return (snapshot, maxOffset) }
        guard let fresh = refreshSnapshot?(), fresh.offset >= maxOffset else { return nil }
        return (fresh, fresh.offset)
    }

    /// The same failed assignment for every member: error `CONFIG_MISMATCH`, the max member
    /// offset, nothing assigned or revoked, no delay.
    func configMismatch(version: Int16, snapshot: ConnectClusterSnapshot) throws(ConnectRuntimeError) -> ConnectAssignmentResult {
        var assignments: [String: WorkerAssignment] = [:]
        for member in members {
            assignments[member.memberId] = try WorkerAssignment(
                version: version, error: .configMismatch, leader: leaderId, leaderUrl: leaderUrl, configOffset: maxOffset
            )
        }
        return ConnectAssignmentResult(assignments: assignments, leaderState: nil, configSnapshot: snapshot)
    }

    /// `tasks` reordered the way ``WorkerAssignment/encode()`` groups them on the wire: first
    /// the tasks of each listed connector (in `connectors` order), then the other tasks grouped
    /// by connector in order of first appearance; order within a group is kept. The encoded
    /// bytes are the same either way, but with this order an assignment decodes back equal.
    static func wireOrdered(connectors: [String], tasks: [ConnectorTaskId]) -> [ConnectorTaskId] {
        var groupOrder: [String] = []
        var groups: [String: [ConnectorTaskId]] = [:]
        for connector in connectors where groups[connector] == nil {
            groupOrder.append(connector)
            groups[connector] = []
        }
        for task in tasks {
            if groups[task.connector] == nil { groupOrder.append(task.connector) }
            groups[task.connector, default: []].append(task)
        }
        return groupOrder.flatMap { groups[$0] ?? [] }
    }

    /// REST URL per member id.
    var memberUrls: [String: String] {
        Dictionary(uniqueKeysWithValues: members.map { ($0.memberId, $0.subscription.url) })
    }
}
