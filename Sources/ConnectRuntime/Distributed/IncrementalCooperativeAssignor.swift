import Dispatch
import Foundation
import Logging

/// The leader-side assignor of the `compatible` (V1) and `sessioned` (V2) sub-protocols
/// (KIP-415), matching Apache Kafka 3.7-3.9's `IncrementalCooperativeAssignor`.
///
/// Each round it hands out only changes: newly assigned connectors and tasks, and revocations.
/// It keeps state between rounds, so the leader's coordinator owns one for its whole life and
/// calls ``performAssignment(leaderId:protocol:members:configSnapshot:generationId:lastCompletedGenerationId:refreshSnapshot:)``
/// on every rebalance it leads:
/// - new connectors and tasks go to the least-loaded members, connectors and tasks balanced
///   separately (ties broken by member id);
/// - deleted ones, and ones two members both claim, are revoked from their holders;
/// - when members join, only the excess above a balanced share is revoked in this round; the
///   revoked work is assigned in the next round. A second revoking round right after one is
///   postponed by an exponential backoff (40 ms, 1.6 s, 64 s, … capped at the max delay);
/// - work of members that left is held for up to `scheduled.rebalance.max.delay.ms`; members
///   are told the remaining time in ``WorkerAssignment/delay`` so they rejoin then. A member
///   that comes back in time gets the work back; after the delay it goes to new empty members
///   or, failing those, is spread over everyone;
/// - a leader without matching previous state (a new leader, or one that missed generations)
///   works from the allocations the members report.
///
/// Not thread-safe on its own: it is a value owned by one coordinator loop.
public struct IncrementalCooperativeAssignor: Sendable {
    /// Milliseconds from a monotonic clock.
    public typealias Clock = @Sendable () -> Int64

    /// A monotonic millisecond clock (time since boot).
    public static let monotonicClock: Clock = { Int64(DispatchTime.now().uptimeNanoseconds / 1_000_000) }

    /// `scheduled.rebalance.max.delay.ms`.
    public let maxDelayMs: Int32
    private let clock: Clock
    private let logger: Logger
    private let revocationBackoff: RevocationBackoff

    // State carried between rounds.
    private var previousConnectors: Set<String> = []
    private var previousTasks: Set<ConnectorTaskId> = []
    private var previousRevokedConnectors: Set<String> = []
    private var previousRevokedTasks: Set<ConnectorTaskId> = []
    private var revokedInPrevious = false
    private var successiveRevokingRebalances = 0
    private var previousMembers: Set<String> = []
    /// Empty members seen while lost work is held; they get that work when the delay expires.
    public private(set) var candidateWorkersForReassignment: [String] = []
    /// When the held work is reassigned (clock milliseconds), or 0 when nothing is scheduled.
    public private(set) var scheduledRebalance: Int64 = 0
    /// The delay sent with the last assignment (ms until the scheduled rebalance), or 0.
    public private(set) var delay: Int32 = 0
    /// The generation of the last round this assignor computed, or -1.
    public private(set) var previousGenerationId: Int32 = -1

    /// - Parameters:
    ///   - maxDelayMs: `scheduled.rebalance.max.delay.ms` (default 300000); negative values count as 0.
    ///     With 0, lost work is reassigned at once and consecutive revocations are not delayed.
    ///   - logger: receives debug logs of each round.
    ///   - clock: monotonic milliseconds; tests inject a manual clock.
    public init(maxDelayMs: Int32, logger: Logger, clock: @escaping Clock = IncrementalCooperativeAssignor.monotonicClock) {
        self.maxDelayMs = max(0, maxDelayMs)
        self.logger = logger
        self.clock = clock
        self.revocationBackoff = RevocationBackoff(maxInterval: Int64(self.maxDelayMs))
    }

