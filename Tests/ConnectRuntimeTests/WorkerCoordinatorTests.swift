import Synchronization
import Testing

@testable import ConnectRuntime

/// The worker coordinator's reaction to a rejoin (Apache's `WorkerCoordinator.onJoinPrepare`):
/// the eager protocol revokes the whole assignment first, the incremental ones keep it.
@Suite struct WorkerCoordinatorTests {
    /// What the coordinator handed to the herder.
    final class Recorder: Sendable {
        struct Calls: Sendable {
            var rounds: [WorkerCoordinator.Round] = []
            var revoked: [WorkerAssignment] = []
            var events: [String] = []
        }

        let calls = Mutex(Calls())
        var revoked: [WorkerAssignment] { calls.withLock { $0.revoked } }
        var events: [String] { calls.withLock { $0.events } }
    }

    func coordinator(_ mode: ConnectProtocolCompatibility, _ recorder: Recorder) -> WorkerCoordinator {
        WorkerCoordinator(
            mode: mode, url: "http://w1:8083", configStore: FixedConfigStore(), scheduledRebalanceMaxDelayMs: 0,
            syncTimeout: .seconds(1), logger: testLogger,
            onRound: { round in recorder.calls.withLock { $0.rounds.append(round); $0.events.append("round") } },
            onLost: { _ in recorder.calls.withLock { $0.events.append("lost") } },
            onUnusableAssignment: { _ in recorder.calls.withLock { $0.events.append("unusable") } },
            onRevokeAll: { assignment in recorder.calls.withLock { $0.revoked.append(assignment); $0.events.append("revoke") } })
    }

    func assignment(version: Int16, error: WorkerAssignment.ErrorCode = .noError, tasks: [ConnectorTaskId]) throws -> WorkerAssignment {
        try WorkerAssignment(
            version: version, error: error, leader: "m1", leaderUrl: "http://w1:8083", configOffset: 7,
            connectors: ["c"], tasks: tasks)
    }

    @Test func eagerRejoinRevokesTheWholeAssignmentFirst() async throws {
        let recorder = Recorder()
        let coordinator = coordinator(.eager, recorder)
        // Nothing to revoke before the first join.
        await coordinator.onJoinPrepare(generation: -1, memberId: "")
        #expect(recorder.revoked.isEmpty)

        let first = try assignment(version: 0, tasks: [taskId("c", 0), taskId("c", 1)])
        await coordinator.onJoinComplete(generation: 1, memberId: "m1", protocol: "default", assignment: try first.encode())
        await coordinator.onJoinPrepare(generation: 1, memberId: "m1")
        #expect(recorder.revoked.count == 1)
        #expect(recorder.revoked.first?.connectors == ["c"])
        #expect(recorder.revoked.first?.tasks == [taskId("c", 0), taskId("c", 1)])

        // The next round's assignment replaces the old one (eager sends it whole): the next
        // rejoin revokes exactly that.
        let second = try assignment(version: 0, tasks: [taskId("c", 1)])
        await coordinator.onJoinComplete(generation: 2, memberId: "m1", protocol: "default", assignment: try second.encode())
        await coordinator.onJoinPrepare(generation: 2, memberId: "m1")
        #expect(recorder.revoked.count == 2)
        #expect(recorder.revoked.last?.tasks == [taskId("c", 1)])
        #expect(recorder.events == ["round", "revoke", "round", "revoke"])
    }

    @Test func incrementalRejoinKeepsTheAssignment() async throws {
        let recorder = Recorder()
        let coordinator = coordinator(.sessioned, recorder)
        let current = try assignment(version: 2, tasks: [taskId("c", 0)])
        await coordinator.onJoinComplete(generation: 1, memberId: "m1", protocol: "sessioned", assignment: try current.encode())
        await coordinator.onJoinPrepare(generation: 1, memberId: "m1")
        #expect(recorder.revoked.isEmpty)
        #expect(recorder.events == ["round"])
    }

