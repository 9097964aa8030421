import KafkaProtocol
import Testing

@testable import KafkaGroupClient

/// Golden bytes for every request and response layout the group client uses, written by hand
/// from the Kafka protocol specification (kafka.apache.org/protocol, the message JSON schemas).
/// Notation: classic STRING = INT16 length + UTF-8, compact = unsigned varint (length + 1),
/// `00` at the end of flexible structures = empty tagged-field section.
@Suite struct GroupProtocolCodecTests {
    // MARK: Primitives

    @Test func unsignedVarints() throws {
        for (value, bytes) in [(UInt32(0), "00"), (1, "01"), (127, "7f"), (128, "80 01"), (300, "ac 02"), (UInt32.max, "ff ff ff ff 0f")] {
            var writer = KafkaBinaryWriter()
            writer.writeUnsignedVarint(value)
            #expect(writer.bytes == hex(bytes), "\(value)")
            var reader = KafkaBinaryReader(hex(bytes))
            #expect(try reader.readUnsignedVarint() == value)
            #expect(reader.isAtEnd)
        }
        var tooLong = KafkaBinaryReader(hex("ff ff ff ff ff 01"))
        #expect(throws: KafkaProtocolDecodingError.self) { try tooLong.readUnsignedVarint() }
        var tooBig = KafkaBinaryReader(hex("ff ff ff ff 1f"))
        #expect(throws: KafkaProtocolDecodingError.self) { try tooBig.readUnsignedVarint() }
        var truncated = KafkaBinaryReader(hex("80"))
        #expect(throws: KafkaProtocolDecodingError.self) { try truncated.readUnsignedVarint() }
    }

    @Test func compactFieldsAndTaggedFields() throws {
        var writer = KafkaBinaryWriter()
        try writer.writeCompactString("ab")
        try writer.writeCompactNullableString(nil)
        try writer.writeCompactString("")
        writer.writeCompactBytes([1, 2, 3])
        writer.writeEmptyTaggedFields()
        #expect(writer.bytes == hex("03 61 62 | 00 | 01 | 04 01 02 03 | 00"))

        // Two tagged fields (tag 0 with 2 bytes, tag 5 with 0 bytes) are skipped by size.
        var reader = KafkaBinaryReader(hex("03 61 62 | 00 | 04 01 02 03 | 02 00 02 aa bb 05 00 | 7f"))
        #expect(try reader.readCompactString() == "ab")
        #expect(try reader.readCompactNullableString() == nil)
        #expect(try reader.readCompactBytes() == [1, 2, 3])
        try reader.skipTaggedFields()
        #expect(try reader.readInt8() == 0x7f)

        var overlong = KafkaBinaryReader(hex("05 61 62"))
        #expect(throws: KafkaProtocolDecodingError.self) { try overlong.readCompactString() }
        var nullString = KafkaBinaryReader(hex("00"))
        #expect(throws: KafkaProtocolDecodingError.self) { try nullString.readCompactString() }
        var badUTF8 = KafkaBinaryReader(hex("02 ff"))
        #expect(throws: KafkaProtocolDecodingError.self) { try badUTF8.readCompactString() }
        var truncatedTag = KafkaBinaryReader(hex("01 00 05 aa"))
        #expect(throws: KafkaProtocolDecodingError.self) { try truncatedTag.skipTaggedFields() }
    }

    // MARK: Headers and ApiVersions (key 18)

