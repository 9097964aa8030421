import KafkaProtocol
import Testing

@testable import ConnectRuntime

private func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

/// STRING as Kafka writes it: INT16 length + UTF-8.
private func kstring(_ text: String) -> [UInt8] { [0, UInt8(text.utf8.count)] + ascii(text) }

private let url = "http://w1:8083"
private let urlBytes: [UInt8] = [0, 14] + ascii(url)
private let offset42: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 42]

private func task(_ connector: String, _ number: Int32) throws -> ConnectorTaskId {
    try ConnectorTaskId(connector: connector, task: number)
}

/// error 0, leader "m1", leader-url "u1", config-offset 7, assignment {c: [-1, 0, 1]}.
private let assignmentV0Body: [UInt8] =
    [0, 0] + kstring("m1") + kstring("u1") + [0, 0, 0, 0, 0, 0, 0, 7]
    + [0, 0, 0, 1] + kstring("c") + [0, 0, 0, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 1]
/// revoked {d: [2]}, delay 300.
private let assignmentV1Tail: [UInt8] =
    [0, 0, 0, 1] + kstring("d") + [0, 0, 0, 1, 0, 0, 0, 2] + [0, 0, 0x01, 0x2C]

private func sampleAssignment(version: Int16) throws -> WorkerAssignment {
    try WorkerAssignment(
        version: version, leader: "m1", leaderUrl: "u1", configOffset: 7,
        connectors: ["c"], tasks: [task("c", 0), task("c", 1)],
        revokedTasks: version > 0 ? [task("d", 2)] : [], delay: version > 0 ? 300 : 0
    )
}

@Suite("Connect group protocol: subscriptions")
struct WorkerSubscriptionTests {
    @Test func v0GoldenBytes() throws {
        let subscription = try WorkerSubscription(version: 0, url: url, configOffset: 42)
        #expect(try subscription.encode() == [0, 0] + urlBytes + offset42)
        #expect(try subscription.encode().count == 26)
    }

    @Test func v1WithoutAllocationWritesNullBytes() throws {
        let subscription = try WorkerSubscription(version: 1, url: url, configOffset: 42)
        #expect(try subscription.encode() == [0, 1] + urlBytes + offset42 + [0xFF, 0xFF, 0xFF, 0xFF])
    }

    @Test func v2EmbedsAllocationUnderItsOwnVersion() throws {
        // The allocation was built as V1 but is written with the subscription's V2 header.
        let subscription = try WorkerSubscription(version: 2, url: url, configOffset: 42, allocation: sampleAssignment(version: 1))
        let allocation: [UInt8] = [0, 2] + assignmentV0Body + assignmentV1Tail
        let expected: [UInt8] = [0, 2] + urlBytes + offset42 + [0, 0, 0, UInt8(allocation.count)] + allocation
        #expect(try subscription.encode() == expected)

        let decoded = try WorkerSubscription(decoding: expected)
        #expect(decoded.version == 2)
        #expect(decoded.url == url)
        #expect(decoded.configOffset == 42)
        #expect(decoded.allocation == (try sampleAssignment(version: 2)))
    }

    @Test func incrementalReaderTreatsV0MetadataAsHavingNoAllocation() throws {
        let decoded = try WorkerSubscription(decoding: [0, 0] + urlBytes + offset42)
        #expect(decoded == (try WorkerSubscription(version: 0, url: url, configOffset: 42)))
        #expect(decoded.allocation == nil)
    }

    @Test func eagerReaderIgnoresAllocationAndTrailingBytes() throws {
        let v2 = try WorkerSubscription(version: 2, url: url, configOffset: 42, allocation: sampleAssignment(version: 2)).encode()
        let decoded = try WorkerSubscription(decoding: v2, compatibility: .eager)
        #expect(decoded.version == 2)
        #expect(decoded.url == url)
        #expect(decoded.configOffset == 42)
        #expect(decoded.allocation == nil)
        // A future version with extra fields still reads.
        let future = try WorkerSubscription(decoding: [0, 9] + urlBytes + offset42 + [0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3])
        #expect(future.version == 9)
        #expect(future.allocation == nil)
    }

