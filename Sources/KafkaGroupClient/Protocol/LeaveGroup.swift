import KafkaProtocol

/// LeaveGroup (key 13). v0-v2 one member id, v3 a `members` array (batch, static members),
/// v4+ flexible, v5 a `reason` per member.
struct LeaveGroupRequest: KafkaRequestMessage {
    typealias Response = LeaveGroupResponse
    static let apiKey = KafkaAPIKey.leaveGroup
    static let implementedVersions: ClosedRange<Int16> = 0...5
    static let firstFlexibleVersion: Int16 = 4

    var groupId: String
    var memberId: String
    var groupInstanceId: String?
    var reason: String?

    func encode(into writer: inout KafkaBinaryWriter, version: Int16) throws(KafkaProtocolEncodingError) {
        let flexible = Self.isFlexible(version)
        try writer.writeString(groupId, compact: flexible)
        if version <= 2 {
            guard groupInstanceId == nil else {
                throw KafkaProtocolEncodingError("LeaveGroup v\(version) cannot carry a group instance id (v3+)")
            }
            try writer.writeString(memberId)
        } else {
            try writer.writeArray([self], compact: flexible) { writer, member throws(KafkaProtocolEncodingError) in
                try writer.writeString(member.memberId, compact: flexible)
                try writer.writeNullableString(member.groupInstanceId, compact: flexible)
                if version >= 5 { try writer.writeCompactNullableString(member.reason) }
                writer.writeTaggedFields(ifFlexible: flexible)
            }
        }
        writer.writeTaggedFields(ifFlexible: flexible)
    }
}

struct LeaveGroupResponse: KafkaResponseMessage, Equatable {
    struct Member: Equatable, Sendable {
        var memberId: String
        var groupInstanceId: String?
        var errorCode: KafkaProtocolErrorCode
    }

    var throttleTimeMs: Int32
    var errorCode: KafkaProtocolErrorCode
    /// v3+: the outcome per leaving member.
    var members: [Member]

    init(throttleTimeMs: Int32 = 0, errorCode: KafkaProtocolErrorCode, members: [Member] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.members = members
    }

    init(from reader: inout KafkaBinaryReader, version: Int16) throws(KafkaProtocolDecodingError) {
        let flexible = LeaveGroupRequest.isFlexible(version)
        throttleTimeMs = version >= 1 ? try reader.readInt32() : 0
        errorCode = KafkaProtocolErrorCode(rawValue: try reader.readInt16())
        if version >= 3 {
            members = try reader.readArray(compact: flexible) { reader throws(KafkaProtocolDecodingError) in
                let member = Member(
                    memberId: try reader.readString(compact: flexible),
                    groupInstanceId: try reader.readNullableString(compact: flexible),
                    errorCode: KafkaProtocolErrorCode(rawValue: try reader.readInt16())
                )
                try reader.skipTaggedFields(ifFlexible: flexible)
                return member
            }
        } else {
            members = []
        }
        try reader.skipTaggedFields(ifFlexible: flexible)
    }

    /// The top-level error, else the first per-member error.
    var firstError: KafkaProtocolErrorCode {
        if errorCode != .none { return errorCode }
        return members.first { $0.errorCode != .none }?.errorCode ?? .none
    }
}
