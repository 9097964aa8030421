import Dispatch
import KafkaProtocol
import Logging
import Synchronization

/// A member of a Kafka "classic" consumer-protocol group (FindCoordinator, JoinGroup,
/// SyncGroup, Heartbeat, LeaveGroup) with any protocol type, e.g. Connect's `connect`.
///
/// The member knows nothing about what the group coordinates: its
/// ``ClassicGroupMemberDelegate`` supplies the protocols and metadata, computes the
/// assignment when this member is the leader, and receives the result.
///
/// ```swift
/// let member = try ClassicGroupMember(configuration: .init(bootstrapServers: "k1:9092", groupId: "connect-cluster"), logger: logger)
/// try await member.run(delegate: coordinator)   // until leave() or cancellation
/// ```
///
/// ## Threading
/// - ``run(delegate:)`` drives the protocol in the calling task. Its blocking socket I/O runs
///   on the member's own serial dispatch queue, never on Swift's cooperative pool.
/// - Heartbeats run on a dedicated thread with their own connection to the coordinator,
///   from the JoinGroup response until the member leaves, so they continue while delegate
///   callbacks run or the cooperative pool is busy.
/// - ``requestRejoin(reason:)``, ``leave(reason:)`` and the accessors may be called from any
///   thread or task, also from inside delegate callbacks (except ``leave(reason:)``, which
///   waits for ``run(delegate:)`` to return and so must not be awaited inside a callback).
/// - See ``ClassicGroupMemberDelegate`` for the order of callbacks.
///
/// ## Errors
/// Retriable problems (coordinator moves, broker restarts, rebalances) are handled inside
/// ``run(delegate:)`` as Kafka's Java client does. It throws only
/// ``KafkaGroupClientError`` for fatal ones: an invalid session timeout, an inconsistent
/// protocol type, missing authorization, an unsupported broker, or no reachable broker
/// within ``Configuration/bootstrapTimeout`` when starting.
public final class ClassicGroupMember: Sendable {
    let core: GroupMemberCore
    private let ioQueue: DispatchQueue
    private let runInterrupt = IOInterrupt()
    private let channel = CoordinatorChannel()
    private let heartbeat = Mutex<HeartbeatThread?>(nil)

    /// - Throws: ``KafkaGroupClientError`` with code ``KafkaGroupClientError/Code/configuration``
    ///   for an invalid configuration (e.g. a malformed `bootstrap.servers`).
    public init(configuration: Configuration, logger: Logger) throws(KafkaGroupClientError) {
        let brokers = try configuration.validated()
        var logger = logger
        logger[metadataKey: KafkaGroupLoggingKeys.groupId] = "\(configuration.groupId)"
        core = GroupMemberCore(configuration: configuration, bootstrapBrokers: brokers, logger: logger)
        ioQueue = DispatchQueue(label: "swift-connect.kafka-group.\(configuration.groupId).io")
    }

    public var configuration: Configuration { core.configuration }

    /// The generation of the last completed join (JoinGroup + SyncGroup). It stays set while
    /// a new round runs and is cleared when the membership is lost or the member leaves.
    public var currentGeneration: GroupGeneration? { core.state.withLock { $0.completedGeneration } }

    /// The member id the coordinator gave this member; empty before the first JoinGroup
    /// response and after the coordinator forgot the member.
    public var memberId: String { core.state.withLock { $0.memberId } }

    /// Whether this member led the last completed join.
    public var isLeader: Bool { currentGeneration?.isLeader ?? false }

    /// The coordinator in use, if one is known.
    public var coordinator: KafkaBrokerAddress? { core.state.withLock { $0.coordinator } }

    /// Asks for a new JoinGroup round (with fresh ``ClassicGroupMemberDelegate/joinProtocols()``)
    /// as soon as the current one, if any, has finished. Requests made while a round is past
    /// its ``ClassicGroupMemberDelegate/joinProtocols()`` call cause one more round.
    public func requestRejoin(reason: String = "the owner requested a rejoin") {
        core.state.withLock { $0.requestRejoin(reason) }
        core.runLoopWake.notify()
    }

