import KafkaProtocol
import Testing

@testable import KafkaGroupClient

/// The heartbeat rules of the shared member state, without a broker.
@Suite struct MemberStateTests {
    let configuration = ClassicGroupMember.Configuration(
        bootstrapServers: "k:9092", groupId: "g", sessionTimeout: .seconds(10), heartbeatInterval: .seconds(3),
        retryBackoff: .milliseconds(100))
    let coordinator = KafkaBrokerAddress(host: "k", port: 9092)
    let bootstrap = [KafkaBrokerAddress(host: "k", port: 9092)]

    /// A member that completed generation 5 as `m1` and holds its assignment.
    func stableState(now: ContinuousClock.Instant) -> MemberState {
        var state = MemberState()
        state.setCoordinator(coordinator, now: now)
        state.generationId = 5
        state.memberId = "m1"
        state.phase = .stable
        state.rejoinReason = nil
        state.holdsAssignment = true
        state.enableHeartbeats(now: now, interval: configuration.heartbeatInterval)
        return state
    }

    func target(_ state: MemberState, generation: Int32 = 5) -> MemberState.HeartbeatTarget {
        .init(coordinator: coordinator, epoch: state.coordinatorEpoch, generationId: generation, memberId: "m1")
    }

    @Test func heartbeatsAreSentEveryIntervalAndOnlyWhenJoined() {
        let now = ContinuousClock.now
        var state = stableState(now: now)
        guard case .wait(let wait?) = state.nextHeartbeatAction(now: now, configuration: configuration, bootstrap: bootstrap) else {
            Issue.record("expected a wait")
            return
        }
        #expect(wait == .seconds(3))
        guard case .send(let sent) = state.nextHeartbeatAction(now: now + .seconds(3), configuration: configuration, bootstrap: bootstrap)
        else {
            Issue.record("expected a heartbeat")
            return
        }
        #expect(sent.generationId == 5 && sent.memberId == "m1")

        state.phase = .preparingRebalance
        guard case .wait(nil) = state.nextHeartbeatAction(now: now + .seconds(9), configuration: configuration, bootstrap: bootstrap)
        else {
            Issue.record("no heartbeats while JoinGroup is pending")
            return
        }
    }

    @Test func aRejoinWaitsUntilTheGenerationIsOldEnough() {
        let now = ContinuousClock.now
        var state = stableState(now: now)
        state.stableSince = now
        state.requestRejoin("the owner asked")
        #expect(state.needsJoin)
        #expect(state.rejoinPause(now: now + .milliseconds(100), minimumGenerationTime: .milliseconds(250)) == .milliseconds(150))
        #expect(state.rejoinPause(now: now + .milliseconds(250), minimumGenerationTime: .milliseconds(250)) == nil)
        #expect(state.rejoinPause(now: now, minimumGenerationTime: .zero) == nil)
        // Without a stable generation (after an error, or while joining) there is nothing to wait for.
        state.phase = .unjoined
        #expect(state.rejoinPause(now: now, minimumGenerationTime: .milliseconds(250)) == nil)
    }

    @Test func sessionExpiryDropsTheCoordinator() {
        let now = ContinuousClock.now
        var state = stableState(now: now)
        guard case .sessionExpired = state.nextHeartbeatAction(now: now + .seconds(11), configuration: configuration, bootstrap: bootstrap)
        else {
            Issue.record("expected the session to expire")
            return
        }
        #expect(state.coordinator == nil)
        #expect(state.coordinatorUnreachableSince == now + .seconds(11))
        guard case .discoverCoordinator(let candidates) = state.nextHeartbeatAction(
            now: now + .seconds(11), configuration: configuration, bootstrap: bootstrap)
        else {
            Issue.record("expected a coordinator lookup")
            return
        }
        #expect(candidates == bootstrap)
    }

    @Test func rebalanceInProgressRequestsOneRejoinWhenStable() {
        let now = ContinuousClock.now
        var state = stableState(now: now)
        let rebalancing = Result<HeartbeatResponse, KafkaGroupClientError>.success(HeartbeatResponse(errorCode: .rebalanceInProgress))

        state.joinPending = true
        guard case .ignored = state.applyHeartbeat(rebalancing, target: target(state), now: now, configuration: configuration) else {
            Issue.record("a round is already starting")
            return
        }
        #expect(state.rejoinReason == nil)

        state.joinPending = false
        guard case .wakeRunLoop = state.applyHeartbeat(rebalancing, target: target(state), now: now, configuration: configuration) else {
            Issue.record("expected a rejoin")
            return
        }
        #expect(state.rejoinReason != nil)
        #expect(state.pendingLoss == nil)

        state.phase = .completingRebalance
        state.rejoinReason = nil
        guard case .ignored = state.applyHeartbeat(rebalancing, target: target(state), now: now, configuration: configuration) else {
            Issue.record("REBALANCE_IN_PROGRESS is expected while completing a rebalance")
            return
        }
        #expect(state.rejoinReason == nil)
    }

    @Test func fencingErrorsResetTheGenerationAndRecordOneLoss() {
        let now = ContinuousClock.now
        var state = stableState(now: now)
        // A result for an older generation is ignored.
        let unknown = Result<HeartbeatResponse, KafkaGroupClientError>.success(HeartbeatResponse(errorCode: .unknownMemberId))
        guard case .ignored = state.applyHeartbeat(unknown, target: target(state, generation: 4), now: now, configuration: configuration)
        else {
            Issue.record("stale results must be ignored")
            return
        }
        #expect(state.generationId == 5)

        guard case .wakeRunLoop = state.applyHeartbeat(unknown, target: target(state), now: now, configuration: configuration) else {
            Issue.record("expected a reset")
            return
        }
        #expect(state.generationId == -1)
        #expect(state.memberId.isEmpty)
        #expect(state.phase == .unjoined)
        #expect(state.pendingLoss == .unknownMemberId)
        #expect(!state.holdsAssignment)

        // ILLEGAL_GENERATION keeps the member id; no second loss without a new assignment.
        var other = stableState(now: now)
        let illegal = Result<HeartbeatResponse, KafkaGroupClientError>.success(HeartbeatResponse(errorCode: .illegalGeneration))
        _ = other.applyHeartbeat(illegal, target: target(other), now: now, configuration: configuration)
        #expect(other.memberId == "m1")
        #expect(other.pendingLoss == .illegalGeneration)
        other.pendingLoss = nil
        other.recordLoss(.coordinatorUnavailable)
        #expect(other.pendingLoss == nil)
    }

    @Test func connectionFailuresMakeTheCoordinatorUnknownOnce() {
        let now = ContinuousClock.now
        var state = stableState(now: now)
        let sent = target(state)
        let failure = Result<HeartbeatResponse, KafkaGroupClientError>.failure(
            KafkaGroupClientError(.network, "k:9092 closed the connection", isRetriable: true))
        guard case .wakeRunLoop = state.applyHeartbeat(failure, target: sent, now: now, configuration: configuration) else {
            Issue.record("expected the coordinator to be dropped")
            return
        }
        #expect(state.coordinator == nil)
        // The coordinator found again is a new epoch; a late failure of the old one changes nothing.
        state.setCoordinator(coordinator, now: now)
        guard case .failed = state.applyHeartbeat(failure, target: sent, now: now, configuration: configuration) else {
            Issue.record("expected a plain failure")
            return
        }
        #expect(state.coordinator == coordinator)
        #expect(state.generationId == 5)
    }
}
