import KafkaProtocol
import Testing

@testable import ConnectRuntime

@Suite("IncrementalCooperativeAssignor")
struct IncrementalCooperativeAssignorTests {
    let clock = ManualClock()

    func makeAssignor(maxDelayMs: Int32 = 10_000) -> IncrementalCooperativeAssignor {
        IncrementalCooperativeAssignor(maxDelayMs: maxDelayMs, logger: testLogger, clock: clock.clock)
    }

    /// Three connectors with four tasks each.
    func threeByFour() throws -> ConnectClusterSnapshot { try clusterSnapshot(["a": 4, "b": 4, "c": 4]) }

    // MARK: Initial assignment

    @Test func initialAssignmentToOneWorker() throws {
        var assignor = makeAssignor()
        var group = SimulatedGroup(members: ["w1"])
        let config = try threeByFour()
        let result = try group.rebalance(&assignor, leader: "w1", config: config)

        let w1 = try #require(result.assignments["w1"])
        #expect(w1.version == 2)
        #expect(w1.error == .noError)
        #expect(w1.leader == "w1")
        #expect(w1.leaderUrl == "http://w1:8083")
        #expect(w1.configOffset == 10)
        #expect(w1.delay == 0)
        #expect(w1.assigned == Work(["a", "b", "c"], ["a-0", "a-1", "a-2", "a-3", "b-0", "b-1", "b-2", "b-3", "c-0", "c-1", "c-2", "c-3"]))
        #expect(w1.revoked == Work.empty)
        group.expectBalancedAndComplete(config)
    }

    @Test func initialAssignmentToThreeWorkersIsBalanced() throws {
        var assignor = makeAssignor()
        var group = SimulatedGroup(members: ["w2", "w3", "w1"])
        let config = try threeByFour()
        let result = try group.rebalance(&assignor, leader: "w2", config: config)

        // Least-loaded first, ties by member id; connectors and tasks are spread separately.
        // Task lists are in wire order: the member's own connectors' tasks first.
        #expect(result.assignments["w1"]?.assigned == Work(["a"], ["a-0", "a-3", "b-2", "c-1"]))
        #expect(result.assignments["w2"]?.assigned == Work(["b"], ["b-0", "b-3", "a-1", "c-2"]))
        #expect(result.assignments["w3"]?.assigned == Work(["c"], ["c-0", "c-3", "a-2", "b-1"]))
        #expect(result.assignments.values.allSatisfy { $0.revoked == Work.empty && $0.delay == 0 && $0.leader == "w2" })
        group.expectBalancedAndComplete(config)

        // A rebalance with nothing changed moves nothing.
        expectNoChanges(try group.rebalance(&assignor, leader: "w2", config: config))
    }

    @Test func connectorWithoutTasksStillGetsItsConnectorInstance() throws {
        var assignor = makeAssignor()
        var group = SimulatedGroup(members: ["w1", "w2"])
        let result = try group.rebalance(&assignor, leader: "w1", config: try clusterSnapshot(["a": 1, "z": 0]))
        #expect(result.assignments["w1"]?.assigned == Work(["a"], ["a-0"]))
        #expect(result.assignments["w2"]?.assigned == Work(["z"], []))
    }

    // MARK: Workers joining

