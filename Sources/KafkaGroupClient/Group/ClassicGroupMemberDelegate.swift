/// A protocol a member offers when it joins: the protocol name (e.g. Connect's `sessioned`,
/// `compatible`, `default`) and the member's metadata for it, opaque to the group client.
public struct GroupProtocol: Hashable, Sendable {
    public var name: String
    public var metadata: [UInt8]

    public init(name: String, metadata: [UInt8]) {
        self.name = name
        self.metadata = metadata
    }
}

/// One member of the group as the coordinator reports it to the leader: its member id, its
/// static instance id (nil for dynamic members) and its metadata for the chosen protocol.
public struct GroupMemberMetadata: Hashable, Sendable {
    public var memberId: String
    public var groupInstanceId: String?
    public var metadata: [UInt8]

    public init(memberId: String, groupInstanceId: String?, metadata: [UInt8]) {
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
        self.metadata = metadata
    }
}

/// The generation a member joined: set by a completed JoinGroup + SyncGroup round.
public struct GroupGeneration: Hashable, Sendable {
    public var generationId: Int32
    public var memberId: String
    /// The protocol the coordinator chose among the ones every member offered.
    public var protocolName: String
    public var leaderId: String

    public init(generationId: Int32, memberId: String, protocolName: String, leaderId: String) {
        self.generationId = generationId
        self.memberId = memberId
        self.protocolName = protocolName
        self.leaderId = leaderId
    }

    public var isLeader: Bool { memberId == leaderId }
}

/// Why a member's previous assignment can no longer be trusted.
public enum GroupMembershipLossReason: Hashable, Sendable, CustomStringConvertible {
    /// The coordinator no longer knows the member id (its session expired, or it missed a
    /// rebalance); the member rejoins with a new member id.
    case unknownMemberId
    /// The member's generation is no longer the group's (the group moved on without it).
    case illegalGeneration
    /// Another process joined with the same `group.instance.id`.
    case fencedInstanceId
    /// No coordinator could be reached for longer than
    /// ``ClassicGroupMember/Configuration/coordinatorDiscoveryTimeout``; other members may
    /// take over the work (Connect revokes everything in this case).
    case coordinatorUnavailable

    public var description: String {
        switch self {
        case .unknownMemberId: "UNKNOWN_MEMBER_ID"
        case .illegalGeneration: "ILLEGAL_GENERATION"
        case .fencedInstanceId: "FENCED_INSTANCE_ID"
        case .coordinatorUnavailable: "coordinator unavailable"
        }
    }
}

/// What the owner of a ``ClassicGroupMember`` (e.g. Connect's worker coordinator) supplies:
/// the member's protocols and metadata, the assignment (on the leader), and reactions to
/// completed joins and lost membership. The group client never interprets the bytes.
///
/// ## Threading and ordering
/// - Callbacks are called by ``ClassicGroupMember/run(delegate:)``, one at a time: two
///   callbacks of one member never run concurrently, and each is awaited before the member
///   continues. They run in its task, except ``performAssignment(leaderId:protocol:members:)``,
///   which runs in a child task so it can be cancelled at the rebalance timeout.
/// - A round is: [``onJoinPrepare(generation:memberId:)``] → ``joinProtocols()`` → JoinGroup →
///   (leader only) ``performAssignment(leaderId:protocol:members:)`` → SyncGroup →
///   ``onJoinComplete(generation:memberId:protocol:assignment:)``. A round can stop after any
///   step (rebalance, coordinator move) and start again with ``joinProtocols()``;
///   ``onJoinComplete(generation:memberId:protocol:assignment:)`` is called only for a round
///   that completed. ``onJoinPrepare(generation:memberId:)`` is called once per rejoin: before
///   the first round, and before the first round after each completed join or lost membership,
///   not for rounds that retry the same rejoin (Kafka's `onJoinPrepare`).
/// - ``onMembershipLost(reason:)`` is called at most once per completed join, never before
///   the first one, and always before the next ``joinProtocols()``.
/// - Rejoining revokes nothing by itself: a delegate of an eager protocol gives up its work in
///   ``onJoinPrepare(generation:memberId:)``; cooperative ones keep their assignment until their
///   own logic (e.g. the assignment's `revoked` list) says otherwise.
/// - Heartbeats run on the member's own thread and continue while callbacks run, whenever
///   the member is in a generation: from the JoinGroup response on (so a leader's slow
///   assignment does not expire its session) until the next JoinGroup request is sent.
///   While a callback runs, the member cannot start a new round: return promptly and hand
///   long work to your own tasks.
/// - Requests for a new round (``ClassicGroupMember/requestRejoin(reason:)``, or the
///   coordinator announcing a rebalance) that arrive during a round are served by one more
///   round once it has finished.
public protocol ClassicGroupMemberDelegate: Sendable {
    /// A new rejoin begins (Kafka's `onJoinPrepare`): called before its first JoinGroup, with the
    /// generation and member id of the last completed join (-1 and "" before the first one or
    /// after the membership was lost). Heartbeats continue meanwhile, but the group cannot
    /// complete its rebalance without this member: finish well within the rebalance timeout.
    /// The default does nothing.
    func onJoinPrepare(generation: Int32, memberId: String) async

    /// The protocols to offer, in preference order, with this member's current metadata.
    /// Called before every JoinGroup request.
    func joinProtocols() async throws -> [GroupProtocol]

    /// Computes every member's assignment; called on the leader only, between JoinGroup and
    /// SyncGroup. Keys are member ids. The task is cancelled if it runs longer than the
    /// rebalance timeout. Throwing abandons the round; the member rejoins after a backoff.
    /// `generationId` is the generation the JoinGroup response announced (the one being formed).
    func performAssignment(
        leaderId: String, generationId: Int32, protocol: String, members: [GroupMemberMetadata]
    ) async throws -> [String: [UInt8]]

    /// A round completed: this member is in `generation` with `assignment` (the leader's bytes
    /// for this member, empty if the leader gave it none).
    func onJoinComplete(generation: Int32, memberId: String, protocol: String, assignment: [UInt8]) async

    /// The assignment from the last completed join is no longer this member's (see
    /// ``GroupMembershipLossReason``). The member rejoins afterwards on its own.
    func onMembershipLost(reason: GroupMembershipLossReason) async
}

extension ClassicGroupMemberDelegate {
    public func onJoinPrepare(generation: Int32, memberId: String) async {}
}
