import Foundation
import KafkaTestSupport
import Logging
import Testing

@_spi(Testing) @testable import KafkaGroupClient

/// The group member against real noida-db brokers.
@Suite(.timeLimit(.minutes(3))) struct ClassicGroupMemberIntegrationTests {
    @Test func brokerVersionsAreNegotiated() async throws {
        try await withKafkaTestCluster { cluster in
            let address = try KafkaBrokerAddress(parsing: cluster.bootstrapServers)
            let identity = KafkaBrokerConnection.ClientIdentity(clientId: "t", softwareName: "swift-connect", softwareVersion: "0.1.0")
            let connection = try await Task.detached {
                try KafkaBrokerConnection.open(
                    to: address, identity: identity, connectTimeout: .seconds(5), requestTimeout: .seconds(5), interrupt: nil)
            }.value
            defer { connection.close() }
            let versions = connection.apiVersions
            // What noida-db 0.2.3 advertises (recorded in the group client's notes).
            #expect(versions.versions(of: .apiVersions) == 0...3)
            #expect(versions.versions(of: .findCoordinator) == 0...4)
            #expect(versions.versions(of: .joinGroup) == 0...7)
            #expect(versions.versions(of: .syncGroup) == 0...5)
            #expect(versions.versions(of: .heartbeat) == 0...4)
            #expect(versions.versions(of: .leaveGroup) == 0...5)
            #expect(try connection.version(for: JoinGroupRequest.self) == 7)
            #expect(try connection.version(for: FindCoordinatorRequest.self) == 4)
            #expect(try connection.version(for: SyncGroupRequest.self) == 5)
            #expect(try connection.version(for: HeartbeatRequest.self) == 4)
            #expect(try connection.version(for: LeaveGroupRequest.self) == 5)
        }
    }

    @Test func singleMemberLeadsAndGetsWhatItAssigned() async throws {
        try await withKafkaTestCluster { cluster in
            let group = uniqueGroup("single")
            let (member, delegate) = try makeMember(cluster.bootstrapServers, group: group, name: "w1")
            try await withMembers([(member, delegate)]) { _ in
                try await eventually("join completes") { delegate.lastJoin != nil }
                let calls = delegate.calls
                let join = try #require(calls.joins.first)
                let assignment = try #require(calls.assignments.first)
                // The first offered protocol wins; the leader sees its own metadata unchanged.
                #expect(assignment.protocolName == "sessioned")
                #expect(assignment.leaderId == join.memberId)
                #expect(assignment.members == [GroupMemberMetadata(memberId: join.memberId, groupInstanceId: nil, metadata: delegate.protocols[0].metadata)])
                #expect(join.protocolName == "sessioned")
                #expect(join.assignment == delegate.assignmentPrefix + delegate.protocols[0].metadata)
                #expect(join.generation >= 1)
                #expect(member.isLeader)
                #expect(member.memberId == join.memberId)
                #expect(member.currentGeneration?.generationId == join.generation)
                #expect(calls.losses.isEmpty)
            }
            #expect(member.currentGeneration == nil)
            #expect(member.memberId.isEmpty)
        }
    }

    @Test func threeMembersShareOneGenerationThenOneLeaves() async throws {
        try await withKafkaTestCluster { cluster in
            let group = uniqueGroup("three")
            let members = try (1...3).map { try makeMember(cluster.bootstrapServers, group: group, name: "w\($0)") }
            try await withMembers(members) { running in
                // Settled: all three completed the same generation, in which the leader saw three members.
                func settled() -> Int32? {
                    let joins = running.compactMap { $0.delegate.lastJoin }
                    guard joins.count == 3, Set(joins.map(\.generation)).count == 1 else { return nil }
                    let leaders = running.filter { $0.member.isLeader }
                    guard leaders.count == 1, leaders[0].delegate.calls.assignments.last?.members.count == 3 else { return nil }
                    return joins[0].generation
                }
                try await eventually("three members settle in one generation") { settled() != nil }
                let generation = try #require(settled())
                for running in running {
                    let join = try #require(running.delegate.lastJoin)
                    // Each got the leader's bytes for it: prefix + its own metadata.
                    #expect(join.assignment == running.delegate.assignmentPrefix + running.delegate.protocols[0].metadata)
                    #expect(join.protocolName == "sessioned")
                    #expect(running.member.currentGeneration?.generationId == generation)
                }
                let leaderIds = Set(running.compactMap { $0.member.currentGeneration?.leaderId })
                #expect(leaderIds.count == 1)

                // One leaves: the other two rebalance at once (well within the 6 s session timeout).
                let leaving = running.first { !$0.member.isLeader } ?? running[0]
                let staying = running.filter { $0.member !== leaving.member }
                let protocolCalls = staying.map { $0.delegate.calls.joinProtocols }
                let started = ContinuousClock.now
                await leaving.member.leave(reason: "test leaves")
                try await eventually("the two others complete a newer generation") {
                    staying.allSatisfy { ($0.delegate.lastJoin?.generation ?? 0) > generation }
                        && Set(staying.compactMap { $0.delegate.lastJoin?.generation }).count == 1
                }
                #expect(ContinuousClock.now - started < .seconds(5))
                for (index, running) in staying.enumerated() {
                    #expect(running.delegate.calls.joinProtocols > protocolCalls[index])
                    #expect(running.delegate.calls.losses.isEmpty)
                }
                let newLeader = try #require(staying.first { $0.member.isLeader })
                #expect(newLeader.delegate.calls.assignments.last?.members.count == 2)
            }
        }
    }

    /// A leader that starts the next rebalance as soon as it completes a generation (a Connect
    /// leader whose config changed meanwhile) must leave no member behind. noida-db answers
    /// waiting JoinGroups by polling: when a generation ended within one poll, a member counted
    /// in it never got its answer, waited out the rebalance timeout and was left out of the next
    /// generation. Members therefore stay ``Configuration/minimumGenerationTime`` in a generation.
    @Test func aLeaderRejoiningAtOnceLeavesNoMemberBehind() async throws {
        try await withKafkaTestCluster { cluster in
            let group = uniqueGroup("eager-leader")
            let members = try (1...3).map { try makeMember(cluster.bootstrapServers, group: group, name: "w\($0)") }
            try await withMembers(members) { running in
                try await eventually("three members settle") { settled(running) }
                let leader = try #require(running.first { $0.member.isLeader })
                let first = try #require(leader.delegate.lastJoin?.generation)
                let rounds: Int32 = 8
                leader.delegate.afterJoin.withLock { [member = leader.member] in
                    $0 = { generation in
                        if generation < first + rounds { member.requestRejoin(reason: "rejoin right after the generation") }
                    }
                }
                leader.member.requestRejoin(reason: "rejoin right after the generation")
                try await eventually("\(rounds) more generations", timeout: .seconds(120)) {
                    settled(running) && (leader.delegate.lastJoin?.generation ?? 0) >= first + rounds
                }
                let later = leader.delegate.calls.assignments.filter { $0.generation > first }
                #expect(later.count >= Int(rounds))
                for assignment in later {
                    #expect(assignment.members.count == 3, "generation \(assignment.generation) had \(assignment.members.map(\.memberId))")
                }
            }
        }
    }

    @Test func rejoinWaitsOutTheRebalanceTimeoutForASilentMember() async throws {
        // noida-db never expires sessions (see the report), but it does wait up to the
        // rebalance timeout for members to rejoin: the JoinGroup request must wait as long.
        try await withKafkaTestCluster { cluster in
            let group = uniqueGroup("silent")
            let configure: (inout ClassicGroupMember.Configuration) -> Void = { $0.rebalanceTimeout = .seconds(5) }
            let members = try (1...2).map { try makeMember(cluster.bootstrapServers, group: group, name: "w\($0)", configure: configure) }
            try await withMembers(members) { running in
                try await eventually("two members settle") { settled(running) }
                // The follower goes silent: noida-db would keep a silent leader forever and
                // never finish the rebalance (Kafka expires it after the session timeout).
                let (survivor, silent) = running[0].member.isLeader ? (running[0], running[1]) : (running[1], running[0])
                let generation = try #require(survivor.delegate.lastJoin?.generation)
                await silent.member.simulateCrash()
                let started = ContinuousClock.now
                let newcomer = try makeMember(cluster.bootstrapServers, group: group, name: "w3", configure: configure)
                try await withMembers([newcomer]) { newcomers in
                    try await eventually("the survivor and the newcomer complete a newer generation") {
                        let current = survivor.delegate.lastJoin?.generation ?? 0
                        return current > generation && newcomers[0].delegate.lastJoin?.generation == current
                    }
                }
                let elapsed = ContinuousClock.now - started
                #expect(elapsed >= .seconds(4), "completed after \(elapsed)")
                #expect(survivor.delegate.calls.losses.isEmpty)
            }
        }
    }

    @Test func requestRejoinRunsANewRoundWithFreshMetadata() async throws {
        try await withKafkaTestCluster { cluster in
            let (member, delegate) = try makeMember(cluster.bootstrapServers, group: uniqueGroup("rejoin"), name: "w1")
            try await withMembers([(member, delegate)]) { _ in
                try await eventually("first join") { delegate.lastJoin != nil }
                let first = try #require(delegate.lastJoin)
                let protocolCalls = delegate.calls.joinProtocols
                member.requestRejoin(reason: "test")
                try await eventually("second join") { (delegate.lastJoin?.generation ?? 0) > first.generation }
                #expect(delegate.calls.joinProtocols > protocolCalls)
                #expect(delegate.lastJoin?.memberId == first.memberId)
                #expect(delegate.calls.losses.isEmpty)
            }
        }
    }

    /// `onJoinPrepare` comes once per rejoin, before its first JoinGroup (eager protocols revoke
    /// their work there), with the generation being left; retried JoinGroups of the same rejoin
    /// (noida-db, like Kafka, first answers MEMBER_ID_REQUIRED) do not prepare again.
    @Test func joinPrepareRunsOncePerRejoinBeforeJoining() async throws {
        try await withKafkaTestCluster { cluster in
            let (member, delegate) = try makeMember(cluster.bootstrapServers, group: uniqueGroup("prepare"), name: "w1")
            try await withMembers([(member, delegate)]) { _ in
                try await eventually("first join") { delegate.lastJoin != nil }
                let first = try #require(delegate.lastJoin)
                var calls = delegate.calls
                #expect(calls.joinPrepares.count == 1)
                #expect(calls.joinPrepares.first?.generation == -1)
                #expect(calls.joinPrepares.first?.memberId == "")
                #expect(calls.events.first == "prepare")
                #expect(calls.events.filter { $0 == "prepare" }.count == 1, "\(calls.events)")

                member.requestRejoin(reason: "test")
                try await eventually("second join") { (delegate.lastJoin?.generation ?? 0) > first.generation }
                calls = delegate.calls
                #expect(calls.joinPrepares.count == 2, "\(calls.events)")
                #expect(calls.joinPrepares.last?.generation == first.generation)
                #expect(calls.joinPrepares.last?.memberId == first.memberId)
                // The second rejoin: prepared after the first join, before its own protocols.
                let afterFirstJoin = Array(calls.events.drop(while: { $0 != "join" }).dropFirst())
                #expect(afterFirstJoin.first == "prepare", "\(calls.events)")
                #expect(afterFirstJoin.filter { $0 == "prepare" }.count == 1, "\(calls.events)")
                #expect(afterFirstJoin.last == "join", "\(calls.events)")
            }
        }
    }

    @Test func cancellingRunLeavesTheGroup() async throws {
        try await withKafkaTestCluster { cluster in
            let group = uniqueGroup("cancel")
            let (stayer, stayerDelegate) = try makeMember(cluster.bootstrapServers, group: group, name: "w1")
            let (quitter, quitterDelegate) = try makeMember(cluster.bootstrapServers, group: group, name: "w2")
            try await withMembers([(stayer, stayerDelegate)]) { _ in
                let task = Task { try await quitter.run(delegate: quitterDelegate) }
                try await eventually("both settle") {
                    let leader = stayer.isLeader ? stayerDelegate : quitterDelegate
                    return leader.calls.assignments.last?.members.count == 2 && quitterDelegate.lastJoin != nil
                        && stayerDelegate.lastJoin?.generation == quitterDelegate.lastJoin?.generation
                }
                let generation = try #require(stayerDelegate.lastJoin?.generation)
                let started = ContinuousClock.now
                task.cancel()
                try await task.value  // returns normally
                try await eventually("the stayer rebalances alone") {
                    (stayerDelegate.lastJoin?.generation ?? 0) > generation && stayerDelegate.calls.assignments.last?.members.count == 1
                }
                #expect(ContinuousClock.now - started < .seconds(5))
                #expect(quitter.memberId.isEmpty)
            }
        }
    }

    @Test func leaveBeforeRunMakesRunReturn() async throws {
        let (member, delegate) = (
            try ClassicGroupMember(configuration: testConfiguration(bootstrap: "127.0.0.1:1", group: "g"), logger: testLogger("t")),
            RecordingDelegate(name: "t", protocols: testProtocols)
        )
        await member.leave()
        try await member.run(delegate: delegate)
        #expect(delegate.calls.joinProtocols == 0)
    }

    @Test func invalidSessionTimeoutIsFatal() async throws {
        try await withKafkaTestCluster { cluster in
            let (member, delegate) = try makeMember(cluster.bootstrapServers, group: uniqueGroup("fatal"), name: "w1", sessionTimeout: .seconds(1))
            let error = await #expect(throws: KafkaGroupClientError.self) { try await member.run(delegate: delegate) }
            #expect(error?.code == .broker)
            #expect(error?.brokerErrorCode == .invalidSessionTimeout)
            #expect(error?.message.contains("INVALID_SESSION_TIMEOUT") == true, "\(String(describing: error))")
        }
    }

    @Test func unreachableBootstrapFailsClearlyInBoundedTime() async throws {
        // A port nobody listens on, and a name that cannot resolve.
        for (bootstrap, expected) in [("127.0.0.1:1", "Connection refused"), ("no-such-host.invalid:9092", "could not resolve")] {
            var configuration = testConfiguration(bootstrap: bootstrap, group: "g")
            configuration.bootstrapTimeout = .seconds(1)
            let member = try ClassicGroupMember(configuration: configuration, logger: testLogger("t"))
            let delegate = RecordingDelegate(name: "t", protocols: testProtocols)
            let started = ContinuousClock.now
            let error = await #expect(throws: KafkaGroupClientError.self) { try await member.run(delegate: delegate) }
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(error?.code == .brokerUnreachable)
            let message = error?.message ?? ""
            #expect(message.contains(bootstrap.replacingOccurrences(of: ":9092", with: "")), "\(message)")
            #expect(message.contains(expected), "\(message)")
            #expect(delegate.calls.joinProtocols == 0)
        }
    }
}