    /// Sends LeaveGroup (so the others rebalance at once instead of after the session
    /// timeout), stops heartbeats and waits until ``run(delegate:)`` has returned. Idempotent;
    /// a member that never ran just becomes unusable. An in-flight JoinGroup or SyncGroup is
    /// abandoned; a running delegate callback is awaited first.
    public func leave(reason: String? = nil) async {
        let running = core.state.withLock { state -> Bool in
            switch state.lifecycle {
            case .idle:
                state.lifecycle = .finished
                return false
            case .finished:
                return false
            case .running:
                state.leaveRequested = true
                if let reason { state.leaveReason = reason }
                return true
            }
        }
        guard running else { return }
        runInterrupt.interrupt()
        core.runLoopWake.notify()
        await waitUntilFinished()
    }

    /// Stops like a crashed process: heartbeats stop and connections close without LeaveGroup,
    /// so the coordinator removes the member only after the session timeout. Waits until
    /// ``run(delegate:)`` has returned.
    @_spi(Testing) public func simulateCrash() async {
        let running = core.state.withLock { state -> Bool in
            state.crashed = true
            if state.lifecycle == .idle { state.lifecycle = .finished }
            return state.lifecycle == .running
        }
        heartbeat.withLock { $0 }?.stop()
        guard running else { return }
        runInterrupt.interrupt()
        core.runLoopWake.notify()
        await waitUntilFinished()
    }

    /// Stops (or resumes) sending heartbeats while everything else keeps running, so the
    /// coordinator expires the member as it would a hung process.
    @_spi(Testing) public func setHeartbeatsPausedForTesting(_ paused: Bool) {
        core.state.withLock { $0.heartbeatsPaused = paused }
        heartbeat.withLock { $0 }?.poke()
    }

    /// Joins the group and stays a member until ``leave(reason:)`` is called or the task is
    /// cancelled (both send LeaveGroup before returning). Call it once per member.
    ///
    /// - Throws: ``KafkaGroupClientError`` for fatal errors (see the type's documentation);
    ///   errors thrown by the delegate are logged and the round is retried instead.
    public func run(delegate: some ClassicGroupMemberDelegate) async throws(KafkaGroupClientError) {
        let start = core.state.withLock { state -> Bool? in
            switch state.lifecycle {
            case .idle:
                state.lifecycle = .running
                return true
            case .finished: return false
            case .running: return nil
            }
        }
        guard let start else {
            throw KafkaGroupClientError(.configuration, "run(delegate:) is already running for this member")
        }
        guard start else { return }  // left (or crashed) before it ran

        let heartbeatThread = HeartbeatThread(core: core)
        heartbeat.withLock { $0 = heartbeatThread }
        if core.state.withLock({ $0.crashed }) { heartbeatThread.stop() }
        heartbeatThread.start()

        let failure = await withTaskCancellationHandler { () async -> KafkaGroupClientError? in
            do throws(KafkaGroupClientError) {
                try await runLoop(delegate: delegate, heartbeat: heartbeatThread)
                return nil
            } catch {
                return error
            }
        } onCancel: {
            runInterrupt.interrupt()
            core.runLoopWake.notify()
        }

        heartbeatThread.stop()
        await heartbeatThread.waitUntilExited()
        await sendLeaveGroupIfMember()
        _ = await ioResult { [channel] () throws(KafkaGroupClientError) in channel.close() }

        let waiters = core.state.withLock { state in
            state.lifecycle = .finished
            state.phase = .unjoined
            state.generationId = -1
            state.memberId = ""
            state.completedGeneration = nil
            state.holdsAssignment = false
            defer { state.finishWaiters = [] }
            return state.finishWaiters
        }
        for waiter in waiters { waiter.resume() }
        if let failure {
            core.logger.error("Group member stopped: \(failure)")
            throw failure
        }
    }

    // MARK: - Run loop