    @Test func workerJoinRevokesExcessThenAssignsItNextRound() throws {
        var assignor = makeAssignor(maxDelayMs: 300_000)
        var group = SimulatedGroup(members: ["w1", "w2"])
        let config = try threeByFour()
        let first = try group.rebalance(&assignor, leader: "w1", config: config)
        #expect(first.assignments["w1"]?.assigned == Work(["a", "c"], ["a-0", "a-2", "c-0", "c-2", "b-0", "b-2"]))
        #expect(first.assignments["w2"]?.assigned == Work(["b"], ["b-1", "b-3", "a-1", "a-3", "c-1", "c-3"]))

        // w3 joins: only the excess above a balanced share (1 connector, 4 tasks) is revoked,
        // taken from the front of each member's list; nothing is assigned yet.
        group.join("w3")
        let revoking = try group.rebalance(&assignor, leader: "w1", config: config)
        #expect(revoking.assignments["w1"]?.revoked == Work(["a"], ["a-0", "a-2"]))
        #expect(revoking.assignments["w2"]?.revoked == Work([], ["b-1", "b-3"]))
        #expect(revoking.assignments["w3"]?.revoked == Work.empty)
        #expect(revoking.assignments.values.allSatisfy { $0.assigned == Work.empty && $0.delay == 0 })
        #expect(group.connectorCounts == [0, 1, 1])
        #expect(group.taskCounts == [0, 4, 4])

        // Next round: exactly the revoked work goes to w3; nothing else moves.
        let assigning = try group.rebalance(&assignor, leader: "w1", config: config)
        #expect(assigning.assignments["w3"]?.assigned == Work(["a"], ["a-0", "a-2", "b-1", "b-3"]))
        for member in ["w1", "w2"] {
            #expect(assigning.assignments[member]?.assigned == Work.empty)
        }
        #expect(assigning.assignments.values.allSatisfy { $0.revoked == Work.empty && $0.delay == 0 })
        #expect(group.work(of: "w1") == Work(["c"], ["c-0", "c-2", "b-0", "b-2"]))
        #expect(group.work(of: "w2") == Work(["b"], ["a-1", "a-3", "c-1", "c-3"]))
        group.expectBalancedAndComplete(config)

        expectNoChanges(try group.rebalance(&assignor, leader: "w1", config: config))
    }

    @Test func consecutiveRevokingRebalanceIsPostponedByExponentialBackoff() throws {
        var assignor = makeAssignor(maxDelayMs: 300_000)
        var group = SimulatedGroup(members: ["w1", "w2"])
        let config = try threeByFour()
        try group.rebalance(&assignor, leader: "w1", config: config)
        group.join("w3")
        try group.rebalance(&assignor, leader: "w1", config: config)  // revokes, as above

        // w4 joins right after a revoking round: no revocation now, a 40 ms backoff instead;
        // the work revoked last round is still handed out.
        group.join("w4")
        let postponed = try group.rebalance(&assignor, leader: "w1", config: config)
        #expect(postponed.assignments.values.allSatisfy { $0.revoked == Work.empty && $0.delay == 40 })
        #expect(postponed.assignments["w3"]?.assigned == Work(["a"], ["a-0", "b-1"]))
        #expect(postponed.assignments["w4"]?.assigned == Work([], ["a-2", "b-3"]))
        #expect(postponed.assignments["w1"]?.assigned == Work.empty)
        #expect(postponed.assignments["w2"]?.assigned == Work.empty)
        #expect(assignor.scheduledRebalance == clock.now + 40)

        // After the backoff the balancing revocation happens, then its follow-up assignment.
        clock.advance(40)
        let revoking = try group.rebalance(&assignor, leader: "w1", config: config)
        #expect(revoking.assignments["w1"]?.revoked == Work([], ["c-0"]))
        #expect(revoking.assignments["w2"]?.revoked == Work([], ["a-1"]))
        #expect(revoking.assignments.values.allSatisfy { $0.assigned == Work.empty && $0.delay == 0 })

        let assigning = try group.rebalance(&assignor, leader: "w1", config: config)
        #expect(assigning.assignments["w3"]?.assigned == Work([], ["a-1"]))
        #expect(assigning.assignments["w4"]?.assigned == Work([], ["c-0"]))
        #expect(assigning.assignments.values.allSatisfy { $0.revoked == Work.empty && $0.delay == 0 })
        group.expectBalancedAndComplete(config)
    }

    @Test func backoffFollowsApacheExponentialBackoff() {
        let backoff = RevocationBackoff(maxInterval: 300_000)
        #expect(backoff.backoff(attempts: 1) == 40)
        #expect(backoff.backoff(attempts: 2) == 1_600)
        #expect(backoff.backoff(attempts: 3) == 64_000)
        #expect(backoff.backoff(attempts: 4) <= 300_000)
        #expect(backoff.backoff(attempts: 4) >= 299_999)
        #expect(backoff.backoff(attempts: 50) == backoff.backoff(attempts: 4))
        #expect(RevocationBackoff(maxInterval: 1).backoff(attempts: 3) == 1)
        #expect(RevocationBackoff(maxInterval: 0).backoff(attempts: 3) == 0)
    }