    /// Computes every member's assignment for one rebalance this worker leads.
    ///
    /// - Parameters:
    ///   - leaderId: the leader's member id; must be one of `members`.
    ///   - protocol: the sub-protocol the group coordinator chose: `.compatible` (assignments
    ///     get version 1) or `.sessioned` (version 2).
    ///   - members: every member of the JoinGroup response, with its current allocation.
    ///   - configSnapshot: the leader's current config snapshot.
    ///   - generationId: the generation this JoinGroup response belongs to.
    ///   - lastCompletedGenerationId: the generation of this worker's last completed
    ///     SyncGroup (-1 if none). If this assignor did not compute that generation, its
    ///     previous view is discarded and the members' allocations are trusted.
    ///   - refreshSnapshot: called when `configSnapshot` is behind a member's config offset, to
    ///     take a newer snapshot of what the leader has read so far.
    /// - Returns: the assignments; all carry `CONFIG_MISMATCH` (and nothing else) if the
    ///   leader is still behind, in which case this assignor's state is unchanged.
    /// - Throws: ``ConnectRuntimeError`` for the eager protocol, an empty group, a repeated
    ///   member id, a leader not in the group, or a member id longer than a Kafka STRING.
    public mutating func performAssignment(
        leaderId: String,
        protocol compatibility: ConnectProtocolCompatibility,
        members: [ConnectGroupMember],
        configSnapshot: ConnectClusterSnapshot,
        generationId: Int32,
        lastCompletedGenerationId: Int32,
        refreshSnapshot: (() -> ConnectClusterSnapshot)? = nil
    ) throws(ConnectRuntimeError) -> ConnectAssignmentResult {
        guard compatibility.isIncremental else {
            throw ConnectRuntimeError(.invalidArgument, "the incremental cooperative assignor cannot serve the eager protocol")
        }
        let round = try ConnectAssignmentRound(leaderId: leaderId, members: members)
        let version = compatibility.protocolVersion
        guard let (snapshot, offset) = round.resolveLeaderConfig(configSnapshot, refreshSnapshot: refreshSnapshot) else {
            logger.info("Leader's config is behind a member's; returning CONFIG_MISMATCH to trigger a re-sync", metadata: [
                "connect.config.offset": "\(configSnapshot.offset)", "connect.config.max-member-offset": "\(round.maxOffset)",
            ])
            return try round.configMismatch(version: version, snapshot: configSnapshot)
        }

        let loads = round.members.map {
            WorkerLoad(worker: $0.memberId, connectors: $0.ownedConnectors, tasks: $0.ownedTasks)
        }
        let cluster = computeAssignment(
            snapshot: snapshot,
            lastCompletedGenerationId: lastCompletedGenerationId,
            currentGenerationId: generationId,
            memberLoads: loads,
            now: clock()
        )

        var assignments: [String: WorkerAssignment] = [:]
        for member in round.members {
            let id = member.memberId
            let assigned = cluster.assigned[id] ?? WorkSet()
            let revoked = cluster.revoked[id] ?? WorkSet()
            assignments[id] = try WorkerAssignment(
                version: version, leader: leaderId, leaderUrl: round.leaderUrl, configOffset: offset,
                connectors: assigned.connectors,
                tasks: ConnectAssignmentRound.wireOrdered(connectors: assigned.connectors, tasks: assigned.tasks),
                revokedConnectors: revoked.connectors,
                revokedTasks: ConnectAssignmentRound.wireOrdered(connectors: revoked.connectors, tasks: revoked.tasks),
                delay: delay
            )
        }
        var connectorOwners: [String: String] = [:]
        var taskOwners: [ConnectorTaskId: String] = [:]
        for load in cluster.owned {
            for connector in load.connectors { connectorOwners[connector] = load.worker }
            for task in load.tasks { taskOwners[task] = load.worker }
        }
        let leaderState = ConnectLeaderState(memberUrls: round.memberUrls, connectorOwners: connectorOwners, taskOwners: taskOwners)
        return ConnectAssignmentResult(assignments: assignments, leaderState: leaderState, configSnapshot: snapshot)
    }

    // MARK: The assignment round