    private enum Step {
        case stop
        case reportLoss(GroupMembershipLossReason)
        case discover([KafkaBrokerAddress], everFound: Bool)
        case join
        case wait(Duration?)
    }

    private func runLoop(delegate: some ClassicGroupMemberDelegate, heartbeat: HeartbeatThread) async throws(KafkaGroupClientError) {
        let configuration = core.configuration
        let logger = core.logger
        let started = ContinuousClock.now
        var backoff = ExponentialBackoff(base: configuration.retryBackoff, max: configuration.retryBackoffMax)
        var discoveryAttempts = 0

        while !Task.isCancelled {
            let now = ContinuousClock.now
            let step = core.state.withLock { state -> Step in
                if state.shouldStop { return .stop }
                if let loss = state.pendingLoss {
                    state.pendingLoss = nil
                    return .reportLoss(loss)
                }
                var lossDeadline: Duration?
                if state.holdsAssignment, let since = state.coordinatorUnreachableSince {
                    let remaining = configuration.effectiveCoordinatorDiscoveryTimeout - (now - since)
                    if remaining <= .zero {
                        state.recordLoss(.coordinatorUnavailable)
                        state.requestRejoin("the coordinator was unavailable")
                        state.pendingLoss = nil
                        return .reportLoss(.coordinatorUnavailable)
                    }
                    lossDeadline = remaining
                }
                if state.coordinator == nil {
                    return .discover(state.discoveryCandidates(bootstrap: core.bootstrapBrokers), everFound: state.everFoundCoordinator)
                }
                if state.needsJoin {
                    if let pause = state.rejoinPause(now: now, minimumGenerationTime: configuration.minimumGenerationTime) {
                        return .wait(lossDeadline.map { min($0, pause) } ?? pause)
                    }
                    return .join
                }
                return .wait(lossDeadline)
            }

            switch step {
            case .stop:
                return
            case .reportLoss(let reason):
                logger.warning("Lost group membership: \(reason); rejoining")
                await delegate.onMembershipLost(reason: reason)
            case .wait(let timeout):
                await core.runLoopWake.wait(timeout: timeout)
            case .join:
                try await joinRound(delegate: delegate, heartbeat: heartbeat, backoff: &backoff)
            case .discover(let candidates, let everFound):
                discoveryAttempts += 1
                do throws(KafkaGroupClientError) {
                    let index = discoveryAttempts
                    let address = try await onIOQueue { [runInterrupt] () throws(KafkaGroupClientError) in
                        try GroupCoordinatorLookup.find(
                            groupId: configuration.groupId, candidates: candidates, startIndex: index,
                            identity: configuration.identity, connectTimeout: configuration.connectionSetupTimeout,
                            requestTimeout: configuration.requestTimeout, interrupt: runInterrupt)
                    }
                    core.state.withLock { $0.setCoordinator(address, now: .now) }
                    heartbeat.poke()
                    backoff.reset()
                    discoveryAttempts = 0
                    logger.info("Discovered group coordinator \(address)", metadata: [KafkaGroupLoggingKeys.coordinator: "\(address)"])
                } catch {
                    if error.code == .cancelled { continue }
                    if !error.isRetriable {
                        throw KafkaGroupClientError(
                            error.code, "finding the coordinator of group '\(configuration.groupId)' failed: \(error.message)",
                            brokerErrorCode: error.brokerErrorCode, broker: error.broker)
                    }
                    if !everFound, let limit = configuration.bootstrapTimeout, ContinuousClock.now - started >= limit {
                        throw KafkaGroupClientError(
                            error.code,
                            "could not find the coordinator of group '\(configuration.groupId)' within \(limit): \(error.message)",
                            brokerErrorCode: error.brokerErrorCode, broker: error.broker, isRetriable: true)
                    }
                    if discoveryAttempts == 1 || discoveryAttempts % 10 == 0 {
                        logger.warning("Finding the group coordinator failed (attempt \(discoveryAttempts)): \(error.message)")
                    } else {
                        logger.debug("Finding the group coordinator failed (attempt \(discoveryAttempts)): \(error.message)")
                    }
                    await core.runLoopWake.wait(timeout: backoff.next())
                }
            }
        }
    }

