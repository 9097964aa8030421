import Logging
import Synchronization
import Testing

@testable import ConnectRuntime

/// A hand-driven millisecond clock.
final class ManualClock: Sendable {
    private let value: Mutex<Int64>

    init(_ start: Int64 = 1_000_000) { value = Mutex(start) }

    var now: Int64 { value.withLock { $0 } }

    func advance(_ milliseconds: Int64) { value.withLock { $0 += milliseconds } }

    var clock: IncrementalCooperativeAssignor.Clock { { [self] in now } }
}

let testLogger = Logger(label: "connect.assignor.test")

func taskId(_ connector: String, _ number: Int32) -> ConnectorTaskId {
    ConnectorTaskId(validatedConnector: connector, task: number)
}

func clusterSnapshot(offset: Int64 = 10, _ taskCounts: [String: Int]) throws -> ConnectClusterSnapshot {
    try ConnectClusterSnapshot(offset: offset, taskCounts: taskCounts)
}

func workerUrl(_ member: String) -> String { "http://\(member):8083" }

/// Connectors and tasks (tasks written `connector-n`), compared in order.
struct Work: Equatable, CustomStringConvertible {
    var connectors: [String]
    var tasks: [String]

    init(_ connectors: [String] = [], _ tasks: [String] = []) {
        self.connectors = connectors
        self.tasks = tasks
    }

    init(connectors: [String], tasks: [ConnectorTaskId]) {
        self.init(connectors, tasks.map(\.description))
    }

    static let empty = Work()

    var description: String { "connectors \(connectors), tasks \(tasks)" }
}

extension WorkerAssignment {
    var assigned: Work { Work(connectors: connectors, tasks: tasks) }
    var revoked: Work { Work(connectors: revokedConnectors, tasks: revokedTasks) }
}

/// A worker group as the leader sees it over several rebalances. Subscriptions and
/// assignments go through the real encoders and decoders, and members apply assignments the
/// way Apache's `WorkerCoordinator.onJoinComplete` does: newly assigned work first, then what
/// they kept after the revocations.
struct SimulatedGroup {
    var compatibility: ConnectProtocolCompatibility = .sessioned
    /// Member id → (connectors, tasks) it runs, in join order.
    private(set) var held: [(member: String, connectors: [String], tasks: [ConnectorTaskId])] = []
    /// Config offsets members report; the snapshot's offset when absent.
    var memberOffsets: [String: Int64] = [:]
    private(set) var generation: Int32 = 0
    private(set) var lastCompletedGeneration: Int32 = -1

    init(compatibility: ConnectProtocolCompatibility = .sessioned, members: [String] = []) {
        self.compatibility = compatibility
        for member in members { join(member) }
    }

    mutating func join(_ member: String, connectors: [String] = [], tasks: [ConnectorTaskId] = []) {
        precondition(!held.contains { $0.member == member }, "\(member) already in the group")
        held.append((member, connectors, tasks))
    }

    mutating func leave(_ member: String) {
        precondition(held.contains { $0.member == member }, "\(member) not in the group")
        held.removeAll { $0.member == member }
    }

    /// A generation completed under another leader, without this assignor.
    mutating func completeGenerationElsewhere() {
        generation += 1
        lastCompletedGeneration = generation
    }

    func work(of member: String) -> Work {
        guard let entry = held.first(where: { $0.member == member }) else { return .empty }
        return Work(connectors: entry.connectors, tasks: entry.tasks)
    }

    /// Connector and task counts per member, sorted ascending.
    var connectorCounts: [Int] { held.map(\.connectors.count).sorted() }
    var taskCounts: [Int] { held.map(\.tasks.count).sorted() }

    /// Every member's JoinGroup metadata, encoded and decoded as the leader receives it.
    func members(defaultOffset: Int64) throws -> [ConnectGroupMember] {
        let version = compatibility.protocolVersion
        return try held.map { entry in
            let allocation = version == 0 ? nil : try WorkerAssignment(
                version: version, leader: "previous-leader", leaderUrl: "http://previous:8083", configOffset: 0,
                connectors: entry.connectors, tasks: entry.tasks
            )
            let subscription = try WorkerSubscription(
                version: version, url: workerUrl(entry.member),
                configOffset: memberOffsets[entry.member] ?? defaultOffset, allocation: allocation
            )
            return try ConnectGroupMember(memberId: entry.member, metadata: subscription.encode())
        }
    }