    /// An empty assignment (the leader did not know this member): an incremental worker keeps
    /// its work and rejoins; the next round merges into the assignment it kept.
    @Test func anEmptyIncrementalAssignmentKeepsTheWorkAndRejoins() async throws {
        let recorder = Recorder()
        let coordinator = coordinator(.sessioned, recorder)
        let current = try assignment(version: 2, tasks: [taskId("c", 0), taskId("c", 1)])
        await coordinator.onJoinComplete(generation: 1, memberId: "m1", protocol: "sessioned", assignment: try current.encode())
        await coordinator.onJoinPrepare(generation: 1, memberId: "m1")
        await coordinator.onJoinComplete(generation: 2, memberId: "m1", protocol: "sessioned", assignment: [])
        #expect(recorder.events == ["round", "unusable"])

        let next = try assignment(version: 2, tasks: [taskId("c", 2)])
        await coordinator.onJoinComplete(generation: 3, memberId: "m1", protocol: "sessioned", assignment: try next.encode())
        let merged = try #require(recorder.calls.withLock { $0.rounds.last })
        #expect(Set(merged.assignment.tasks) == [taskId("c", 0), taskId("c", 1), taskId("c", 2)])
    }

    /// With the eager protocol everything stopped before the join: an empty assignment loses
    /// the membership's (empty) work, as before.
    @Test func anEmptyEagerAssignmentIsALostMembership() async throws {
        let recorder = Recorder()
        let coordinator = coordinator(.eager, recorder)
        let current = try assignment(version: 0, tasks: [taskId("c", 0)])
        await coordinator.onJoinComplete(generation: 1, memberId: "m1", protocol: "default", assignment: try current.encode())
        await coordinator.onJoinComplete(generation: 2, memberId: "m1", protocol: "default", assignment: [])
        #expect(recorder.events == ["round", "lost"])
    }

    /// A sessioned worker in a group that chose `default` (an eager worker is a member) follows
    /// the eager protocol, as Apache's does with the protocol of the last join.
    @Test func theChosenProtocolDecidesNotTheConfiguredOne() async throws {
        let recorder = Recorder()
        let coordinator = coordinator(.sessioned, recorder)
        let current = try assignment(version: 0, tasks: [taskId("c", 0)])
        await coordinator.onJoinComplete(generation: 1, memberId: "m1", protocol: "default", assignment: try current.encode())
        await coordinator.onJoinPrepare(generation: 1, memberId: "m1")
        #expect(recorder.revoked.map(\.tasks) == [[taskId("c", 0)]])
    }

    @Test func aFailedAssignmentHasNothingToRevoke() async throws {
        let recorder = Recorder()
        let coordinator = coordinator(.eager, recorder)
        let failed = try assignment(version: 0, error: .configMismatch, tasks: [taskId("c", 0)])
        await coordinator.onJoinComplete(generation: 1, memberId: "m1", protocol: "default", assignment: try failed.encode())
        await coordinator.onJoinPrepare(generation: 1, memberId: "m1")
        #expect(recorder.revoked.isEmpty)
    }
}

/// A config store whose snapshot never changes; the coordinator only reads snapshots here.
final class FixedConfigStore: ConfigBackingStore {
    struct Unsupported: Error {}

    let state: ClusterConfigState

    init(_ state: ClusterConfigState = ClusterConfigState(offset: 7)) { self.state = state }

    func start() async throws {}
    func stop() async {}
    func snapshot() -> ClusterConfigState { state }
    func contains(connector: String) -> Bool { state.connectorConfigs[connector] != nil }
    func setUpdateListener(_ listener: (any ConfigUpdateListener)?) {}
    func putConnectorConfig(_ connector: String, _ config: [String: String], targetState: TargetState?) async throws { throw Unsupported() }
    func removeConnectorConfig(_ connector: String) async throws { throw Unsupported() }
    func putTaskConfigs(_ connector: String, _ configs: [[String: String]]) async throws { throw Unsupported() }
    func refresh(timeout: Duration) async throws {}
    func putTargetState(_ connector: String, _ state: TargetState) async throws { throw Unsupported() }
    func putSessionKey(_ sessionKey: SessionKey) async throws { throw Unsupported() }
    func putRestartRequest(_ connector: String, _ request: RestartRequestRecord) async throws { throw Unsupported() }
    func putTaskCountRecord(_ connector: String, taskCount: Int32) async throws { throw Unsupported() }
    func putLoggerLevel(namespace: String, level: String) async throws { throw Unsupported() }
}