    /// One JoinGroup (+ assignment) + SyncGroup round. Returns after success or a retriable
    /// failure (the state says what to do next); throws only fatal errors.
    private func joinRound(
        delegate: some ClassicGroupMemberDelegate, heartbeat: HeartbeatThread, backoff: inout ExponentialBackoff
    ) async throws(KafkaGroupClientError) {
        let configuration = core.configuration
        let logger = core.logger
        let reason = core.state.withLock { state in
            defer {
                state.rejoinReason = nil
                state.joinPending = true
            }
            return state.rejoinReason ?? "rejoining"
        }
        defer { core.state.withLock { $0.joinPending = false } }

        // A new rejoin (not a retry of one): let the delegate prepare, e.g. revoke its work.
        let prepare = core.state.withLock { state -> (generation: Int32, memberId: String)? in
            guard state.needsJoinPrepare else { return nil }
            state.needsJoinPrepare = false
            return (state.completedGeneration?.generationId ?? state.generationId, state.memberId)
        }
        if let prepare {
            await delegate.onJoinPrepare(generation: prepare.generation, memberId: prepare.memberId)
            if Task.isCancelled || core.state.withLock({ $0.shouldStop }) { return }
        }

        let protocols: [GroupProtocol]
        do {
            protocols = try await delegate.joinProtocols()
        } catch {
            if Task.isCancelled { return }
            logger.error("joinProtocols() failed, retrying: \(error)")
            core.state.withLock { $0.requestRejoin(reason) }
            await core.runLoopWake.wait(timeout: backoff.next())
            return
        }
        guard !protocols.isEmpty else {
            throw KafkaGroupClientError(.configuration, "joinProtocols() returned no protocol")
        }

        // JoinGroup. Heartbeats pause until its response (the coordinator keeps members
        // with a pending JoinGroup alive).
        let memberId = core.state.withLock { state -> String? in
            guard !state.shouldStop, state.coordinator != nil else { return nil }
            state.phase = .preparingRebalance
            state.joinPending = false
            return state.memberId
        }
        guard let memberId else {
            core.state.withLock { $0.requestRejoin(reason) }
            return
        }
        logger.info("(Re-)joining group: \(reason)", metadata: [KafkaGroupLoggingKeys.memberId: "\(memberId)"])
        let request = JoinGroupRequest(
            groupId: configuration.groupId, sessionTimeoutMs: Int32(configuration.sessionTimeout.milliseconds),
            rebalanceTimeoutMs: Int32(configuration.rebalanceTimeout.milliseconds), memberId: memberId,
            groupInstanceId: nil, protocolType: configuration.protocolType, protocols: protocols, reason: reason)
        let join: JoinGroupResponse
        let joinSent = ContinuousClock.now
        logger.debug("Sending JoinGroup", metadata: [KafkaGroupLoggingKeys.memberId: "\(memberId)"])
        do {
            join = try await coordinatorRequest(request, timeout: configuration.joinRequestTimeout, heartbeat: heartbeat)
            logger.debug(
                "JoinGroup answered \(join.errorCode.nameAndCode) after \(ContinuousClock.now - joinSent)",
                metadata: [
                    KafkaGroupLoggingKeys.generation: "\(join.generationId)", KafkaGroupLoggingKeys.leader: "\(join.leader)",
                    KafkaGroupLoggingKeys.members: "\(join.members.map(\.memberId).sorted())",
                ])
        } catch {
            try retryAfterRequestFailure(error, request: "JoinGroup", reason: reason)
            await core.runLoopWake.wait(timeout: backoff.next())
            return
        }

        switch join.errorCode {
        case .none:
            break
        case .memberIdRequired:
            // KIP-394 (v4+): the coordinator hands out the member id first; join again with it.
            logger.debug("JoinGroup asks for a member id; rejoining as \(join.memberId)")
            core.state.withLock { state in
                state.memberId = join.memberId
                state.requestRejoin("need to re-join with the given member id \(join.memberId)")
            }
            return
        case .unknownMemberId:
            logger.info("JoinGroup answered UNKNOWN_MEMBER_ID for \(memberId); rejoining with a new member id")
            core.state.withLock { state in
                if state.memberId == memberId {
                    state.resetGeneration(resetMemberId: true, loss: .unknownMemberId, reason: "JoinGroup answered UNKNOWN_MEMBER_ID")
                } else {
                    state.requestRejoin(reason)
                }
            }
            return
        case .coordinatorNotAvailable, .notCoordinator:
            logger.info("JoinGroup answered \(join.errorCode.nameAndCode); looking for the coordinator again")
            core.state.withLock { state in
                state.markCoordinatorUnknown(epoch: nil, now: .now)
                state.requestRejoin(reason)
            }
            await core.runLoopWake.wait(timeout: backoff.next())
            return
        case .invalidSessionTimeout, .inconsistentGroupProtocol, .invalidGroupId, .groupAuthorizationFailed,
            .groupMaxSizeReached, .fencedInstanceId, .unsupportedVersion:
            throw .broker(join.errorCode, "JoinGroup for group '\(configuration.groupId)'")
        default:
            // REBALANCE_IN_PROGRESS, COORDINATOR_LOAD_IN_PROGRESS and anything unexpected: retry.
            let level: Logger.Level = join.errorCode.isRetriable || join.errorCode == .rebalanceInProgress ? .info : .error
            logger.log(level: level, "JoinGroup answered \(join.errorCode.nameAndCode); retrying")
            core.state.withLock { $0.requestRejoin(reason) }
            await core.runLoopWake.wait(timeout: backoff.next())
            return
        }

        if let type = join.protocolType, type != configuration.protocolType {
            throw KafkaGroupClientError(
                .broker, "JoinGroup answered protocol type '\(type)', expected '\(configuration.protocolType)'",
                brokerErrorCode: .inconsistentGroupProtocol)
        }
        guard let protocolName = join.protocolName, protocols.contains(where: { $0.name == protocolName }) else {
            logger.error("JoinGroup chose protocol \(join.protocolName ?? "null"), which this member did not offer; retrying")
            core.state.withLock { $0.requestRejoin(reason) }
            await core.runLoopWake.wait(timeout: backoff.next())
            return
        }
        let generation = GroupGeneration(
            generationId: join.generationId, memberId: join.memberId, protocolName: protocolName, leaderId: join.leader)
        let accepted = core.state.withLock { state -> Bool in
            guard !state.shouldStop, state.phase == .preparingRebalance else { return false }
            state.generationId = generation.generationId
            state.memberId = generation.memberId
            state.protocolName = protocolName
            state.leaderId = generation.leaderId
            state.phase = .completingRebalance
            state.enableHeartbeats(now: .now, interval: configuration.heartbeatInterval)
            return true
        }
        guard accepted else { return }
        heartbeat.poke()
        backoff.reset()
        logger.info(
            "Joined group generation \(generation.generationId) as \(generation.isLeader ? "leader" : "follower") with protocol \(protocolName)",
            metadata: [
                KafkaGroupLoggingKeys.memberId: "\(generation.memberId)",
                KafkaGroupLoggingKeys.generation: "\(generation.generationId)",
            ])

        // Leader: compute the assignment (heartbeats keep the session alive meanwhile).
        var assignments: [SyncGroupRequest.Assignment] = []
        if generation.isLeader, !join.skipAssignment {
            switch await performAssignment(delegate: delegate, generation: generation, members: join.members) {
            case .success(let assignment):
                let known = Set(join.members.map(\.memberId))
                let unknown = assignment.keys.filter { !known.contains($0) }
                if !unknown.isEmpty {
                    logger.warning("The assignment names member ids that are not in the group: \(unknown.sorted())")
                }
                assignments = assignment.keys.sorted().map { SyncGroupRequest.Assignment(memberId: $0, assignment: assignment[$0] ?? []) }
            case .failure(let error):
                if Task.isCancelled { return }
                logger.error("performAssignment failed, rejoining: \(error)")
                abandonRound(generation, reason: "the assignment failed")
                await core.runLoopWake.wait(timeout: backoff.next())
                return
            }
        }
        guard isCurrent(generation) else { return }

        let syncRequest = SyncGroupRequest(
            groupId: configuration.groupId, generationId: generation.generationId, memberId: generation.memberId,
            groupInstanceId: nil, protocolType: configuration.protocolType, protocolName: protocolName,
            assignments: assignments)
        let sync: SyncGroupResponse
        let syncSent = ContinuousClock.now
        do {
            sync = try await coordinatorRequest(syncRequest, timeout: configuration.joinRequestTimeout, heartbeat: heartbeat)
            logger.debug(
                "SyncGroup answered \(sync.errorCode.nameAndCode) after \(ContinuousClock.now - syncSent)",
                metadata: [KafkaGroupLoggingKeys.generation: "\(generation.generationId)"])
        } catch {
            try retryAfterRequestFailure(error, request: "SyncGroup", reason: reason)
            abandonRound(generation, reason: "SyncGroup failed")
            await core.runLoopWake.wait(timeout: backoff.next())
            return
        }

        switch sync.errorCode {
        case .none:
            if let type = sync.protocolType, type != configuration.protocolType {
                throw KafkaGroupClientError(
                    .broker, "SyncGroup answered protocol type '\(type)', expected '\(configuration.protocolType)'",
                    brokerErrorCode: .inconsistentGroupProtocol)
            }
            if let name = sync.protocolName, name != protocolName {
                throw KafkaGroupClientError(
                    .broker, "SyncGroup answered protocol '\(name)', JoinGroup chose '\(protocolName)'",
                    brokerErrorCode: .inconsistentGroupProtocol)
            }
            let completed = core.state.withLock { state -> Bool in
                guard !state.shouldStop, state.phase == .completingRebalance, state.generationId == generation.generationId,
                    state.memberId == generation.memberId
                else { return false }
                state.phase = .stable
                state.stableSince = .now
                state.holdsAssignment = true
                state.completedGeneration = generation
                state.pendingLoss = nil
                state.needsJoinPrepare = true
                return true
            }
            guard completed else { return }
            logger.info(
                "Received assignment for generation \(generation.generationId) (\(sync.assignment.count) bytes)",
                metadata: [KafkaGroupLoggingKeys.generation: "\(generation.generationId)"])
            await delegate.onJoinComplete(
                generation: generation.generationId, memberId: generation.memberId, protocol: protocolName,
                assignment: sync.assignment)
        case .unknownMemberId, .illegalGeneration:
            logger.info("SyncGroup answered \(sync.errorCode.nameAndCode); rejoining")
            core.state.withLock { state in
                guard state.generationId == generation.generationId, state.memberId == generation.memberId else { return }
                state.resetGeneration(
                    resetMemberId: sync.errorCode == .unknownMemberId,
                    loss: sync.errorCode == .unknownMemberId ? .unknownMemberId : .illegalGeneration,
                    reason: "SyncGroup answered \(sync.errorCode.name)")
            }
        case .rebalanceInProgress:
            logger.info("SyncGroup answered REBALANCE_IN_PROGRESS; rejoining")
            abandonRound(generation, reason: "the group started another rebalance")
        case .coordinatorNotAvailable, .notCoordinator:
            logger.info("SyncGroup answered \(sync.errorCode.nameAndCode); looking for the coordinator again")
            core.state.withLock { _ = $0.markCoordinatorUnknown(epoch: nil, now: .now) }
            abandonRound(generation, reason: "the coordinator moved")
            await core.runLoopWake.wait(timeout: backoff.next())
        case .fencedInstanceId, .groupAuthorizationFailed, .inconsistentGroupProtocol, .unsupportedVersion:
            throw .broker(sync.errorCode, "SyncGroup for group '\(configuration.groupId)'")
        default:
            logger.error("SyncGroup answered \(sync.errorCode.nameAndCode); rejoining")
            abandonRound(generation, reason: "SyncGroup answered \(sync.errorCode.name)")
            await core.runLoopWake.wait(timeout: backoff.next())
        }
    }

