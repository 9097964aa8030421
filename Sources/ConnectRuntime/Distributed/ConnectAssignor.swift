import Logging

/// The leader-side assignment entry point of the Connect worker group, as Apache's
/// `WorkerCoordinator.onLeaderElected`: picks the assignor for the sub-protocol the group
/// coordinator chose — ``EagerAssignor`` for `default`, ``IncrementalCooperativeAssignor``
/// for `compatible` and `sessioned`.
///
/// The coordinator keeps one value for the worker's whole life (the incremental assignor's
/// state must survive between rounds) and calls ``performAssignment(leaderId:protocolName:members:configSnapshot:generationId:lastCompletedGenerationId:refreshSnapshot:)``
/// whenever JoinGroup makes this worker the leader.
public struct ConnectAssignor: Sendable {
    public let eager: EagerAssignor
    public private(set) var incremental: IncrementalCooperativeAssignor

    /// - Parameters:
    ///   - maxDelayMs: `scheduled.rebalance.max.delay.ms`.
    ///   - logger: passed to both assignors.
    ///   - clock: monotonic milliseconds for the incremental assignor's delays.
    public init(
        maxDelayMs: Int32,
        logger: Logger,
        clock: @escaping IncrementalCooperativeAssignor.Clock = IncrementalCooperativeAssignor.monotonicClock
    ) {
        self.eager = EagerAssignor(logger: logger)
        self.incremental = IncrementalCooperativeAssignor(maxDelayMs: maxDelayMs, logger: logger, clock: clock)
    }

    /// Assigns with the assignor for `protocolName`, the sub-protocol name from JoinGroup.
    /// - Throws: ``ConnectRuntimeError`` (`invalidArgument`) for an unknown protocol name, or
    ///   what the chosen assignor throws.
    public mutating func performAssignment(
        leaderId: String,
        protocolName: String,
        members: [ConnectGroupMember],
        configSnapshot: ConnectClusterSnapshot,
        generationId: Int32,
        lastCompletedGenerationId: Int32,
        refreshSnapshot: (() -> ConnectClusterSnapshot)? = nil
    ) throws(ConnectRuntimeError) -> ConnectAssignmentResult {
        guard let compatibility = ConnectProtocolCompatibility(protocolName: protocolName) else {
            throw ConnectRuntimeError(.invalidArgument, "unknown Connect sub-protocol '\(protocolName)'")
        }
        return try performAssignment(
            leaderId: leaderId, protocol: compatibility, members: members, configSnapshot: configSnapshot,
            generationId: generationId, lastCompletedGenerationId: lastCompletedGenerationId, refreshSnapshot: refreshSnapshot
        )
    }

    /// Assigns with the assignor for `protocol`.
    /// - Throws: what the chosen assignor throws.
    public mutating func performAssignment(
        leaderId: String,
        protocol compatibility: ConnectProtocolCompatibility,
        members: [ConnectGroupMember],
        configSnapshot: ConnectClusterSnapshot,
        generationId: Int32,
        lastCompletedGenerationId: Int32,
        refreshSnapshot: (() -> ConnectClusterSnapshot)? = nil
    ) throws(ConnectRuntimeError) -> ConnectAssignmentResult {
        if compatibility.isIncremental {
            return try incremental.performAssignment(
                leaderId: leaderId, protocol: compatibility, members: members, configSnapshot: configSnapshot,
                generationId: generationId, lastCompletedGenerationId: lastCompletedGenerationId, refreshSnapshot: refreshSnapshot
            )
        }
        return try eager.performAssignment(
            leaderId: leaderId, members: members, configSnapshot: configSnapshot, refreshSnapshot: refreshSnapshot
        )
    }
}