    @Test func duplicatedWorkIsRevokedFromEveryHolderThenReassigned() throws {
        var assignor = makeAssignor()
        var group = SimulatedGroup(members: ["w1"])
        let config = try clusterSnapshot(["a": 4, "b": 4])
        try group.rebalance(&assignor, leader: "w1", config: config)

        // A zombie claims connector a and its tasks, which w1 runs too.
        group.join("w2", connectors: ["a"], tasks: (0..<4).map { taskId("a", $0) })
        let revoking = try group.rebalance(&assignor, leader: "w1", config: config)
        let duplicated = Work(["a"], ["a-0", "a-1", "a-2", "a-3"])
        #expect(revoking.assignments["w1"]?.revoked == duplicated)
        #expect(revoking.assignments["w2"]?.revoked == duplicated)
        #expect(revoking.assignments.values.allSatisfy { $0.assigned == Work.empty && $0.delay == 0 })

        let assigning = try group.rebalance(&assignor, leader: "w1", config: config)
        #expect(assigning.assignments["w2"]?.assigned == duplicated)
        #expect(assigning.assignments["w1"]?.assigned == Work.empty)
        #expect(assigning.assignments.values.allSatisfy { $0.revoked == Work.empty })
        group.expectBalancedAndComplete(config)
    }

    // MARK: Workers leaving

    /// w1..w3 share `threeByFour` as in `initialAssignmentToThreeWorkersIsBalanced`, then w3 leaves.
    func groupWithLostWorker(_ assignor: inout IncrementalCooperativeAssignor) throws -> SimulatedGroup {
        var group = SimulatedGroup(members: ["w1", "w2", "w3"])
        try group.rebalance(&assignor, leader: "w1", config: try threeByFour())
        #expect(group.work(of: "w3") == Work(["c"], ["c-0", "c-3", "a-2", "b-1"]))
        group.leave("w3")
        let lost = try group.rebalance(&assignor, leader: "w1", config: try threeByFour())
        expectNoChanges(lost, delay: 10_000)
        #expect(assignor.scheduledRebalance == clock.now + 10_000)
        return group
    }

    @Test func lostWorkIsHeldForTheDelayThenSpreadOverRemainingWorkers() throws {
        var assignor = makeAssignor(maxDelayMs: 10_000)
        var group = try groupWithLostWorker(&assignor)
        let config = try threeByFour()

        clock.advance(4_000)
        expectNoChanges(try group.rebalance(&assignor, leader: "w1", config: config), delay: 6_000)

        clock.advance(6_000)
        let expired = try group.rebalance(&assignor, leader: "w1", config: config)
        #expect(expired.assignments["w1"]?.assigned == Work(["c"], ["c-0", "a-2"]))
        #expect(expired.assignments["w2"]?.assigned == Work([], ["b-1", "c-3"]))
        #expect(expired.assignments.values.allSatisfy { $0.revoked == Work.empty && $0.delay == 0 })
        #expect(assignor.scheduledRebalance == 0)
        group.expectBalancedAndComplete(config)
    }

    @Test func restartedWorkerReturningWithinTheDelayGetsItsWorkBack() throws {
        var assignor = makeAssignor(maxDelayMs: 10_000)
        var group = try groupWithLostWorker(&assignor)
        let config = try threeByFour()

        // w3 comes back empty (it restarted) before the delay expires: it becomes the
        // candidate, and the remaining delay is announced.
        clock.advance(8_000)
        group.join("w3")
        expectNoChanges(try group.rebalance(&assignor, leader: "w1", config: config), delay: 2_000)
        #expect(assignor.candidateWorkersForReassignment == ["w3"])

        clock.advance(2_000)
        let expired = try group.rebalance(&assignor, leader: "w1", config: config)
        #expect(expired.assignments["w3"]?.assigned == Work(["c"], ["c-0", "c-3", "a-2", "b-1"]))
        #expect(expired.assignments["w1"]?.assigned == Work.empty)
        #expect(expired.assignments["w2"]?.assigned == Work.empty)
        #expect(expired.assignments.values.allSatisfy { $0.revoked == Work.empty && $0.delay == 0 })
        #expect(assignor.candidateWorkersForReassignment.isEmpty)
        group.expectBalancedAndComplete(config)
    }

