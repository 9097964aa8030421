import KafkaProtocol
import Testing

@testable import ConnectRuntime

@Suite("EagerAssignor and ConnectAssignor")
struct EagerAssignorTests {
    let assignor = EagerAssignor(logger: testLogger)

    func members(
        _ ids: [String], offset: Int64 = 10, offsets: [String: Int64] = [:], compatibility: ConnectProtocolCompatibility = .eager
    ) throws -> [ConnectGroupMember] {
        var group = SimulatedGroup(compatibility: compatibility, members: ids)
        group.memberOffsets = offsets
        return try group.members(defaultOffset: offset)
    }

    @Test func roundRobinConnectorsThenTasksOverSortedMembers() throws {
        // Members arrive unsorted; connector c has no tasks but its Connector is assigned.
        let config = try clusterSnapshot(["b": 3, "a": 2, "c": 0])
        let result = try assignor.performAssignment(leaderId: "m2", members: members(["m3", "m1", "m2"]), configSnapshot: config)

        // Connectors a, b, c go to m1, m2, m3; the tasks continue the round-robin at m1 (task
        // lists are in wire order: the member's own connectors' tasks first).
        #expect(result.assignments["m1"]?.assigned == Work(["a"], ["a-0", "b-1"]))
        #expect(result.assignments["m2"]?.assigned == Work(["b"], ["b-2", "a-1"]))
        #expect(result.assignments["m3"]?.assigned == Work(["c"], ["b-0"]))
        for assignment in result.assignments.values {
            #expect(assignment.version == 0)
            #expect(assignment.error == .noError)
            #expect(assignment.leader == "m2")
            #expect(assignment.leaderUrl == "http://m2:8083")
            #expect(assignment.configOffset == 10)
            #expect(assignment.revoked == Work.empty)
            #expect(assignment.delay == 0)
        }
        #expect(result.leaderState?.ownerUrl(connector: "c") == "http://m3:8083")
        #expect(result.leaderState?.ownerUrl(task: taskId("b", 0)) == "http://m3:8083")
    }

    @Test func everyRoundIsAFullBalancedAssignment() throws {
        let config = try clusterSnapshot(["s1": 3, "s2": 3, "s3": 3, "s4": 3, "s5": 3])
        let group = try members(["w1", "w2", "w3"])
        let first = try assignor.performAssignment(leaderId: "w1", members: group, configSnapshot: config)
        let connectorCounts = first.assignments.values.map(\.connectors.count).sorted()
        let taskCounts = first.assignments.values.map(\.tasks.count).sorted()
        #expect(connectorCounts == [1, 2, 2])
        #expect(taskCounts == [5, 5, 5])
        #expect(first.assignments.values.flatMap(\.connectors).sorted() == config.connectors)
        #expect(first.assignments.values.flatMap(\.tasks).sorted() == config.allTasks)

        // Stateless: the same input gives the same full assignment again.
        let second = try assignor.performAssignment(leaderId: "w1", members: group, configSnapshot: config)
        #expect(second.assignments == first.assignments)
    }

    @Test func eagerAssignmentsEncodeInTheV0Layout() throws {
        let result = try assignor.performAssignment(leaderId: "m1", members: members(["m1"], offset: 7), configSnapshot: try clusterSnapshot(offset: 7, ["c": 1]))
        let bytes = try #require(try result.encodedAssignments()["m1"])
        let kafkaString: (String) -> [UInt8] = { [0, UInt8($0.utf8.count)] + Array($0.utf8) }
        let expected: [UInt8] = [0, 0, 0, 0] + kafkaString("m1") + kafkaString("http://m1:8083") + [0, 0, 0, 0, 0, 0, 0, 7]
            + [0, 0, 0, 1] + kafkaString("c") + [0, 0, 0, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]
        #expect(bytes == expected)
        #expect(try WorkerAssignment(decoding: bytes, compatibility: .eager) == result.assignments["m1"])
    }

    @Test func eagerLeaderBehindReturnsConfigMismatch() throws {
        let result = try assignor.performAssignment(
            leaderId: "m1", members: members(["m1", "m2"], offsets: ["m2": 15]), configSnapshot: try clusterSnapshot(["a": 1])
        )
        #expect(result.failed)
        #expect(result.leaderState == nil)
        for assignment in result.assignments.values {
            #expect(assignment.error == .configMismatch)
            #expect(assignment.version == 0)
            #expect(assignment.configOffset == 15)
            #expect(assignment.assigned == Work.empty)
        }
    }