    /// The outcome of ``computeAssignment(snapshot:lastCompletedGenerationId:currentGenerationId:memberLoads:now:)``.
    struct ClusterAssignment {
        /// Newly assigned work per member.
        var assigned: [String: WorkSet] = [:]
        /// Revoked work per member.
        var revoked: [String: WorkSet] = [:]
        /// What each member runs once the round is applied (members sorted by id).
        var owned: [WorkerLoad] = []
    }

    /// One round on plain values (members' current work in member-id order).
    mutating func computeAssignment(
        snapshot: ConnectClusterSnapshot,
        lastCompletedGenerationId: Int32,
        currentGenerationId: Int32,
        memberLoads: [WorkerLoad],
        now: Int64
    ) -> ClusterAssignment {
        if previousGenerationId != lastCompletedGenerationId {
            logger.debug("Discarding the previous assignment view: it is from generation \(previousGenerationId), the last completed one is \(lastCompletedGenerationId)")
            previousConnectors = []
            previousTasks = []
        }

        let configuredConnectorList = snapshot.connectors
        let configuredTaskList = snapshot.allTasks
        let configuredConnectors = Set(configuredConnectorList)
        let configuredTasks = Set(configuredTaskList)

        var connectorHolders: [String: Int] = [:]
        var taskHolders: [ConnectorTaskId: Int] = [:]
        for load in memberLoads {
            for connector in load.connectors { connectorHolders[connector, default: 0] += 1 }
            for task in load.tasks { taskHolders[task, default: 0] += 1 }
        }
        let activeConnectors = Set(connectorHolders.keys)
        let activeTasks = Set(taskHolders.keys)

        // Revocations from the previous round that members still report did not take effect:
        // trust what the members run instead of the previous view.
        if !previousRevokedConnectors.isEmpty || !previousRevokedTasks.isEmpty {
            if !previousRevokedConnectors.isDisjoint(with: activeConnectors) || !previousRevokedTasks.isDisjoint(with: activeTasks) {
                previousConnectors = activeConnectors
                previousTasks = activeTasks
            }
            previousRevokedConnectors = []
            previousRevokedTasks = []
        }

        let deletedConnectors = previousConnectors.subtracting(configuredConnectors)
        let deletedTasks = previousTasks.subtracting(configuredTasks)
        let duplicatedConnectors = Set(connectorHolders.filter { $0.value > 1 }.keys)
        let duplicatedTasks = Set(taskHolders.filter { $0.value > 1 }.keys)
        let lost = WorkSet(
            connectors: previousConnectors.subtracting(activeConnectors).subtracting(deletedConnectors).sorted(by: javaStringOrder),
            tasks: previousTasks.subtracting(activeTasks).subtracting(deletedTasks).sorted(by: javaTaskOrder)
        )
        let created = WorkSet(
            connectors: configuredConnectorList.filter { !previousConnectors.contains($0) && !activeConnectors.contains($0) },
            tasks: configuredTaskList.filter { !previousTasks.contains($0) && !activeTasks.contains($0) }
        )

        // What members run now, not counting deleted work.
        let current = memberLoads.map { $0.removing(connectors: deletedConnectors, tasks: deletedTasks) }

        // Deleted and duplicated work is revoked from every member that holds it.
        var toRevoke: [String: WorkSet] = [:]
        for load in memberLoads {
            var revoke = WorkSet()
            revoke.add(connectors: load.connectors.filter(deletedConnectors.contains))
            revoke.add(tasks: load.tasks.filter(deletedTasks.contains))
            revoke.add(connectors: load.connectors.filter(duplicatedConnectors.contains))
            revoke.add(tasks: load.tasks.filter(duplicatedTasks.contains))
            if !revoke.isEmpty { toRevoke[load.worker] = revoke }
        }
        // What members will run after this round; new and reassigned work is added below.
        var next = memberLoads.map { $0.removing(toRevoke[$0.worker]) }

        var lostToReassign = WorkSet()
        handleLostAssignments(lost, toReassign: &lostToReassign, workers: &next, now: now)

        // No load-balancing revocations while a delayed rebalance is pending.
        if delay == 0 {
            let balancing = loadBalancingRevocations(
                connectorCount: configuredConnectors.count, taskCount: configuredTasks.count, workers: next
            )
            if revokedInPrevious && !balancing.isEmpty {
                successiveRevokingRebalances += 1
                delay = Int32(clamping: revocationBackoff.backoff(attempts: successiveRevokingRebalances))
                if delay != 0 {
                    scheduledRebalance = now + Int64(delay)
                    logger.debug("Consecutive revoking rebalance: postponing revocations by \(delay) ms")
                } else {
                    apply(balancing, to: &toRevoke, removingFrom: &next)
                }
            } else if !balancing.isEmpty {
                apply(balancing, to: &toRevoke, removingFrom: &next)
                revokedInPrevious = true
            } else if revokedInPrevious {
                // The previous round revoked, this one does not: the load has converged.
                revokedInPrevious = false
                successiveRevokingRebalances = 0
            }
        } else {
            revokedInPrevious = false
        }

        var toAssign = created
        toAssign.add(connectors: lostToReassign.connectors)
        toAssign.add(tasks: lostToReassign.tasks)
        Self.assign(toAssign.connectors, to: &next, count: \.connectors.count) { $0.connectors.append($1) }
        Self.assign(toAssign.tasks, to: &next, count: \.tasks.count) { $0.tasks.append($1) }
        next.sort { javaStringOrder($0.worker, $1.worker) }

        var result = ClusterAssignment()
        let currentByWorker = Dictionary(uniqueKeysWithValues: current.map { ($0.worker, $0) })
        for load in next {
            let before = currentByWorker[load.worker]
            let oldConnectors = Set(before?.connectors ?? [])
            let oldTasks = Set(before?.tasks ?? [])
            let added = WorkSet(
                connectors: load.connectors.filter { !oldConnectors.contains($0) },
                tasks: load.tasks.filter { !oldTasks.contains($0) }
            )
            if !added.isEmpty { result.assigned[load.worker] = added }
            result.owned.append(load.removing(toRevoke[load.worker]))
        }
        result.revoked = toRevoke

        // The view the next round starts from: what members will run, minus what is revoked
        // now, plus lost work still held for its owner.
        previousConnectors = Set(next.flatMap(\.connectors))
        previousTasks = Set(next.flatMap(\.tasks))
        for revoked in toRevoke.values {
            previousConnectors.subtract(revoked.connectors)
            previousTasks.subtract(revoked.tasks)
            previousRevokedConnectors.formUnion(revoked.connectors)
            previousRevokedTasks.formUnion(revoked.tasks)
        }
        previousConnectors.formUnion(lost.connectors)
        previousTasks.formUnion(lost.tasks)
        previousGenerationId = currentGenerationId
        previousMembers = Set(memberLoads.map(\.worker))

        logger.debug("Incremental assignment computed", metadata: [
            "connect.group.generation": "\(currentGenerationId)",
            "connect.assignment.created": "\(created.connectors.count) connectors, \(created.tasks.count) tasks",
            "connect.assignment.lost": "\(lost.connectors.count) connectors, \(lost.tasks.count) tasks",
            "connect.assignment.revoked": "\(toRevoke.values.reduce(0) { $0 + $1.connectors.count + $1.tasks.count })",
            "connect.assignment.delay": "\(delay)",
        ])
        return result
    }