    @Test func workerRejoiningWithItsAllocationCancelsTheDelay() throws {
        var assignor = makeAssignor(maxDelayMs: 10_000)
        var group = try groupWithLostWorker(&assignor)

        clock.advance(3_000)
        group.join("w3", connectors: ["c"], tasks: [taskId("a", 2), taskId("b", 1), taskId("c", 0), taskId("c", 3)])
        expectNoChanges(try group.rebalance(&assignor, leader: "w1", config: try threeByFour()), delay: 0)
        #expect(assignor.scheduledRebalance == 0)
    }

    @Test func zeroMaxDelayReassignsLostWorkImmediately() throws {
        var assignor = makeAssignor(maxDelayMs: 0)
        var group = SimulatedGroup(members: ["w1", "w2"])
        let config = try clusterSnapshot(["a": 4, "b": 4])
        try group.rebalance(&assignor, leader: "w1", config: config)
        #expect(group.work(of: "w2") == Work(["b"], ["b-1", "b-3", "a-1", "a-3"]))

        group.leave("w2")
        let result = try group.rebalance(&assignor, leader: "w1", config: config)
        #expect(result.assignments["w1"]?.assigned == Work(["b"], ["b-1", "b-3", "a-1", "a-3"]))
        #expect(result.assignments["w1"]?.delay == 0)
        group.expectBalancedAndComplete(config)
    }

    // MARK: Config changes

    @Test func connectorAddedRemovedAndTaskCountChanged() throws {
        var assignor = makeAssignor()
        var group = SimulatedGroup(members: ["w1", "w2"])
        try group.rebalance(&assignor, leader: "w1", config: try clusterSnapshot(offset: 1, ["a": 2, "b": 2]))
        #expect(group.work(of: "w1") == Work(["a"], ["a-0", "b-0"]))
        #expect(group.work(of: "w2") == Work(["b"], ["b-1", "a-1"]))

        // Connector c with three tasks is created: only new work moves.
        let added = try clusterSnapshot(offset: 2, ["a": 2, "b": 2, "c": 3])
        let afterAdd = try group.rebalance(&assignor, leader: "w1", config: added)
        #expect(afterAdd.assignments["w1"]?.assigned == Work(["c"], ["c-0", "c-2"]))
        #expect(afterAdd.assignments["w2"]?.assigned == Work([], ["c-1"]))
        #expect(afterAdd.assignments.values.allSatisfy { $0.revoked == Work.empty && $0.configOffset == 2 })
        group.expectBalancedAndComplete(added)

        // Connector a is deleted: its connector and tasks are revoked from whoever runs them.
        let removed = try clusterSnapshot(offset: 3, ["b": 2, "c": 3])
        let afterRemove = try group.rebalance(&assignor, leader: "w1", config: removed)
        #expect(afterRemove.assignments["w1"]?.revoked == Work(["a"], ["a-0"]))
        #expect(afterRemove.assignments["w2"]?.revoked == Work([], ["a-1"]))
        #expect(afterRemove.assignments.values.allSatisfy { $0.assigned == Work.empty })
        group.expectBalancedAndComplete(removed)

        // c shrinks to one task and b grows to four: dropped tasks are revoked, new ones go to
        // the least-loaded worker.
        let resized = try clusterSnapshot(offset: 4, ["b": 4, "c": 1])
        let afterResize = try group.rebalance(&assignor, leader: "w1", config: resized)
        #expect(afterResize.assignments["w1"]?.revoked == Work([], ["c-2"]))
        #expect(afterResize.assignments["w1"]?.assigned == Work.empty)
        #expect(afterResize.assignments["w2"]?.revoked == Work([], ["c-1"]))
        #expect(afterResize.assignments["w2"]?.assigned == Work([], ["b-2", "b-3"]))
        #expect(group.work(of: "w1") == Work(["c"], ["c-0", "b-0"]))
        #expect(group.work(of: "w2") == Work(["b"], ["b-2", "b-3", "b-1"]))
        group.expectBalancedAndComplete(resized)

        expectNoChanges(try group.rebalance(&assignor, leader: "w1", config: resized))
    }

    // MARK: Leader changes