    /// Whether `generation` is still the one being completed.
    private func isCurrent(_ generation: GroupGeneration) -> Bool {
        core.state.withLock { state in
            !state.shouldStop && state.phase == .completingRebalance && state.generationId == generation.generationId
                && state.memberId == generation.memberId
        }
    }

    /// Gives up a round after JoinGroup succeeded: heartbeats stop, a new round follows.
    private func abandonRound(_ generation: GroupGeneration, reason: String) {
        core.state.withLock { state in
            if state.phase == .completingRebalance, state.generationId == generation.generationId {
                state.phase = .unjoined
            }
            state.requestRejoin(reason)
        }
    }

    /// Rethrows fatal request errors; for retriable ones asks for another round.
    private func retryAfterRequestFailure(_ error: KafkaGroupClientError, request: String, reason: String) throws(KafkaGroupClientError) {
        if error.code == .unsupportedVersion || error.code == .configuration { throw error }
        core.state.withLock { $0.requestRejoin(reason) }
        if error.code != .cancelled {
            core.logger.warning("\(request) failed: \(error.message)")
        }
    }

    /// Runs the delegate's assignment; cancels it after the rebalance timeout.
    private func performAssignment(
        delegate: some ClassicGroupMemberDelegate, generation: GroupGeneration, members: [GroupMemberMetadata]
    ) async -> Result<[String: [UInt8]], any Error> {
        let timeout = core.configuration.rebalanceTimeout
        return await withTaskGroup(of: Result<[String: [UInt8]], any Error>?.self) { group in
            group.addTask {
                do {
                    return .success(
                        try await delegate.performAssignment(
                            leaderId: generation.leaderId, generationId: generation.generationId,
                            protocol: generation.protocolName, members: members))
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
                ?? .failure(
                    KafkaGroupClientError(.timedOut, "performAssignment did not finish within the rebalance timeout (\(timeout))"))
        }
    }

    // MARK: - I/O

    /// Sends a request to the coordinator on the I/O queue. A failed connection makes the
    /// coordinator unknown (it is looked up again), as in Kafka's clients.
    private func coordinatorRequest<Request: KafkaRequestMessage>(
        _ request: Request, timeout: Duration, heartbeat: HeartbeatThread
    ) async throws(KafkaGroupClientError) -> Request.Response {
        guard let (address, epoch) = core.state.withLock({ state in state.coordinator.map { ($0, state.coordinatorEpoch) } }) else {
            throw KafkaGroupClientError(.network, "the group coordinator is unknown", isRetriable: true)
        }
        do {
            let response = try await onIOQueue { [channel, core, runInterrupt] () throws(KafkaGroupClientError) in
                let connection = try channel.connection(
                    to: address, epoch: epoch, configuration: core.configuration, interrupt: runInterrupt)
                return try connection.send(request, timeout: timeout, interrupt: runInterrupt).response
            }
            core.state.withLock { state in
                if state.coordinatorEpoch == epoch { state.coordinatorAnswered() }
            }
            return response
        } catch {
            if error.code != .cancelled, error.code != .unsupportedVersion, error.code != .configuration {
                if core.state.withLock({ $0.markCoordinatorUnknown(epoch: epoch, now: .now) }) { heartbeat.poke() }
            }
            throw error
        }
    }

    /// The longest LeaveGroup may take (connect + request) when the member stops.
    static let leaveGroupTimeout: Duration = .seconds(5)

    private func sendLeaveGroupIfMember() async {
        let configuration = core.configuration
        let target = core.state.withLock { state -> (KafkaBrokerAddress, String, String)? in
            guard !state.crashed, !state.memberId.isEmpty, let coordinator = state.coordinator else { return nil }
            return (coordinator, state.memberId, state.leaveReason ?? "the member is shutting down")
        }
        guard let (coordinator, memberId, reason) = target else { return }
        // Bounded, so shutdown never hangs on an unresponsive broker.
        let timeout = min(configuration.requestTimeout, Self.leaveGroupTimeout)
        let result = await ioResult { () throws(KafkaGroupClientError) -> LeaveGroupResponse in
            let connection = try KafkaBrokerConnection.open(
                to: coordinator, identity: configuration.identity,
                connectTimeout: min(configuration.connectionSetupTimeout, timeout), requestTimeout: timeout, interrupt: nil)
            defer { connection.close() }
            let request = LeaveGroupRequest(groupId: configuration.groupId, memberId: memberId, reason: reason)
            return try connection.send(request, timeout: timeout, interrupt: nil).response
        }
        switch result {
        case .success(let response) where response.firstError == .none:
            core.logger.info("Left the group: \(reason)", metadata: [KafkaGroupLoggingKeys.memberId: "\(memberId)"])
        case .success(let response):
            core.logger.info("LeaveGroup answered \(response.firstError.nameAndCode)")
        case .failure(let error):
            core.logger.warning("LeaveGroup failed: \(error.message)")
        }
        core.state.withLock { state in
            state.memberId = ""
        }
    }

    private func ioResult<T: Sendable>(
        _ work: @escaping @Sendable () throws(KafkaGroupClientError) -> T
    ) async -> Result<T, KafkaGroupClientError> {
        await withCheckedContinuation { continuation in
            ioQueue.async {
                continuation.resume(returning: Result { () throws(KafkaGroupClientError) -> T in try work() })
            }
        }
    }

    private func onIOQueue<T: Sendable>(
        _ work: @escaping @Sendable () throws(KafkaGroupClientError) -> T
    ) async throws(KafkaGroupClientError) -> T {
        try await ioResult(work).get()
    }

    private func waitUntilFinished() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let finished = core.state.withLock { state in
                if state.lifecycle != .finished { state.finishWaiters.append(continuation) }
                return state.lifecycle == .finished
            }
            if finished { continuation.resume() }
        }
    }
}