    // MARK: Lost work

    /// Decides what happens to work whose owner did not rejoin: reassign now (no member left,
    /// or the delay is disabled), keep holding it (delay running), or hand it out (delay expired).
    private mutating func handleLostAssignments(
        _ lost: WorkSet,
        toReassign: inout WorkSet,
        workers: inout [WorkerLoad],
        now: Int64
    ) {
        if lost.isEmpty && !revokedInPrevious {
            resetDelay()
            return
        }
        let activeMembers = Set(workers.map(\.worker))
        if scheduledRebalance <= 0 && activeMembers.isSuperset(of: previousMembers) {
            // Nobody left: the work was lost because an assignment never reached its member.
            toReassign.add(connectors: lost.connectors)
            toReassign.add(tasks: lost.tasks)
            return
        }
        if maxDelayMs == 0 {
            toReassign.add(connectors: lost.connectors)
            toReassign.add(tasks: lost.tasks)
            return
        }

        if scheduledRebalance > 0 && now >= scheduledRebalance {
            // The delay expired: give the lost work to the empty members that appeared while it
            // was held (probably the returning owners), round-robin, or else treat it as new.
            let candidates = candidateWorkersForReassignment.compactMap { candidate in
                workers.firstIndex { $0.worker == candidate }
            }
            if candidates.isEmpty {
                toReassign.add(connectors: lost.connectors)
                toReassign.add(tasks: lost.tasks)
            } else {
                for (index, connector) in lost.connectors.enumerated() {
                    workers[candidates[index % candidates.count]].connectors.append(connector)
                }
                for (index, task) in lost.tasks.enumerated() {
                    workers[candidates[index % candidates.count]].tasks.append(task)
                }
            }
            resetDelay()
            revokedInPrevious = false
        } else {
            for load in workers where load.isEmpty && !candidateWorkersForReassignment.contains(load.worker) {
                candidateWorkersForReassignment.append(load.worker)
            }
            if now < scheduledRebalance {
                let remaining = scheduledRebalance - now
                delay = remaining > 0 ? Int32(min(remaining, Int64(maxDelayMs))) : 0
            } else {
                delay = maxDelayMs
            }
            scheduledRebalance = now + Int64(delay)
            logger.debug("Holding lost work for \(delay) ms", metadata: [
                "connect.assignment.lost": "\(lost.connectors.count) connectors, \(lost.tasks.count) tasks",
            ])
        }
    }