    @Test func newLeaderRebuildsItsViewFromMemberAllocations() throws {
        var oldLeader = makeAssignor()
        var group = SimulatedGroup(members: ["w1", "w2", "w3"])
        let config = try threeByFour()
        try group.rebalance(&oldLeader, leader: "w1", config: config)

        // The leader w1 dies; w2 leads with a fresh assignor. It works from the allocations
        // the members report and hands out w1's work at once (it never saw w1 leave).
        group.leave("w1")
        var newLeader = makeAssignor()
        let result = try group.rebalance(&newLeader, leader: "w2", config: config)
        #expect(result.assignments["w2"]?.assigned == Work(["a"], ["a-0", "b-2"]))
        #expect(result.assignments["w3"]?.assigned == Work([], ["a-3", "c-1"]))
        #expect(result.assignments.values.allSatisfy {
            $0.revoked == Work.empty && $0.delay == 0 && $0.leader == "w2" && $0.leaderUrl == "http://w2:8083"
        })
        group.expectBalancedAndComplete(config)

        expectNoChanges(try group.rebalance(&newLeader, leader: "w2", config: config))
    }

    @Test func previousViewIsDiscardedWhenGenerationsWereMissed() throws {
        let config = try threeByFour()
        func lead(skippingAGeneration: Bool) throws -> ConnectAssignmentResult {
            var assignor = makeAssignor(maxDelayMs: 10_000)
            var group = SimulatedGroup(members: ["w1", "w2", "w3"])
            try group.rebalance(&assignor, leader: "w1", config: config)
            if skippingAGeneration { group.completeGenerationElsewhere() }
            group.leave("w3")
            return try group.rebalance(&assignor, leader: "w1", config: config)
        }
        // With a continuous view, w3's work is held for the delay.
        expectNoChanges(try lead(skippingAGeneration: false), delay: 10_000)
        // After a generation led elsewhere the stale view is dropped: w3's work is unowned
        // new work and is assigned immediately.
        let fresh = try lead(skippingAGeneration: true)
        #expect(fresh.assignments["w1"]?.assigned == Work(["c"], ["c-0", "a-2"]))
        #expect(fresh.assignments["w2"]?.assigned == Work([], ["b-1", "c-3"]))
        #expect(fresh.assignments.values.allSatisfy { $0.delay == 0 })
    }

    // MARK: Config offsets

    @Test func leaderBehindAMemberReturnsConfigMismatch() throws {
        var assignor = makeAssignor()
        var group = SimulatedGroup(members: ["w1", "w2"])
        group.memberOffsets["w2"] = 12
        let result = try group.rebalance(&assignor, leader: "w1", config: try clusterSnapshot(offset: 10, ["a": 2]))
        for member in ["w1", "w2"] {
            let assignment = try #require(result.assignments[member])
            #expect(assignment.error == .configMismatch)
            #expect(assignment.failed)
            #expect(assignment.version == 2)
            #expect(assignment.configOffset == 12)
            #expect(assignment.leader == "w1")
            #expect(assignment.leaderUrl == "http://w1:8083")
            #expect(assignment.assigned == Work.empty && assignment.revoked == Work.empty && assignment.delay == 0)
        }
        #expect(result.failed)
        #expect(result.leaderState == nil)
        #expect(assignor.previousGenerationId == -1, "a failed round leaves the state alone")
    }

    @Test func leaderCatchesUpWithARefreshedSnapshot() throws {
        var assignor = makeAssignor()
        var group = SimulatedGroup(members: ["w1", "w2"])
        group.memberOffsets["w2"] = 12
        let refreshed = try clusterSnapshot(offset: 12, ["a": 2, "d": 1])
        let result = try group.rebalance(&assignor, leader: "w1", config: try clusterSnapshot(offset: 10, ["a": 2]), refreshSnapshot: { refreshed })
        #expect(!result.failed)
        #expect(result.configSnapshot == refreshed)
        #expect(result.assignments["w1"]?.assigned == Work(["a"], ["a-0", "d-0"]))
        #expect(result.assignments["w2"]?.assigned == Work(["d"], ["a-1"]))
        #expect(result.assignments.values.allSatisfy { $0.configOffset == 12 })
    }

    @Test func memberBehindTheLeaderStillGetsAnAssignment() throws {
        var assignor = makeAssignor()
        var group = SimulatedGroup(members: ["w1", "w2"])
        group.memberOffsets["w2"] = 8
        let result = try group.rebalance(&assignor, leader: "w1", config: try clusterSnapshot(offset: 10, ["a": 2]))
        #expect(!result.failed)
        #expect(result.assignments.values.allSatisfy { $0.configOffset == 10 && $0.error == .noError })
    }

    // MARK: Protocol versions, leader state, errors

    @Test(arguments: [ConnectProtocolCompatibility.compatible, .sessioned])
    func assignmentVersionFollowsTheChosenProtocol(_ compatibility: ConnectProtocolCompatibility) throws {
        var assignor = makeAssignor()
        var group = SimulatedGroup(compatibility: compatibility, members: ["w1"])
        let result = try group.rebalance(&assignor, leader: "w1", config: try clusterSnapshot(["a": 1]))
        #expect(result.assignments["w1"]?.version == compatibility.protocolVersion)
    }

    @Test func leaderStateTracksOwnersAfterRevocations() throws {
        var assignor = makeAssignor()
        var group = SimulatedGroup(members: ["w1"])
        let config = try clusterSnapshot(["a": 2, "b": 2])
        let first = try group.rebalance(&assignor, leader: "w1", config: config)
        #expect(first.leaderState?.ownerUrl(connector: "b") == "http://w1:8083")

        group.join("w2")
        let revoking = try group.rebalance(&assignor, leader: "w1", config: config)
        let state = try #require(revoking.leaderState)
        // w1 gives up connector a and tasks a-0, a-1: nobody owns them until the next round.
        #expect(state.connectorOwners == ["b": "w1"])
        #expect(state.ownerUrl(connector: "a") == nil)
        #expect(state.ownerUrl(task: taskId("b", 1)) == "http://w1:8083")
        #expect(state.ownerUrl(task: taskId("a", 0)) == nil)
        #expect(state.memberUrls == ["w1": "http://w1:8083", "w2": "http://w2:8083"])

        let assigning = try group.rebalance(&assignor, leader: "w1", config: config)
        #expect(assigning.leaderState?.ownerUrl(connector: "a") == "http://w2:8083")
        #expect(assigning.leaderState?.ownerUrl(task: taskId("a", 1)) == "http://w2:8083")
    }

    @Test func invalidRoundsThrow() throws {
        var assignor = makeAssignor()
        let members = try SimulatedGroup(members: ["w1", "w2"]).members(defaultOffset: 10)
        let config = try clusterSnapshot(["a": 1])
        #expect(throws: ConnectRuntimeError.self) {
            try assignor.performAssignment(
                leaderId: "w9", protocol: .sessioned, members: members, configSnapshot: config,
                generationId: 1, lastCompletedGenerationId: -1
            )
        }
        #expect(throws: ConnectRuntimeError.self) {
            try assignor.performAssignment(
                leaderId: "w1", protocol: .sessioned, members: members + [members[0]], configSnapshot: config,
                generationId: 1, lastCompletedGenerationId: -1
            )
        }
        #expect(throws: ConnectRuntimeError.self) {
            try assignor.performAssignment(
                leaderId: "w1", protocol: .eager, members: members, configSnapshot: config,
                generationId: 1, lastCompletedGenerationId: -1
            )
        }
        #expect(throws: ConnectRuntimeError.self) { try clusterSnapshot(["a": -1]) }
    }

    // MARK: Larger scenario

    @Test func growingAndShrinkingClusterConvergesToBalance() throws {
        var assignor = makeAssignor(maxDelayMs: 5_000)
        var group = SimulatedGroup(members: ["w1", "w2", "w3"])
        let config = try clusterSnapshot(["m1": 7, "m2": 7, "m3": 7, "m4": 7, "m5": 7])
        try group.rebalance(&assignor, leader: "w1", config: config)
        group.expectBalancedAndComplete(config)

        group.join("w4")
        group.join("w5")
        try group.rebalance(&assignor, leader: "w1", config: config)
        try group.rebalance(&assignor, leader: "w1", config: config)
        group.expectBalancedAndComplete(config)
        #expect(group.connectorCounts == [1, 1, 1, 1, 1])
        #expect(group.taskCounts == [7, 7, 7, 7, 7])

        group.leave("w2")
        expectNoChanges(try group.rebalance(&assignor, leader: "w1", config: config), delay: 5_000)
        clock.advance(5_000)
        try group.rebalance(&assignor, leader: "w1", config: config)
        group.expectBalancedAndComplete(config)
        expectNoChanges(try group.rebalance(&assignor, leader: "w1", config: config))
    }
}
