import KafkaProtocol

/// Everything the run loop and the heartbeat thread share, kept behind one `Mutex` in
/// ``ClassicGroupMember``. Mirrors Kafka's AbstractCoordinator: member state, generation,
/// coordinator and heartbeat timers.
struct MemberState {
    enum Phase: Sendable {
        /// Not in the group (no generation), or between rounds after a failure.
        case unjoined
        /// JoinGroup sent, waiting for the response; no heartbeats.
        case preparingRebalance
        /// JoinGroup answered, SyncGroup pending (leader: assignment running); heartbeats on.
        case completingRebalance
        /// Assignment received; heartbeats on.
        case stable
    }

    enum Lifecycle: Sendable { case idle, running, finished }

    // Lifecycle of run().
    var lifecycle = Lifecycle.idle
    var leaveRequested = false
    var leaveReason: String?
    var crashed = false
    var finishWaiters: [CheckedContinuation<Void, Never>] = []

    // Membership.
    var phase = Phase.unjoined
    var generationId: Int32 = -1
    var memberId = ""
    var protocolName: String?
    var leaderId: String?
    /// The last completed join; kept during later rounds, cleared when the membership is lost.
    var completedGeneration: GroupGeneration?
    /// When the member last completed a generation (SyncGroup succeeded).
    var stableSince: ContinuousClock.Instant?
    /// Non-nil when a new round is wanted (and why).
    var rejoinReason: String? = "initial join"
    /// Whether onJoinComplete delivered an assignment that was not lost since.
    var holdsAssignment = false
    /// A round started (joinProtocols running) but its JoinGroup is not sent yet.
    var joinPending = false
    /// The next round starts a new rejoin: the delegate's `onJoinPrepare` runs first (set
    /// initially, after each completed join and when the generation is reset, like Kafka's
    /// AbstractCoordinator; retries of one rejoin do not prepare again).
    var needsJoinPrepare = true
    var pendingLoss: GroupMembershipLossReason?

    // Coordinator.
    var coordinator: KafkaBrokerAddress?
    /// Changes whenever the coordinator is set or dropped, so stale results are recognized.
    var coordinatorEpoch: UInt64 = 0
    /// Since when no request to a coordinator succeeded (nil: the last one did).
    var coordinatorUnreachableSince: ContinuousClock.Instant?
    var everFoundCoordinator = false
    /// Brokers learned as coordinators, tried after the bootstrap list.
    var discoveredBrokers: [KafkaBrokerAddress] = []

    // Heartbeats.
    var heartbeatStopped = false
    /// Test hook: no heartbeats and no session checks while set.
    var heartbeatsPaused = false
    var lastHeartbeatResponse = ContinuousClock.now
    var nextHeartbeat = ContinuousClock.now
    var nextHeartbeatDiscovery = ContinuousClock.now

    var heartbeatEnabled: Bool { phase == .completingRebalance || phase == .stable }
    var needsJoin: Bool { phase == .unjoined || phase == .preparingRebalance || rejoinReason != nil }
    var shouldStop: Bool { leaveRequested || crashed }

    /// How long a member that wants to leave its stable generation still waits
    /// (``ClassicGroupMember/Configuration/minimumGenerationTime``); nil: join now.
    func rejoinPause(now: ContinuousClock.Instant, minimumGenerationTime: Duration) -> Duration? {
        guard phase == .stable, let stableSince else { return nil }
        let remaining = minimumGenerationTime - (now - stableSince)
        return remaining > .zero ? remaining : nil
    }

    mutating func requestRejoin(_ reason: String) {
        if rejoinReason == nil { rejoinReason = reason }
    }

    /// Records a coordinator; a different address starts a new epoch (connections reopen).
    mutating func setCoordinator(_ address: KafkaBrokerAddress, now: ContinuousClock.Instant) {
        everFoundCoordinator = true
        if !discoveredBrokers.contains(address) { discoveredBrokers.append(address) }
        guard coordinator != address else { return }
        coordinator = address
        coordinatorEpoch &+= 1
        // Kafka restarts the session timer when it finds a coordinator.
        lastHeartbeatResponse = now
        nextHeartbeat = now
    }

    /// Forgets the coordinator if it is still the one of `epoch` (nil: whichever it is).
    @discardableResult
    mutating func markCoordinatorUnknown(epoch: UInt64?, now: ContinuousClock.Instant) -> Bool {
        guard coordinator != nil, epoch == nil || epoch == coordinatorEpoch else { return false }
        coordinator = nil
        coordinatorEpoch &+= 1
        if coordinatorUnreachableSince == nil { coordinatorUnreachableSince = now }
        return true
    }

    mutating func coordinatorAnswered() { coordinatorUnreachableSince = nil }

    /// Drops the generation after the coordinator rejected it; `loss` is reported to the
    /// delegate if the member held an assignment.
    mutating func resetGeneration(resetMemberId: Bool, loss: GroupMembershipLossReason, reason: String) {
        generationId = -1
        protocolName = nil
        leaderId = nil
        completedGeneration = nil
        if resetMemberId { memberId = "" }
        phase = .unjoined
        needsJoinPrepare = true
        recordLoss(loss)
        requestRejoin(reason)
    }