/// State and settings shared by a member's run loop and its heartbeat thread.
final class GroupMemberCore: Sendable {
    let configuration: ClassicGroupMember.Configuration
    let bootstrapBrokers: [KafkaBrokerAddress]
    let logger: Logger
    let state = Mutex(MemberState())
    /// Wakes the run loop when the heartbeat thread, requestRejoin or leave changed the state.
    let runLoopWake = AsyncWakeUp()

    init(configuration: ClassicGroupMember.Configuration, bootstrapBrokers: [KafkaBrokerAddress], logger: Logger) {
        self.configuration = configuration
        self.bootstrapBrokers = bootstrapBrokers
        self.logger = logger
    }
}

/// The run loop's connection to the coordinator. Only used on the member's serial I/O
/// queue, which is what makes the unchecked `Sendable` safe.
final class CoordinatorChannel: @unchecked Sendable {
    private var connection: KafkaBrokerConnection?
    private var epoch: UInt64 = 0

    func connection(
        to address: KafkaBrokerAddress, epoch: UInt64, configuration: ClassicGroupMember.Configuration, interrupt: IOInterrupt
    ) throws(KafkaGroupClientError) -> KafkaBrokerConnection {
        if let connection, self.epoch == epoch, connection.isUsable, connection.address == address { return connection }
        close()
        let opened = try KafkaBrokerConnection.open(
            to: address, identity: configuration.identity, connectTimeout: configuration.connectionSetupTimeout,
            requestTimeout: configuration.requestTimeout, interrupt: interrupt)
        connection = opened
        self.epoch = epoch
        return opened
    }

    func close() {
        connection?.close()
        connection = nil
    }
}