    // MARK: Golden bytes of an incremental assignment

    @Test func incrementalAssignmentGoldenBytesRoundTrip() throws {
        var incremental = IncrementalCooperativeAssignor(maxDelayMs: 300_000, logger: testLogger, clock: ManualClock().clock)
        let result = try incremental.performAssignment(
            leaderId: "w1", protocol: .sessioned, members: members(["w1"], offset: 5, compatibility: .sessioned),
            configSnapshot: try clusterSnapshot(offset: 5, ["c": 1]), generationId: 1, lastCompletedGenerationId: -1
        )
        let assignment = try #require(result.assignments["w1"])
        let bytes = try assignment.encode()
        let kafkaString: (String) -> [UInt8] = { [0, UInt8($0.utf8.count)] + Array($0.utf8) }
        let expected: [UInt8] = [0, 2, 0, 0] + kafkaString("w1") + kafkaString("http://w1:8083") + [0, 0, 0, 0, 0, 0, 0, 5]
            + [0, 0, 0, 1] + kafkaString("c") + [0, 0, 0, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]  // assignment {c: [-1, 0]}
            + [0, 0, 0, 0]  // revoked: none
            + [0, 0, 0, 0]  // delay 0
        #expect(bytes == expected)
        #expect(try WorkerAssignment(decoding: bytes) == assignment)
    }

    // MARK: Dispatch

    @Test(arguments: [("default", Int16(0)), ("compatible", 1), ("sessioned", 2), ("SESSIONED", 2)])
    func dispatchFollowsTheChosenProtocol(_ protocolName: String, _ version: Int16) throws {
        var dispatcher = ConnectAssignor(maxDelayMs: 300_000, logger: testLogger, clock: ManualClock().clock)
        let compatibility = try #require(ConnectProtocolCompatibility(protocolName: protocolName))
        let config = try clusterSnapshot(["a": 2, "b": 0])
        let result = try dispatcher.performAssignment(
            leaderId: "w1", protocolName: protocolName, members: members(["w1", "w2"], compatibility: compatibility),
            configSnapshot: config, generationId: 1, lastCompletedGenerationId: -1
        )
        #expect(result.assignments.values.allSatisfy { $0.version == version })
        #expect(result.assignments["w1"]?.assigned == Work(["a"], ["a-0"]))
        #expect(result.assignments["w2"]?.assigned == Work(["b"], ["a-1"]))
        // Only the incremental assignor remembers the round.
        #expect(dispatcher.incremental.previousGenerationId == (version == 0 ? -1 : 1))
    }

    @Test func unknownProtocolNameThrows() throws {
        var dispatcher = ConnectAssignor(maxDelayMs: 300_000, logger: testLogger)
        #expect(throws: ConnectRuntimeError.self) {
            try dispatcher.performAssignment(
                leaderId: "w1", protocolName: "range", members: try members(["w1"]),
                configSnapshot: try clusterSnapshot(["a": 1]), generationId: 1, lastCompletedGenerationId: -1
            )
        }
    }

    @Test func groupMemberDecodesJoinGroupMetadata() throws {
        let allocation = try WorkerAssignment(
            version: 1, leader: "w0", leaderUrl: "http://w0:8083", configOffset: 3,
            connectors: ["a", "a"], tasks: [taskId("a", 0), taskId("a", 0)]
        )
        let subscription = try WorkerSubscription(version: 1, url: "http://w1:8083", configOffset: 3, allocation: allocation)
        let member = try ConnectGroupMember(memberId: "w1", metadata: subscription.encode())
        #expect(member.subscription.url == "http://w1:8083")
        #expect(member.subscription.configOffset == 3)
        #expect(member.subscription.allocation?.tasks == [taskId("a", 0), taskId("a", 0)])
        #expect(member.ownedConnectors == ["a"])
        #expect(member.ownedTasks == [taskId("a", 0)])
        #expect(throws: KafkaProtocolDecodingError.self) { try ConnectGroupMember(memberId: "w1", metadata: [0, 1, 0]) }
    }
}