    private mutating func resetDelay() {
        candidateWorkersForReassignment = []
        scheduledRebalance = 0
        delay = 0
    }

    // MARK: Balancing

    /// The connectors and tasks to revoke so that no member runs more than a balanced share;
    /// connectors and tasks are balanced independently. Members are visited in id order, each
    /// keeping the first entries of its list.
    private func loadBalancingRevocations(connectorCount: Int, taskCount: Int, workers: [WorkerLoad]) -> [String: WorkSet] {
        if workers.allSatisfy(\.isEmpty) || (connectorCount == 0 && taskCount == 0) { return [:] }
        var result: [String: WorkSet] = [:]
        for (worker, connectors) in Self.excess(total: connectorCount, workers: workers, allocation: \.connectors) {
            result[worker, default: WorkSet()].add(connectors: connectors)
        }
        for (worker, tasks) in Self.excess(total: taskCount, workers: workers, allocation: \.tasks) {
            result[worker, default: WorkSet()].add(tasks: tasks)
        }
        return result
    }

    private static func excess<Element>(
        total: Int,
        workers: [WorkerLoad],
        allocation: KeyPath<WorkerLoad, [Element]>
    ) -> [(String, [Element])] {
        let minimum = total / workers.count
        let extras = total % workers.count
        let sizes = workers.map { $0[keyPath: allocation].count }
        let atMinimum = sizes.filter { $0 == minimum }.count
        let atOneExtra = sizes.filter { $0 == minimum + 1 }.count
        if atOneExtra == extras && atMinimum + atOneExtra == workers.count { return [] }

        var result: [(String, [Element])] = []
        var extrasGiven = 0
        for worker in workers {
            let items = worker[keyPath: allocation]
            guard items.count > minimum else { continue }
            let allowed: Int
            if extrasGiven < extras {
                extrasGiven += 1
                if items.count == minimum + 1 { continue }
                allowed = minimum + 1
            } else {
                allowed = minimum
            }
            result.append((worker.worker, Array(items.prefix(items.count - allowed))))
        }
        return result
    }