    @Test func requestHeaderV2AndApiVersionsV3Request() throws {
        let frame = try KafkaFraming.encodeRequest(
            ApiVersionsRequest(clientSoftwareName: "sc", clientSoftwareVersion: "1"), version: 3, correlationId: 7, clientId: "c")
        #expect(
            frame == hex(
                """
                00 00 00 12
                00 12 | 00 03 | 00 00 00 07 | 00 01 63 | 00
                03 73 63 | 02 31 | 00
                """))
    }

    @Test func requestHeaderV1AndApiVersionsV0Request() throws {
        let frame = try KafkaFraming.encodeRequest(
            ApiVersionsRequest(clientSoftwareName: "sc", clientSoftwareVersion: "1"), version: 0, correlationId: 1, clientId: "c")
        #expect(frame == hex("00 00 00 0b | 00 12 | 00 00 | 00 00 00 01 | 00 01 63"))
    }

    @Test func apiVersionsV3ResponseUsesHeaderV0() throws {
        // Header v0 (no tagged fields, even though v3 is flexible), then the body with a
        // tagged field (tag 0, 2 bytes) at the end.
        let frame = hex(
            """
            00 00 00 07
            00 00 | 03 | 00 0b 00 00 00 07 00 | 00 12 00 00 00 03 00 | 00 00 00 00 | 01 00 02 aa bb
            """)
        let (correlationId, response) = try KafkaFraming.decodeResponse(ApiVersionsRequest.self, version: 3, frame: frame)
        #expect(correlationId == 7)
        #expect(response.errorCode == .none)
        #expect(response.versions(of: .joinGroup) == 0...7)
        #expect(response.versions(of: .apiVersions) == 0...3)
        #expect(response.versions(of: .heartbeat) == nil)
    }

    @Test func apiVersionsV0Response() throws {
        let response = try ApiVersionsResponse(decoding: hex("00 23 | 00 00 00 01 | 00 12 00 00 00 02"), version: 0)
        #expect(response == ApiVersionsResponse(errorCode: .unsupportedVersion, apiKeys: [.init(apiKey: 18, minVersion: 0, maxVersion: 2)]))
    }

    @Test func unsupportedApiVersionsAnswers() throws {
        // Apache brokers answer a too-new ApiVersions request in the v0 layout.
        let apache = try KafkaBrokerConnection.decodeApiVersions(
            hex("00 00 00 05 | 00 23 | 00 00 00 01 | 00 12 00 00 00 02"), version: 3, correlationId: 5)
        #expect(apache.errorCode == .unsupportedVersion)
        #expect(apache.versions(of: .apiVersions) == 0...2)
        // librdkafka 2.0's mock broker writes an INT8 count and a throttle time instead:
        // unparseable, so it advertises nothing (and the client falls back to v0).
        let mock = try KafkaBrokerConnection.decodeApiVersions(
            hex("00 00 00 05 | 00 23 | 01 | 00 12 00 00 00 02 | 00 00 00 00"), version: 3, correlationId: 5)
        #expect(mock.errorCode == .unsupportedVersion)
        #expect(mock.apiKeys.isEmpty)
        #expect(throws: KafkaProtocolDecodingError.self) {
            try KafkaBrokerConnection.decodeApiVersions(hex("00 00 00 06 | 00 00 | 00 00 00 00"), version: 0, correlationId: 5)
        }
    }

    @Test func flexibleResponseHeaderV1IsSkipped() throws {
        // Heartbeat v4 response: header v1 = correlation id + tagged fields.
        let frame = hex("00 00 00 2a | 00 | 00 00 00 00 | 00 1b | 00")
        let (correlationId, response) = try KafkaFraming.decodeResponse(HeartbeatRequest.self, version: 4, frame: frame)
        #expect(correlationId == 42)
        #expect(response == HeartbeatResponse(errorCode: .rebalanceInProgress))
        // Trailing garbage is an error, never ignored.
        #expect(throws: KafkaProtocolDecodingError.self) {
            try KafkaFraming.decodeResponse(HeartbeatRequest.self, version: 4, frame: frame + [0])
        }
    }

    // MARK: FindCoordinator (key 10)

    @Test func findCoordinatorRequests() throws {
        let request = FindCoordinatorRequest(key: "g1")
        #expect(try encode(request, version: 1) == hex("00 02 67 31 | 00"))
        #expect(try encode(request, version: 2) == hex("00 02 67 31 | 00"))
        #expect(try encode(request, version: 3) == hex("03 67 31 | 00 | 00"))
        // v4: key type first, then the batched key array.
        #expect(try encode(request, version: 4) == hex("00 | 02 03 67 31 | 00"))
    }

    @Test func findCoordinatorResponses() throws {
        let v1 = try FindCoordinatorResponse(
            decoding: hex("00 00 00 00 | 00 00 | ff ff | 00 00 00 01 | 00 09 \(ascii("127.0.0.1")) | 00 00 23 84"), version: 1)
        #expect(v1.coordinators == [.init(key: nil, nodeId: 1, host: "127.0.0.1", port: 9092, errorCode: .none, errorMessage: nil)])

        let v3 = try FindCoordinatorResponse(
            decoding: hex("00 00 00 05 | 00 0f | 06 \(ascii("later")) | ff ff ff ff | 01 | ff ff ff ff | 00"), version: 3)
        #expect(v3.throttleTimeMs == 5)
        #expect(v3.coordinators == [.init(key: nil, nodeId: -1, host: "", port: -1, errorCode: .coordinatorNotAvailable, errorMessage: "later")])

        let v4 = try FindCoordinatorResponse(
            decoding: hex(
                """
                00 00 00 00 | 02
                03 67 31 | 00 00 00 02 | 05 \(ascii("host")) | 00 00 23 85 | 00 00 | 00 | 00
                00
                """), version: 4)
        #expect(v4.coordinators == [.init(key: "g1", nodeId: 2, host: "host", port: 9093, errorCode: .none, errorMessage: nil)])
    }

    // MARK: JoinGroup (key 11)

    private let joinRequest = JoinGroupRequest(
        groupId: "g", sessionTimeoutMs: 10000, rebalanceTimeoutMs: 60000, memberId: "", groupInstanceId: nil,
        protocolType: "connect", protocols: [GroupProtocol(name: "a", metadata: [1, 2]), GroupProtocol(name: "b", metadata: [])],
        reason: "r")

    @Test func joinGroupClassicRequests() throws {
        let v4 = """
            00 01 67 | 00 00 27 10 | 00 00 ea 60 | 00 00 | 00 07 \(ascii("connect"))
            00 00 00 02 | 00 01 61 00 00 00 02 01 02 | 00 01 62 00 00 00 00
            """
        #expect(try encode(joinRequest, version: 2) == hex(v4))
        #expect(try encode(joinRequest, version: 4) == hex(v4))
        // v5 adds the nullable group instance id after the member id.
        #expect(
            try encode(joinRequest, version: 5) == hex(
                """
                00 01 67 | 00 00 27 10 | 00 00 ea 60 | 00 00 | ff ff | 00 07 \(ascii("connect"))
                00 00 00 02 | 00 01 61 00 00 00 02 01 02 | 00 01 62 00 00 00 00
                """))
    }

    @Test func joinGroupFlexibleRequests() throws {
        let v6 = """
            02 67 | 00 00 27 10 | 00 00 ea 60 | 01 | 00 | 08 \(ascii("connect"))
            03 | 02 61 03 01 02 00 | 02 62 01 00
            """
        #expect(try encode(joinRequest, version: 6) == hex(v6 + " 00"))
        #expect(try encode(joinRequest, version: 7) == hex(v6 + " 00"))
        // v8+ adds the reason before the tagged fields.
        #expect(try encode(joinRequest, version: 8) == hex(v6 + " 02 72 | 00"))
        #expect(try encode(joinRequest, version: 9) == hex(v6 + " 02 72 | 00"))
        var withMemberId = joinRequest
        withMemberId.memberId = "m1"
        withMemberId.reason = nil
        #expect(
            try encode(withMemberId, version: 8) == hex(
                """
                02 67 | 00 00 27 10 | 00 00 ea 60 | 03 6d 31 | 00 | 08 \(ascii("connect"))
                03 | 02 61 03 01 02 00 | 02 62 01 00 | 00 | 00
                """))
    }

    @Test func joinGroupRejectsInstanceIdBeforeV5() {
        var request = joinRequest
        request.groupInstanceId = "i"
        #expect(throws: KafkaProtocolEncodingError.self) { try encode(request, version: 4) }
    }

    @Test func joinGroupResponses() throws {
        let member = GroupMemberMetadata(memberId: "m1", groupInstanceId: nil, metadata: [1, 2])
        let v5 = try JoinGroupResponse(
            decoding: hex(
                """
                00 00 00 00 | 00 00 | 00 00 00 01 | 00 01 61 | 00 02 6d 31 | 00 02 6d 31
                00 00 00 01 | 00 02 6d 31 | ff ff | 00 00 00 02 01 02
                """), version: 5)
        #expect(
            v5 == JoinGroupResponse(
                errorCode: .none, generationId: 1, protocolType: nil, protocolName: "a", leader: "m1", memberId: "m1",
                members: [member]))

        let v4 = try JoinGroupResponse(
            decoding: hex(
                """
                00 00 00 00 | 00 00 | 00 00 00 03 | 00 01 61 | 00 02 6d 31 | 00 02 6d 32
                00 00 00 01 | 00 02 6d 31 | 00 00 00 02 01 02
                """), version: 4)
        #expect(v4.generationId == 3)
        #expect(v4.memberId == "m2")
        #expect(v4.members == [member])

        let memberIdRequired = try JoinGroupResponse(
            decoding: hex("00 00 00 00 | 00 4f | ff ff ff ff | 00 00 | 00 00 | 00 03 \(ascii("m-1")) | 00 00 00 00"), version: 4)
        #expect(memberIdRequired.errorCode == .memberIdRequired)
        #expect(memberIdRequired.memberId == "m-1")

        let v7 = try JoinGroupResponse(
            decoding: hex(
                """
                00 00 00 00 | 00 00 | 00 00 00 01 | 08 \(ascii("connect")) | 02 61 | 03 6d 31 | 03 6d 31
                02 | 03 6d 31 | 00 | 03 01 02 | 00
                00
                """), version: 7)
        #expect(
            v7 == JoinGroupResponse(
                errorCode: .none, generationId: 1, protocolType: "connect", protocolName: "a", leader: "m1", memberId: "m1",
                members: [member]))

        // v7 error responses carry null protocol type and name.
        let v7Error = try JoinGroupResponse(
            decoding: hex("00 00 00 00 | 00 19 | ff ff ff ff | 00 | 00 | 01 | 01 | 01 | 00"), version: 7)
        #expect(v7Error.errorCode == .unknownMemberId)
        #expect(v7Error.protocolName == nil)
        #expect(v7Error.members.isEmpty)

        // v9: skip_assignment after the leader.
        let v9 = try JoinGroupResponse(
            decoding: hex(
                """
                00 00 00 00 | 00 00 | 00 00 00 02 | 08 \(ascii("connect")) | 02 61 | 03 6d 31 | 01 | 03 6d 32
                01 | 00
                """), version: 9)
        #expect(v9.skipAssignment)
        #expect(v9.memberId == "m2")
        #expect(v9.members.isEmpty)
    }

    // MARK: SyncGroup (key 14)

    private let syncRequest = SyncGroupRequest(
        groupId: "g", generationId: 2, memberId: "m1", groupInstanceId: nil, protocolType: "connect", protocolName: "a",
        assignments: [.init(memberId: "m1", assignment: [7]), .init(memberId: "m2", assignment: [])])

    @Test func syncGroupRequests() throws {
        let v0 = """
            00 01 67 | 00 00 00 02 | 00 02 6d 31
            00 00 00 02 | 00 02 6d 31 00 00 00 01 07 | 00 02 6d 32 00 00 00 00
            """
        #expect(try encode(syncRequest, version: 0) == hex(v0))
        #expect(try encode(syncRequest, version: 2) == hex(v0))
        #expect(
            try encode(syncRequest, version: 3) == hex(
                """
                00 01 67 | 00 00 00 02 | 00 02 6d 31 | ff ff
                00 00 00 02 | 00 02 6d 31 00 00 00 01 07 | 00 02 6d 32 00 00 00 00
                """))
        #expect(
            try encode(syncRequest, version: 4) == hex(
                """
                02 67 | 00 00 00 02 | 03 6d 31 | 00
                03 | 03 6d 31 02 07 00 | 03 6d 32 01 00 | 00
                """))
        #expect(
            try encode(syncRequest, version: 5) == hex(
                """
                02 67 | 00 00 00 02 | 03 6d 31 | 00 | 08 \(ascii("connect")) | 02 61
                03 | 03 6d 31 02 07 00 | 03 6d 32 01 00 | 00
                """))
    }

    @Test func syncGroupResponses() throws {
        #expect(try SyncGroupResponse(decoding: hex("00 00 | 00 00 00 02 01 02"), version: 0) == SyncGroupResponse(errorCode: .none, assignment: [1, 2]))
        #expect(
            try SyncGroupResponse(decoding: hex("00 00 00 09 | 00 1b | 00 00 00 00"), version: 3)
                == SyncGroupResponse(throttleTimeMs: 9, errorCode: .rebalanceInProgress, assignment: []))
        #expect(try SyncGroupResponse(decoding: hex("00 00 00 00 | 00 00 | 03 01 02 | 00"), version: 4).assignment == [1, 2])
        // A null assignment (sent with errors by some brokers) reads as empty.
        #expect(
            try SyncGroupResponse(decoding: hex("00 00 00 00 | 00 16 | ff ff ff ff"), version: 3)
                == SyncGroupResponse(errorCode: .illegalGeneration, assignment: []))
        #expect(try SyncGroupResponse(decoding: hex("00 00 00 00 | 00 1b | 00 | 00"), version: 4).assignment == [])
        #expect(
            try SyncGroupResponse(decoding: hex("00 00 00 00 | 00 00 | 08 \(ascii("connect")) | 02 61 | 03 01 02 | 00"), version: 5)
                == SyncGroupResponse(errorCode: .none, protocolType: "connect", protocolName: "a", assignment: [1, 2]))
    }

    // MARK: Heartbeat (key 12)

    @Test func heartbeatRequestsAndResponses() throws {
        let request = HeartbeatRequest(groupId: "g", generationId: 5, memberId: "m1")
        #expect(try encode(request, version: 0) == hex("00 01 67 | 00 00 00 05 | 00 02 6d 31"))
        #expect(try encode(request, version: 3) == hex("00 01 67 | 00 00 00 05 | 00 02 6d 31 | ff ff"))
        #expect(try encode(request, version: 4) == hex("02 67 | 00 00 00 05 | 03 6d 31 | 00 | 00"))

        #expect(try HeartbeatResponse(decoding: hex("00 16"), version: 0) == HeartbeatResponse(errorCode: .illegalGeneration))
        #expect(try HeartbeatResponse(decoding: hex("00 00 00 01 | 00 00"), version: 3) == HeartbeatResponse(throttleTimeMs: 1, errorCode: .none))
        #expect(try HeartbeatResponse(decoding: hex("00 00 00 00 | 00 19 | 00"), version: 4) == HeartbeatResponse(errorCode: .unknownMemberId))
    }

    // MARK: LeaveGroup (key 13)

    @Test func leaveGroupRequests() throws {
        let request = LeaveGroupRequest(groupId: "g", memberId: "m1", reason: "bye")
        #expect(try encode(request, version: 0) == hex("00 01 67 | 00 02 6d 31"))
        #expect(try encode(request, version: 2) == hex("00 01 67 | 00 02 6d 31"))
        #expect(try encode(request, version: 3) == hex("00 01 67 | 00 00 00 01 | 00 02 6d 31 ff ff"))
        #expect(try encode(request, version: 4) == hex("02 67 | 02 | 03 6d 31 00 00 | 00"))
        #expect(try encode(request, version: 5) == hex("02 67 | 02 | 03 6d 31 00 04 \(ascii("bye")) 00 | 00"))
    }

    @Test func leaveGroupResponses() throws {
        #expect(try LeaveGroupResponse(decoding: hex("00 19"), version: 0).firstError == .unknownMemberId)
        #expect(try LeaveGroupResponse(decoding: hex("00 00 00 00 | 00 00"), version: 2) == LeaveGroupResponse(errorCode: .none))
        let v3 = try LeaveGroupResponse(decoding: hex("00 00 00 00 | 00 00 | 00 00 00 01 | 00 02 6d 31 ff ff 00 19"), version: 3)
        #expect(v3.members == [.init(memberId: "m1", groupInstanceId: nil, errorCode: .unknownMemberId)])
        #expect(v3.firstError == .unknownMemberId)
        let v5 = try LeaveGroupResponse(decoding: hex("00 00 00 00 | 00 00 | 02 | 03 6d 31 00 00 00 00 | 00"), version: 5)
        #expect(v5.members == [.init(memberId: "m1", groupInstanceId: nil, errorCode: .none)])
        #expect(v5.firstError == .none)
    }

    // MARK: Malformed input

    @Test func truncatedResponsesThrowInsteadOfTrapping() throws {
        let complete = hex(
            """
            00 00 00 00 | 00 00 | 00 00 00 01 | 08 \(ascii("connect")) | 02 61 | 03 6d 31 | 03 6d 31
            02 | 03 6d 31 | 00 | 03 01 02 | 00
            00
            """)
        for length in 0..<complete.count {
            #expect(throws: KafkaProtocolDecodingError.self) { try JoinGroupResponse(decoding: Array(complete.prefix(length)), version: 7) }
        }
        // An array count far beyond the input is rejected before allocating.
        #expect(throws: KafkaProtocolDecodingError.self) {
            try JoinGroupResponse(decoding: hex("00 00 00 00 | 00 00 | 00 00 00 01 | 00 01 61 | 00 00 | 00 00 | 7f ff ff ff"), version: 5)
        }
    }
}
