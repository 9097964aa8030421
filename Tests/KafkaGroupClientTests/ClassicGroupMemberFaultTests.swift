@_spi(Testing) import Kafka
import KafkaProtocol
import Testing

@_spi(Testing) @testable import KafkaGroupClient

/// Fault injection and session expiry against librdkafka's embedded mock cluster.
///
/// noida-db never expires the session of a silent member, so session timeouts are tested
/// here. The mock also speaks only the classic (non-flexible) versions: ApiVersions v2,
/// FindCoordinator v2, JoinGroup v5, SyncGroup v3, Heartbeat v3, LeaveGroup v1, which
/// exercises the version fallback.
@Suite(.timeLimit(.minutes(3))) struct ClassicGroupMemberFaultTests {
    /// Short timeouts: the mock accepts any session timeout.
    static func configure(_ configuration: inout ClassicGroupMember.Configuration) {
        configuration.sessionTimeout = .seconds(3)
        configuration.heartbeatInterval = .milliseconds(300)
        configuration.coordinatorDiscoveryTimeout = .seconds(1)
    }

    func withMockCluster<T>(brokers: Int32 = 1, _ body: (KafkaMockCluster) async throws -> T) async throws -> T {
        let cluster = try KafkaMockCluster(brokers: brokers)
        do {
            let result = try await body(cluster)
            await cluster.close()
            return result
        } catch {
            await cluster.close()
            throw error
        }
    }

    @Test func classicVersionsAreNegotiatedWithAnOlderBroker() async throws {
        try await withMockCluster { cluster in
            let address = try #require(try KafkaBrokerAddress.parseList(cluster.bootstrapServers).first)
            let identity = KafkaBrokerConnection.ClientIdentity(clientId: "t", softwareName: "swift-connect", softwareVersion: "0.1.0")
            // ApiVersions v3 is refused (UNSUPPORTED_VERSION in the v0 layout); v2 works.
            let connection = try await Task.detached {
                try KafkaBrokerConnection.open(
                    to: address, identity: identity, connectTimeout: .seconds(5), requestTimeout: .seconds(5), interrupt: nil)
            }.value
            defer { connection.close() }
            #expect(try connection.version(for: FindCoordinatorRequest.self) == 2)
            #expect(try connection.version(for: JoinGroupRequest.self) == 5)
            #expect(try connection.version(for: SyncGroupRequest.self) == 3)
            #expect(try connection.version(for: HeartbeatRequest.self) == 3)
            #expect(try connection.version(for: LeaveGroupRequest.self) == 1)
        }
    }

    @Test func crashedMemberIsRemovedAfterTheSessionTimeout() async throws {
        try await withMockCluster { cluster in
            let group = uniqueGroup("crash")
            let members = try (1...2).map {
                try makeMember(cluster.bootstrapServers, group: group, name: "w\($0)", configure: Self.configure)
            }
            try await withMembers(members) { running in
                try await eventually("two members settle") { settled(running) }
                let generation = try #require(running[0].delegate.lastJoin?.generation)
                let (survivor, crashed) = (running[0], running[1])
                let started = ContinuousClock.now
                await crashed.member.simulateCrash()
                try await eventually("the survivor completes a generation without the crashed member") {
                    (survivor.delegate.lastJoin?.generation ?? 0) > generation
                        && survivor.delegate.calls.assignments.last?.members.count == 1
                }
                let elapsed = ContinuousClock.now - started
                // No LeaveGroup was sent: the coordinator waited for the 3 s session to expire.
                #expect(elapsed >= .milliseconds(2500), "rebalanced after \(elapsed)")
                #expect(elapsed < .seconds(15), "rebalanced after \(elapsed)")
                #expect(survivor.member.isLeader)
                #expect(survivor.delegate.calls.losses.isEmpty)
            }
        }
    }

    @Test func leaveMakesTheOthersRebalanceAtOnce() async throws {
        try await withMockCluster { cluster in
            let group = uniqueGroup("leave")
            let members = try (1...2).map {
                try makeMember(cluster.bootstrapServers, group: group, name: "w\($0)", configure: Self.configure)
            }
            try await withMembers(members) { running in
                try await eventually("two members settle") { settled(running) }
                let generation = try #require(running[0].delegate.lastJoin?.generation)
                await running[1].member.leave()
                try await eventually("the other member rebalances alone") {
                    (running[0].delegate.lastJoin?.generation ?? 0) > generation
                        && running[0].delegate.calls.assignments.last?.members.count == 1
                }
                // No timing assertion here: after a LeaveGroup the mock cluster holds its
                // rebalance for about the session timeout (measured: 11 s with a 12 s session), so
                // a bound would time the mock. That the rebalance comes at once is checked on a
                // real broker (ClassicGroupMemberIntegrationTests.threeMembersShareOneGenerationThenOneLeaves).
            }
        }
    }

    @Test func missedHeartbeatsLoseTheMembershipAndRejoin() async throws {
        try await withMockCluster { cluster in
            let group = uniqueGroup("lost")
            let members = try (1...2).map {
                try makeMember(cluster.bootstrapServers, group: group, name: "w\($0)", configure: Self.configure)
            }
            try await withMembers(members) { running in
                try await eventually("two members settle") { settled(running) }
                let paused = running[1]
                let oldMemberId = paused.member.memberId
                paused.member.setHeartbeatsPausedForTesting(true)
                try await eventually("the other member rebalances without it") {
                    running[0].delegate.calls.assignments.last?.members.count == 1 && running[0].member.isLeader
                }
                paused.member.setHeartbeatsPausedForTesting(false)
                try await eventually("the silent member learns it lost its membership") {
                    paused.delegate.calls.losses == [.unknownMemberId]
                }
                try await eventually("and joins again with a new member id") {
                    settled(running) && paused.member.memberId != oldMemberId
                        && paused.delegate.lastJoin?.memberId == paused.member.memberId
                }
                #expect(paused.member.currentGeneration?.memberId == paused.member.memberId)
                #expect(running[0].delegate.calls.losses.isEmpty)
            }
        }
    }

    @Test func retriableJoinErrorsAreRetried() async throws {
        try await withMockCluster { cluster in
            cluster.pushRequestErrors(.findCoordinator, [.coordinatorNotAvailable, .coordinatorLoadInProgress])
            cluster.pushRequestErrors(.joinGroup, [.coordinatorLoadInProgress, .notCoordinator, .rebalanceInProgress])
            cluster.pushRequestErrors(.syncGroup, [.rebalanceInProgress])
            let (member, delegate) = try makeMember(
                cluster.bootstrapServers, group: uniqueGroup("retry"), name: "w1", configure: Self.configure)
            try await withMembers([(member, delegate)]) { _ in
                try await eventually("join completes") { delegate.lastJoin != nil }
                let calls = delegate.calls
                #expect(calls.joins.count == 1)
                // One JoinGroup per round: three failed rounds, then the one that worked.
                #expect(calls.joinProtocols >= 4)
                #expect(calls.losses.isEmpty)
                #expect(calls.joins.first?.assignment == delegate.assignmentPrefix + delegate.protocols[0].metadata)
            }
        }
    }

    @Test func heartbeatErrorsAfterJoining() async throws {
        try await withMockCluster(brokers: 3) { cluster in
            let (member, delegate) = try makeMember(
                cluster.bootstrapServers, group: uniqueGroup("hb"), name: "w1", configure: Self.configure)
            try await withMembers([(member, delegate)]) { _ in
                try await eventually("join completes") { delegate.lastJoin != nil }
                let first = try #require(delegate.lastJoin)

                // The coordinator moved: look it up again, keep the membership.
                cluster.pushRequestErrors(.heartbeat, [.notCoordinator])
                try await Task.sleep(for: .seconds(1))
                #expect(delegate.calls.losses.isEmpty)
                #expect(delegate.calls.joins.count == 1)
                #expect(member.currentGeneration?.generationId == first.generation)

                // The group is rebalancing: rejoin (cooperatively: no loss).
                cluster.pushRequestErrors(.heartbeat, [.rebalanceInProgress])
                try await eventually("rejoined after REBALANCE_IN_PROGRESS") { delegate.calls.joins.count == 2 }
                #expect(delegate.calls.losses.isEmpty)
                #expect(delegate.lastJoin?.memberId == first.memberId)

                // The coordinator forgot the member: report the loss, rejoin with a new id.
                cluster.pushRequestErrors(.heartbeat, [.unknownMemberId])
                try await eventually("lost and rejoined") {
                    delegate.calls.losses == [.unknownMemberId] && delegate.calls.joins.count == 3
                }
                #expect(delegate.lastJoin?.memberId != first.memberId)

                // A stale generation found by SyncGroup during a requested rejoin.
                cluster.pushRequestErrors(.syncGroup, [.illegalGeneration])
                member.requestRejoin(reason: "test")
                try await eventually("lost again and rejoined") {
                    delegate.calls.losses == [.unknownMemberId, .illegalGeneration] && delegate.calls.joins.count == 4
                }
            }
        }
    }

    @Test func unreachableCoordinatorLosesTheAssignmentUntilItReturns() async throws {
        try await withMockCluster { cluster in
            let (member, delegate) = try makeMember(
                cluster.bootstrapServers, group: uniqueGroup("down"), name: "w1", configure: Self.configure)
            try await withMembers([(member, delegate)]) { _ in
                try await eventually("join completes") { delegate.lastJoin != nil }
                try cluster.setBrokerDown(1)
                try await eventually("the member gives its assignment up") { delegate.calls.losses == [.coordinatorUnavailable] }
                #expect(member.currentGeneration == nil)
                try cluster.setBrokerUp(1)
                try await eventually("and joins again once the broker is back") { delegate.calls.joins.count == 2 }
                #expect(member.currentGeneration != nil)
            }
        }
    }
}