    @Test func truncatedInputThrows() throws {
        let full = try WorkerSubscription(version: 1, url: url, configOffset: 42).encode()
        // Every cut inside a required field or inside the allocation length fails; the cut right
        // after config-offset is a valid V0-shaped payload.
        for length in 0..<full.count where length != 26 {
            #expect(throws: KafkaProtocolDecodingError.self) {
                try WorkerSubscription(decoding: Array(full.prefix(length)))
            }
        }
        #expect(try WorkerSubscription(decoding: Array(full.prefix(26))).allocation == nil)
    }

    @Test func negativeVersionIsRejected() {
        #expect(throws: KafkaProtocolDecodingError.self) {
            try WorkerSubscription(decoding: [0xFF, 0xFF] + urlBytes + offset42)
        }
        #expect(throws: ConnectRuntimeError.self) { try WorkerSubscription(version: -1, url: url, configOffset: 0) }
    }

    @Test func eagerSubscriptionCannotCarryAllocation() throws {
        let allocation = try sampleAssignment(version: 1)
        #expect(throws: ConnectRuntimeError.self) {
            try WorkerSubscription(version: 0, url: url, configOffset: 0, allocation: allocation)
        }
    }

    @Test func allocationErrorsReportOuterOffset() throws {
        // Allocation of 3 bytes: a header and one byte of the error field.
        let bytes: [UInt8] = [0, 1] + urlBytes + offset42 + [0, 0, 0, 3, 0, 1, 0]
        do {
            _ = try WorkerSubscription(decoding: bytes)
            Issue.record("expected a decoding error")
        } catch {
            #expect(error.message.hasPrefix("in allocation:"))
            #expect(error.offset == 30 + 2)
        }
    }
}

@Suite("Connect group protocol: assignments")
struct WorkerAssignmentTests {
    @Test func v0GoldenBytes() throws {
        #expect(try sampleAssignment(version: 0).encode() == [0, 0] + assignmentV0Body)
    }

    @Test func v1AndV2GoldenBytes() throws {
        #expect(try sampleAssignment(version: 1).encode() == [0, 1] + assignmentV0Body + assignmentV1Tail)
        #expect(try sampleAssignment(version: 2).encode() == [0, 2] + assignmentV0Body + assignmentV1Tail)
    }

    @Test func roundTripsEveryVersion() throws {
        for version: Int16 in [0, 1, 2] {
            let assignment = try sampleAssignment(version: version)
            #expect(try WorkerAssignment(decoding: assignment.encode()) == assignment)
            #expect(try WorkerAssignment(decoding: assignment.encode(), compatibility: .eager).tasks == assignment.tasks)
        }
    }

    @Test func connectorSentinelAndGrouping() throws {
        // Tasks of a connector that is not itself assigned, and a task listed before its connector.
        let assignment = try WorkerAssignment(
            version: 0, leader: "m", leaderUrl: "u", configOffset: -1,
            connectors: ["b", "a", "b"], tasks: [task("a", 3), task("z", 0)]
        )
        let expected: [UInt8] =
            [0, 0, 0, 0] + kstring("m") + kstring("u") + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
            + [0, 0, 0, 3]
            + kstring("b") + [0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF]
            + kstring("a") + [0, 0, 0, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 3]
            + kstring("z") + [0, 0, 0, 1, 0, 0, 0, 0]
        #expect(try assignment.encode() == expected)
        let decoded = try WorkerAssignment(decoding: expected)
        #expect(decoded.connectors == ["b", "a"])
        #expect(decoded.tasks == [try task("a", 3), try task("z", 0)])
        #expect(decoded.configOffset == -1)
    }

    @Test func incrementalReaderFillsDefaultsForV0Data() throws {
        let decoded = try WorkerAssignment(decoding: [0, 0] + assignmentV0Body)
        #expect(decoded.version == 0)
        #expect(decoded.connectors == ["c"])
        #expect(decoded.tasks == [try task("c", 0), try task("c", 1)])
        #expect(decoded.revokedConnectors.isEmpty)
        #expect(decoded.revokedTasks.isEmpty)
        #expect(decoded.delay == 0)
    }