    /// Runs one rebalance led by `leader` and applies the result.
    @discardableResult
    mutating func rebalance(
        _ assignor: inout IncrementalCooperativeAssignor,
        leader: String,
        config: ConnectClusterSnapshot,
        refreshSnapshot: (() -> ConnectClusterSnapshot)? = nil
    ) throws -> ConnectAssignmentResult {
        generation += 1
        let result = try assignor.performAssignment(
            leaderId: leader, protocol: compatibility, members: members(defaultOffset: config.offset),
            configSnapshot: config, generationId: generation, lastCompletedGenerationId: lastCompletedGeneration,
            refreshSnapshot: refreshSnapshot
        )
        try apply(result)
        return result
    }

    /// Applies the encoded assignments as members would, after checking the round invariants:
    /// one assignment per member and no work assigned twice or to a member already running it.
    mutating func apply(_ result: ConnectAssignmentResult) throws {
        #expect(Set(result.assignments.keys) == Set(held.map(\.member)))
        let encoded = try result.encodedAssignments()
        var newlyAssignedTasks: [ConnectorTaskId] = []
        var newlyAssignedConnectors: [String] = []
        for index in held.indices {
            let member = held[index].member
            let bytes = try #require(encoded[member])
            let assignment = try WorkerAssignment(decoding: bytes, compatibility: compatibility)
            #expect(assignment == result.assignments[member], "\(member)'s assignment must survive encoding")
            guard !assignment.failed else { continue }
            #expect(Set(assignment.connectors).isDisjoint(with: held[index].connectors))
            #expect(Set(assignment.tasks).isDisjoint(with: held[index].tasks))
            newlyAssignedConnectors += assignment.connectors
            newlyAssignedTasks += assignment.tasks
            let keptConnectors = held[index].connectors.filter { !assignment.revokedConnectors.contains($0) }
            let keptTasks = held[index].tasks.filter { !assignment.revokedTasks.contains($0) }
            held[index].connectors = assignment.connectors + keptConnectors
            held[index].tasks = assignment.tasks + keptTasks
        }
        #expect(Set(newlyAssignedConnectors).count == newlyAssignedConnectors.count)
        #expect(Set(newlyAssignedTasks).count == newlyAssignedTasks.count)
        lastCompletedGeneration = generation
    }

    /// Every configured connector and task runs exactly once, and loads differ by at most one.
    func expectBalancedAndComplete(_ config: ConnectClusterSnapshot, sourceLocation: SourceLocation = #_sourceLocation) {
        let connectors = held.flatMap(\.connectors)
        let tasks = held.flatMap(\.tasks)
        #expect(connectors.sorted() == config.connectors.sorted(), sourceLocation: sourceLocation)
        #expect(tasks.sorted() == config.allTasks.sorted(), sourceLocation: sourceLocation)
        #expect((connectorCounts.last ?? 0) - (connectorCounts.first ?? 0) <= 1, "connectors \(connectorCounts)", sourceLocation: sourceLocation)
        #expect((taskCounts.last ?? 0) - (taskCounts.first ?? 0) <= 1, "tasks \(taskCounts)", sourceLocation: sourceLocation)
    }
}

/// Checks that nothing was assigned or revoked to anyone and the delay is `delay`.
func expectNoChanges(_ result: ConnectAssignmentResult, delay: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation) {
    for (member, assignment) in result.assignments {
        #expect(assignment.assigned == Work.empty, "\(member)", sourceLocation: sourceLocation)
        #expect(assignment.revoked == Work.empty, "\(member)", sourceLocation: sourceLocation)
        #expect(assignment.delay == delay, "\(member)", sourceLocation: sourceLocation)
    }
}
