import KafkaGroupClient
import KafkaProtocol
import Logging
import Synchronization

/// Connect's side of the worker group (Apache's `WorkerCoordinator`): the metadata this worker
/// offers when joining, the leader's assignment computation, and the merge of incremental
/// assignments into the worker's current one. Completed rounds and lost membership are handed
/// to the herder's loop.
///
/// With the eager protocol (`default`, chosen when `connect.protocol=eager` or when any member
/// only speaks it) every rejoin first revokes the whole assignment (``onJoinPrepare(generation:memberId:)``
/// awaits `onRevokeAll`), so a connector or task that moves never runs on two workers at once.
/// The incremental protocols keep their work until the leader revokes it.
final class WorkerCoordinator: ClassicGroupMemberDelegate {
    /// What a completed round means for this worker.
    struct Round: Sendable {
        let generation: Int32
        let memberId: String
        /// The full assignment after merging (incremental protocols send only changes).
        let assignment: WorkerAssignment
        /// What the leader asked this worker to stop (empty with the eager protocol, where the
        /// herder stops whatever is no longer assigned).
        let revokedConnectors: [String]
        let revokedTasks: [ConnectorTaskId]
        let protocolName: String
    }

    private let mode: ConnectProtocolCompatibility
    private let url: String
    private let configStore: any ConfigBackingStore
    private let syncTimeout: Duration
    private let logger: Logger
    private let onRound: @Sendable (Round) async -> Void
    private let onLost: @Sendable (String) async -> Void
    private let onUnusableAssignment: @Sendable (String) async -> Void
    private let onRevokeAll: @Sendable (WorkerAssignment) async -> Void

    private struct State {
        var assignor: ConnectAssignor
        /// The merged assignment of the last completed round (Apache's `assignmentSnapshot`).
        var current: WorkerAssignment?
        var lastCompletedGeneration: Int32 = -1
        var leaderState: ConnectLeaderState?
        /// The protocol of the last completed round (the configured one before the first).
        var currentProtocol: ConnectProtocolCompatibility
    }

    private let state: Mutex<State>

    /// - Parameters:
    ///   - onRound: a round completed; hand it to the herder (do not wait for it to be applied).
    ///   - onLost: the membership was lost.
    ///   - onUnusableAssignment: an incremental round's assignment could not be decoded; keep
    ///     the current work and rejoin.
    ///   - onRevokeAll: eager protocol, a rejoin begins: stop everything of this assignment and
    ///     return once it has stopped (Apache's `onRevoked` from `onJoinPrepare`).
    init(mode: ConnectProtocolCompatibility, url: String, configStore: any ConfigBackingStore,
         scheduledRebalanceMaxDelayMs: Int32, syncTimeout: Duration, logger: Logger,
         onRound: @escaping @Sendable (Round) async -> Void, onLost: @escaping @Sendable (String) async -> Void,
         onUnusableAssignment: @escaping @Sendable (String) async -> Void,
         onRevokeAll: @escaping @Sendable (WorkerAssignment) async -> Void) {
        self.mode = mode
        self.url = url
        self.configStore = configStore
        self.syncTimeout = syncTimeout
        self.logger = logger
        self.onRound = onRound
        self.onLost = onLost
        self.onUnusableAssignment = onUnusableAssignment
        self.onRevokeAll = onRevokeAll
        state = Mutex(State(
            assignor: ConnectAssignor(maxDelayMs: scheduledRebalanceMaxDelayMs, logger: logger), currentProtocol: mode))
    }

    /// The leader's view of who runs what (only on the leader; for forwarding restarts).
    var leaderState: ConnectLeaderState? { state.withLock { $0.leaderState } }

    /// Apache's `onJoinPrepare`: with the eager protocol the last assignment is revoked
    /// (stopped) before this worker rejoins.
    func onJoinPrepare(generation: Int32, memberId: String) async {
        let (eager, current) = state.withLock { state in (state.currentProtocol == .eager, state.current) }
        guard eager else {
            logger.debug("Cooperative rebalance: keeping the assignment until the leader revokes it")
            return
        }
        guard let current, !current.failed else { return }
        logger.info("Eager rebalance: revoking the whole assignment before rejoining", metadata: [
            "connectors": "\(current.connectors)", "tasks": "\(current.tasks.map(\.description))",
        ])
        await onRevokeAll(current)
    }

    func joinProtocols() async throws -> [GroupProtocol] {
        let current = state.withLock { $0.current }
        let offset = configStore.snapshot().offset
        return try mode.joinGroupProtocols(url: url, configOffset: offset, assignment: current)
            .map { GroupProtocol(name: $0.name, metadata: $0.metadata) }
    }