    @Test func incrementalReaderToleratesMissingOptionalFields() throws {
        // Ends right after config-offset: assignment, revoked and delay all take defaults.
        let headerOnly: [UInt8] = [0, 1, 0, 1] + kstring("m1") + kstring("u1") + [0, 0, 0, 0, 0, 0, 0, 9]
        let decoded = try WorkerAssignment(decoding: headerOnly)
        #expect(decoded.error == .configMismatch)
        #expect(decoded.failed)
        #expect(decoded.configOffset == 9)
        #expect(decoded.connectors.isEmpty && decoded.tasks.isEmpty)
        // The eager reader requires the assignment array.
        #expect(throws: KafkaProtocolDecodingError.self) {
            try WorkerAssignment(decoding: headerOnly, compatibility: .eager)
        }
        // Null arrays (count -1) read as empty.
        let nullArrays = headerOnly + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 5]
        let withNulls = try WorkerAssignment(decoding: nullArrays)
        #expect(withNulls.tasks.isEmpty && withNulls.revokedTasks.isEmpty)
        #expect(withNulls.delay == 5)
    }

    @Test func eagerReaderIgnoresRevocationsOfNewerVersions() throws {
        let decoded = try WorkerAssignment(decoding: [0, 2] + assignmentV0Body + assignmentV1Tail, compatibility: .eager)
        #expect(decoded.version == 2)
        #expect(decoded.tasks == [try task("c", 0), try task("c", 1)])
        #expect(decoded.revokedTasks.isEmpty)
        #expect(decoded.delay == 0)
    }

    @Test func v0EncodingDropsRevocations() throws {
        let assignment = try WorkerAssignment(version: 0, leader: "m1", leaderUrl: "u1", configOffset: 7, revokedConnectors: ["x"], delay: 5)
        let decoded = try WorkerAssignment(decoding: assignment.encode())
        #expect(decoded.revokedConnectors.isEmpty)
        #expect(decoded.delay == 0)
    }

    @Test func truncatedAndInvalidInputThrows() throws {
        let full = [0, 1] + assignmentV0Body + assignmentV1Tail
        // Valid V1 cut points: after config-offset, after the assignment array, after revoked.
        let boundaries: Set<Int> = [20, 2 + assignmentV0Body.count, full.count - 4, full.count]
        for length in 0..<full.count where !boundaries.contains(length) {
            #expect(throws: KafkaProtocolDecodingError.self) {
                try WorkerAssignment(decoding: Array(full.prefix(length)))
            }
        }
        var badTask = [0, 0] + assignmentV0Body
        badTask.replaceSubrange((badTask.count - 4)..., with: [0xFF, 0xFF, 0xFF, 0xFE])
        #expect(throws: KafkaProtocolDecodingError.self) { try WorkerAssignment(decoding: badTask) }
        // A corrupt array length cannot allocate more elements than bytes remain.
        #expect(throws: KafkaProtocolDecodingError.self) {
            try WorkerAssignment(decoding: [0, 0, 0, 0] + kstring("m") + kstring("u") + offset42 + [0x7F, 0xFF, 0xFF, 0xFF])
        }
    }
}

@Suite("Connect protocol compatibility")
struct ConnectProtocolCompatibilityTests {
    @Test func namesVersionsAndPreferences() {
        #expect(ConnectProtocolCompatibility.eager.protocolName == "default")
        #expect(ConnectProtocolCompatibility(configValue: "SESSIONED") == .sessioned)
        #expect(ConnectProtocolCompatibility(configValue: "default") == nil)
        #expect(ConnectProtocolCompatibility(protocolName: "default") == .eager)
        #expect(ConnectProtocolCompatibility(protocolName: "eager") == nil)
        #expect(ConnectProtocolCompatibility(protocolVersion: 1) == .compatible)
        #expect(ConnectProtocolCompatibility(protocolVersion: 3) == nil)
        #expect(ConnectProtocolCompatibility.sessioned.offeredProtocols.map(\.protocolName) == ["sessioned", "compatible", "default"])
        #expect(ConnectProtocolCompatibility.compatible.offeredProtocols.map(\.protocolVersion) == [1, 0])
        #expect(ConnectProtocolCompatibility.eager.offeredProtocols == [.eager])
    }

    @Test func joinGroupProtocolsCarryMetadataPerVersion() throws {
        let assignment = try sampleAssignment(version: 2)
        let protocols = try ConnectProtocolCompatibility.sessioned.joinGroupProtocols(url: url, configOffset: 42, assignment: assignment)
        #expect(protocols.map(\.name) == ["sessioned", "compatible", "default"])
        #expect(protocols.map { Array($0.metadata.prefix(2)) } == [[0, 2], [0, 1], [0, 0]])
        #expect(protocols[2].metadata == [0, 0] + urlBytes + offset42)
        let compatible = try WorkerSubscription(decoding: protocols[1].metadata)
        #expect(compatible.allocation?.version == 1)
        #expect(compatible.allocation?.revokedTasks == [try task("d", 2)])
    }

    @Test func connectorTaskIdValidates() throws {
        #expect(throws: ConnectRuntimeError.self) { try ConnectorTaskId(connector: "c", task: -1) }
        #expect(throws: ConnectRuntimeError.self) { try ConnectorTaskId(connector: String(repeating: "x", count: 40_000), task: 0) }
        let id = try ConnectorTaskId(connector: "my-conn", task: 12)
        #expect(id.description == "my-conn-12")
        #expect(try task("a", 2) < (try task("a", 10)))
        #expect(try task("a", 10) < (try task("b", 0)))
    }
}