    mutating func recordLoss(_ loss: GroupMembershipLossReason) {
        guard holdsAssignment else { return }
        holdsAssignment = false
        completedGeneration = nil
        pendingLoss = loss
    }

    mutating func enableHeartbeats(now: ContinuousClock.Instant, interval: Duration) {
        lastHeartbeatResponse = now
        nextHeartbeat = now + interval
    }

    /// The bootstrap brokers followed by coordinators seen so far.
    func discoveryCandidates(bootstrap: [KafkaBrokerAddress]) -> [KafkaBrokerAddress] {
        bootstrap + discoveredBrokers.filter { !bootstrap.contains($0) }
    }

    // MARK: Heartbeat thread

    struct HeartbeatTarget: Sendable {
        var coordinator: KafkaBrokerAddress
        var epoch: UInt64
        var generationId: Int32
        var memberId: String
    }

    enum HeartbeatAction: Sendable {
        case exit
        /// Sleep until woken, or at most this long.
        case wait(Duration?)
        case discoverCoordinator([KafkaBrokerAddress])
        case send(HeartbeatTarget)
        /// The session timer ran out: the coordinator was dropped; tell the run loop.
        case sessionExpired
    }

    mutating func nextHeartbeatAction(
        now: ContinuousClock.Instant, configuration: ClassicGroupMember.Configuration, bootstrap: [KafkaBrokerAddress]
    ) -> HeartbeatAction {
        if heartbeatStopped || crashed { return .exit }
        guard heartbeatEnabled, !heartbeatsPaused else { return .wait(nil) }
        guard let coordinator else {
            guard now >= nextHeartbeatDiscovery else { return .wait(nextHeartbeatDiscovery - now) }
            nextHeartbeatDiscovery = now + configuration.retryBackoffMax
            return .discoverCoordinator(discoveryCandidates(bootstrap: bootstrap))
        }
        if now - lastHeartbeatResponse > configuration.sessionTimeout {
            markCoordinatorUnknown(epoch: nil, now: now)
            return .sessionExpired
        }
        guard now >= nextHeartbeat else { return .wait(nextHeartbeat - now) }
        nextHeartbeat = now + configuration.heartbeatInterval
        return .send(HeartbeatTarget(coordinator: coordinator, epoch: coordinatorEpoch, generationId: generationId, memberId: memberId))
    }

    enum HeartbeatOutcome: Sendable {
        case ok
        case ignored(String)
        /// Something the run loop must act on (rejoin, rediscover, report a loss).
        case wakeRunLoop(String)
        case failed(String)
    }

    /// Applies a heartbeat result, unless the generation or coordinator changed since it was sent.
    mutating func applyHeartbeat(
        _ result: Result<HeartbeatResponse, KafkaGroupClientError>, target: HeartbeatTarget, now: ContinuousClock.Instant,
        configuration: ClassicGroupMember.Configuration
    ) -> HeartbeatOutcome {
        let sameGeneration = heartbeatEnabled && generationId == target.generationId && memberId == target.memberId
        switch result {
        case .failure(let error):
            if error.code == .cancelled { return .ignored("interrupted") }
            nextHeartbeat = now + configuration.retryBackoff
            // As in Kafka, a broken coordinator connection means rediscovering the coordinator.
            if markCoordinatorUnknown(epoch: target.epoch, now: now) {
                return .wakeRunLoop("heartbeat failed, coordinator marked unknown: \(error.message)")
            }
            return .failed(error.message)
        case .success(let response):
            if target.epoch == coordinatorEpoch { coordinatorAnswered() }
            let code = response.errorCode
            switch code {
            case .none:
                lastHeartbeatResponse = now
                return .ok
            case .rebalanceInProgress:
                // Keeps the session alive; only a stable member needs to rejoin.
                lastHeartbeatResponse = now
                guard sameGeneration, phase == .stable, !joinPending else {
                    return .ignored("REBALANCE_IN_PROGRESS while not stable or already rejoining")
                }
                requestRejoin("group is rebalancing (heartbeat answered REBALANCE_IN_PROGRESS)")
                return .wakeRunLoop("group is rebalancing")
            case .illegalGeneration, .unknownMemberId, .fencedInstanceId:
                guard sameGeneration else { return .ignored("\(code.name) for a past generation") }
                let loss: GroupMembershipLossReason =
                    code == .illegalGeneration ? .illegalGeneration : code == .unknownMemberId ? .unknownMemberId : .fencedInstanceId
                // ILLEGAL_GENERATION keeps the member id, which is still valid.
                resetGeneration(
                    resetMemberId: code != .illegalGeneration, loss: loss, reason: "heartbeat answered \(code.name)")
                return .wakeRunLoop("heartbeat answered \(code.nameAndCode)")
            case .notCoordinator, .coordinatorNotAvailable:
                nextHeartbeat = now + configuration.retryBackoff
                if markCoordinatorUnknown(epoch: target.epoch, now: now) {
                    return .wakeRunLoop("heartbeat answered \(code.nameAndCode), coordinator marked unknown")
                }
                return .ignored(code.name)
            default:
                nextHeartbeat = now + configuration.retryBackoff
                return .failed("heartbeat answered \(code.nameAndCode)")
            }
        }
    }
}
