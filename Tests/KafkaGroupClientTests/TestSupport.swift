import Foundation
import KafkaProtocol
import Logging
import Synchronization
import Testing

@_spi(Testing) @testable import KafkaGroupClient

/// Bytes from a hex string; spaces, newlines and `|` separators are ignored.
func hex(_ text: String) -> [UInt8] {
    let digits = text.filter { $0.isHexDigit }
    precondition(digits.count % 2 == 0, "odd number of hex digits in \(text)")
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

/// Hex of an ASCII string, for writing golden bytes readably.
func ascii(_ text: String) -> String {
    text.utf8.map { String(format: "%02x", $0) }.joined(separator: " ")
}

func encode<Request: KafkaRequestMessage>(_ request: Request, version: Int16) throws -> [UInt8] {
    try request.encodedBody(version: version)
}

/// A logger for tests: warnings and errors only, unless GROUP_TEST_LOG_LEVEL says otherwise.
func testLogger(_ label: String) -> Logger {
    var logger = Logger(label: label, factory: { StreamLogHandler.standardError(label: $0) })
    let level = ProcessInfo.processInfo.environment["GROUP_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
    logger.logLevel = level ?? .warning
    return logger
}

/// Waits until `condition` holds, checking every 20 ms, or fails the test after `timeout`.
func eventually(
    _ what: String, timeout: Duration = .seconds(30), sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("timed out after \(timeout) waiting for: \(what)", sourceLocation: sourceLocation)
            throw TimedOut(what: what)
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}

struct TimedOut: Error { var what: String }

/// A delegate that records every callback. It offers `protocols`; as leader it assigns each
/// member `assignmentPrefix + its metadata`, so members can check what they got.
final class RecordingDelegate: ClassicGroupMemberDelegate {
    struct Assignment: Sendable {
        var generation: Int32
        var leaderId: String
        var protocolName: String
        var members: [GroupMemberMetadata]
    }
    struct Join: Sendable, Equatable {
        var generation: Int32
        var memberId: String
        var protocolName: String
        var assignment: [UInt8]
    }
    struct Calls: Sendable {
        /// `onJoinPrepare` calls: (generation, member id).
        var joinPrepares: [(generation: Int32, memberId: String)] = []
        /// Every callback in order: "prepare", "protocols", "assign", "join", "lost".
        var events: [String] = []
        var joinProtocols = 0
        var assignments: [Assignment] = []
        var joins: [Join] = []
        var losses: [GroupMembershipLossReason] = []
    }

    let name: String
    let protocols: [GroupProtocol]
    let assignmentPrefix: [UInt8]
    private let state = Mutex(Calls())
    /// Called with the generation after each `onJoinComplete`.
    let afterJoin = Mutex<(@Sendable (Int32) -> Void)?>(nil)

    init(name: String, protocols: [GroupProtocol], assignmentPrefix: [UInt8] = [0xA5]) {
        self.name = name
        self.protocols = protocols
        self.assignmentPrefix = assignmentPrefix
    }

    var calls: Calls { state.withLock { $0 } }
    var lastJoin: Join? { calls.joins.last }

    func onJoinPrepare(generation: Int32, memberId: String) async {
        state.withLock {
            $0.joinPrepares.append((generation, memberId))
            $0.events.append("prepare")
        }
    }

    func joinProtocols() async throws -> [GroupProtocol] {
        state.withLock {
            $0.joinProtocols += 1
            $0.events.append("protocols")
        }
        return protocols
    }

    func performAssignment(
        leaderId: String, generationId: Int32, protocol: String, members: [GroupMemberMetadata]
    ) async throws -> [String: [UInt8]] {
        state.withLock {
            $0.assignments.append(Assignment(generation: generationId, leaderId: leaderId, protocolName: `protocol`, members: members))
            $0.events.append("assign")
        }
        var result: [String: [UInt8]] = [:]
        for member in members { result[member.memberId] = assignmentPrefix + member.metadata }
        return result
    }

    func onJoinComplete(generation: Int32, memberId: String, protocol: String, assignment: [UInt8]) async {
        state.withLock {
            $0.joins.append(Join(generation: generation, memberId: memberId, protocolName: `protocol`, assignment: assignment))
            $0.events.append("join")
        }
        afterJoin.withLock { $0 }?(generation)
    }

    func onMembershipLost(reason: GroupMembershipLossReason) async {
        state.withLock {
            $0.losses.append(reason)
            $0.events.append("lost")
        }
    }
}

/// Group settings fast enough for tests (noida-db, like Kafka, rejects sessions under 6 s).
func testConfiguration(
    bootstrap: String, group: String, client: String = "group-test", sessionTimeout: Duration = .seconds(6)
) -> ClassicGroupMember.Configuration {
    ClassicGroupMember.Configuration(
        bootstrapServers: bootstrap, groupId: group, clientId: client, protocolType: "connect",
        sessionTimeout: sessionTimeout, rebalanceTimeout: .seconds(20), heartbeatInterval: .milliseconds(500),
        retryBackoff: .milliseconds(50), retryBackoffMax: .milliseconds(500), requestTimeout: .seconds(10),
        connectionSetupTimeout: .seconds(2), bootstrapTimeout: .seconds(10))
}

func uniqueGroup(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8))" }

/// Two protocols, like a Connect worker offering `sessioned` then `default`.
let testProtocols = [
    GroupProtocol(name: "sessioned", metadata: Array("v2-metadata".utf8)),
    GroupProtocol(name: "default", metadata: Array("v0-metadata".utf8)),
]

/// A member with a recording delegate whose metadata ends with the member's name.
func makeMember(
    _ bootstrap: String, group: String, name: String, sessionTimeout: Duration = .seconds(6),
    configure: (inout ClassicGroupMember.Configuration) -> Void = { _ in }
) throws -> (ClassicGroupMember, RecordingDelegate) {
    let protocols = testProtocols.map { GroupProtocol(name: $0.name, metadata: $0.metadata + Array(name.utf8)) }
    var configuration = testConfiguration(bootstrap: bootstrap, group: group, client: name, sessionTimeout: sessionTimeout)
    configure(&configuration)
    let member = try ClassicGroupMember(configuration: configuration, logger: testLogger(name))
    return (member, RecordingDelegate(name: name, protocols: protocols))
}

/// A member running in ``withMembers(_:_:)``.
struct Running {
    let member: ClassicGroupMember
    let delegate: RecordingDelegate
}

/// Runs `body` while the members run; afterwards every member leaves and errors thrown by
/// `run` fail the test. If `body` throws, the members stop without leaving.
func withMembers<T>(
    _ members: [(ClassicGroupMember, RecordingDelegate)], _ body: ([Running]) async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for (member, delegate) in members {
            group.addTask { try await member.run(delegate: delegate) }
        }
        do {
            let result = try await body(members.map { Running(member: $0.0, delegate: $0.1) })
            for (member, _) in members { await member.leave() }
            try await group.waitForAll()
            return result
        } catch {
            for (member, _) in members { await member.simulateCrash() }
            group.cancelAll()
            throw error
        }
    }
}

/// Whether the running members completed one common generation whose leader assigned all of them.
func settled(_ running: [Running]) -> Bool {
    let joins = running.compactMap { $0.delegate.lastJoin }
    guard joins.count == running.count, Set(joins.map(\.generation)).count == 1 else { return false }
    let leaders = running.filter { $0.member.isLeader }
    return leaders.count == 1 && leaders[0].delegate.calls.assignments.last?.members.count == running.count
}