    func performAssignment(
        leaderId: String, generationId: Int32, protocol protocolName: String, members: [GroupMemberMetadata]
    ) async throws -> [String: [UInt8]] {
        // The leader assigns from the newest config it can read (Apache's ensureCoordinatorReady + refresh).
        do {
            try await configStore.refresh(timeout: syncTimeout)
        } catch {
            logger.warning("Leader could not read the config topic to the end before assigning", metadata: ["error": "\(error)"])
        }
        let decoded = try members.map { try ConnectGroupMember(memberId: $0.memberId, metadata: $0.metadata) }
        let configStore = configStore
        let result = try state.withLock { state in
            try state.assignor.performAssignment(
                leaderId: leaderId, protocolName: protocolName, members: decoded,
                configSnapshot: Self.clusterSnapshot(configStore.snapshot()),
                generationId: generationId,
                lastCompletedGenerationId: state.lastCompletedGeneration,
                refreshSnapshot: { (try? Self.clusterSnapshot(configStore.snapshot())) ?? .empty(offset: -1) })
        }
        state.withLock { $0.leaderState = result.leaderState }
        return try result.encodedAssignments()
    }

    func onJoinComplete(generation: Int32, memberId: String, protocol protocolName: String, assignment bytes: [UInt8]) async {
        let compatibility = ConnectProtocolCompatibility(protocolName: protocolName) ?? mode
        let received: WorkerAssignment
        do {
            received = try WorkerAssignment(decoding: bytes, compatibility: compatibility)
        } catch {
            // An empty assignment means the leader did not count this worker as a member (a
            // broker can complete a generation with a member its leader was not told about).
            // With an incremental protocol nothing was revoked: keep the current work (the
            // leader that did not know this worker held its tasks for the rebalance delay) and
            // rejoin, reporting what it runs. With eager, everything stopped before the join.
            let incremental = compatibility.isIncremental && state.withLock { $0.currentProtocol.isIncremental }
            logger.error("Undecodable assignment from the leader; rejoining", metadata: [
                "error": "\(error)", "bytes": "\(bytes.count)", "keeping.current.assignment": "\(incremental)",
            ])
            if incremental {
                await onUnusableAssignment("undecodable assignment: \(error)")
            } else {
                await onLost("undecodable assignment: \(error)")
            }
            return
        }
        let incremental = compatibility.isIncremental
        let round: Round = state.withLock { state in
            state.lastCompletedGeneration = generation
            state.currentProtocol = compatibility
            if memberId != received.leader { state.leaderState = nil }
            var connectors = received.connectors
            var tasks = received.tasks
            if incremental, let previous = state.current, !received.failed {
                let revokedConnectors = Set(received.revokedConnectors)
                let revokedTasks = Set(received.revokedTasks)
                connectors += previous.connectors.filter { !revokedConnectors.contains($0) && !connectors.contains($0) }
                tasks += previous.tasks.filter { !revokedTasks.contains($0) && !tasks.contains($0) }
            }
            let merged = (try? WorkerAssignment(
                version: received.version, error: received.error, leader: received.leader,
                leaderUrl: received.leaderUrl, configOffset: received.configOffset,
                connectors: connectors, tasks: tasks,
                revokedConnectors: received.revokedConnectors, revokedTasks: received.revokedTasks,
                delay: received.delay)) ?? received
            state.current = received.failed ? nil : merged
            return Round(generation: generation, memberId: memberId, assignment: merged,
                         revokedConnectors: received.revokedConnectors, revokedTasks: received.revokedTasks,
                         protocolName: protocolName)
        }
        await onRound(round)
    }

    func onMembershipLost(reason: GroupMembershipLossReason) async {
        state.withLock {
            $0.current = nil
            $0.leaderState = nil
        }
        await onLost("\(reason)")
    }

    /// The assignor's view of a config snapshot: every connector with its committed task count
    /// (none for a connector whose task configs are inconsistent, as Apache's `tasks(c)`).
    static func clusterSnapshot(_ config: ClusterConfigState) throws -> ConnectClusterSnapshot {
        var counts: [String: Int] = [:]
        for connector in config.connectors {
            counts[connector] = config.inconsistentConnectors.contains(connector) ? 0 : Int(config.taskCount(connector))
        }
        return try ConnectClusterSnapshot(offset: config.offset, taskCounts: counts)
    }
}