    private func apply(_ revocations: [String: WorkSet], to toRevoke: inout [String: WorkSet], removingFrom next: inout [WorkerLoad]) {
        for (worker, revoke) in revocations {
            toRevoke[worker, default: WorkSet()].add(connectors: revoke.connectors)
            toRevoke[worker, default: WorkSet()].add(tasks: revoke.tasks)
        }
        next = next.map { $0.removing(revocations[$0.worker]) }
    }

    /// Hands out `items` starting with the least-loaded members (ties by member id), filling
    /// level by level so loads stay within one of each other where possible.
    static func assign<Element>(
        _ items: [Element],
        to workers: inout [WorkerLoad],
        count: KeyPath<WorkerLoad, Int>,
        add: (inout WorkerLoad, Element) -> Void
    ) {
        workers.sort { lhs, rhs in
            let (left, right) = (lhs[keyPath: count], rhs[keyPath: count])
            return left != right ? left < right : javaStringOrder(lhs.worker, rhs.worker)
        }
        guard !workers.isEmpty else { return }
        var index = 0
        while index < items.count {
            let level = workers[0][keyPath: count]
            let upTo = workers.firstIndex { $0[keyPath: count] > level } ?? workers.count
            for position in 0..<upTo where index < items.count {
                add(&workers[position], items[index])
                index += 1
            }
        }
    }
}

// MARK: - Helpers

/// Ordered, duplicate-free connectors and tasks.
struct WorkSet: Hashable, Sendable {
    private(set) var connectors: [String] = []
    private(set) var tasks: [ConnectorTaskId] = []

    init() {}

    init(connectors: [String], tasks: [ConnectorTaskId]) {
        add(connectors: connectors)
        add(tasks: tasks)
    }

    var isEmpty: Bool { connectors.isEmpty && tasks.isEmpty }

    mutating func add(connectors new: [String]) {
        var seen = Set(connectors)
        for connector in new where seen.insert(connector).inserted { connectors.append(connector) }
    }

    mutating func add(tasks new: [ConnectorTaskId]) {
        var seen = Set(tasks)
        for task in new where seen.insert(task).inserted { tasks.append(task) }
    }
}

/// One member's work, in the member's own order.
struct WorkerLoad: Hashable, Sendable {
    let worker: String
    var connectors: [String]
    var tasks: [ConnectorTaskId]

    var isEmpty: Bool { connectors.isEmpty && tasks.isEmpty }

    func removing(connectors removedConnectors: Set<String>, tasks removedTasks: Set<ConnectorTaskId>) -> WorkerLoad {
        WorkerLoad(
            worker: worker,
            connectors: connectors.filter { !removedConnectors.contains($0) },
            tasks: tasks.filter { !removedTasks.contains($0) }
        )
    }

    func removing(_ work: WorkSet?) -> WorkerLoad {
        guard let work else { return self }
        return removing(connectors: Set(work.connectors), tasks: Set(work.tasks))
    }
}

/// Apache's `ExponentialBackoff(initial 1 ms, multiplier 40, max = max delay, no jitter)`, used
/// to space out consecutive revoking rebalances.
struct RevocationBackoff: Sendable {
    let initialInterval: Int64
    let maxInterval: Int64
    let multiplier: Double = 40
    let maxExponent: Double

    init(maxInterval: Int64) {
        let initial = min(maxInterval, maxInterval == 0 ? 0 : 1)
        self.initialInterval = initial
        self.maxInterval = maxInterval
        self.maxExponent = maxInterval > initial
            ? log(Double(maxInterval) / Double(max(initial, 1))) / log(40)
            : 0
    }

    func backoff(attempts: Int) -> Int64 {
        guard maxExponent != 0 else { return initialInterval }
        let exponent = min(Double(attempts), maxExponent)
        let term = Double(initialInterval) * pow(multiplier, exponent)
        return min(Int64(term), maxInterval)
    }
}
