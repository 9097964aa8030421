import KafkaProtocol

/// JoinGroup (key 11). v2-v5 classic (v4: MEMBER_ID_REQUIRED handshake, v5: group instance
/// id), v6+ flexible, v7 protocol type in the response, v8 `reason`, v9 `skip_assignment`.
struct JoinGroupRequest: KafkaRequestMessage {
    typealias Response = JoinGroupResponse
    static let apiKey = KafkaAPIKey.joinGroup
    static let implementedVersions: ClosedRange<Int16> = 2...9
    static let firstFlexibleVersion: Int16 = 6

    var groupId: String
    var sessionTimeoutMs: Int32
    var rebalanceTimeoutMs: Int32
    var memberId: String
    var groupInstanceId: String?
    var protocolType: String
    var protocols: [GroupProtocol]
    var reason: String?

    func encode(into writer: inout KafkaBinaryWriter, version: Int16) throws(KafkaProtocolEncodingError) {
        let flexible = Self.isFlexible(version)
        try writer.writeString(groupId, compact: flexible)
        writer.writeInt32(sessionTimeoutMs)
        writer.writeInt32(rebalanceTimeoutMs)
        try writer.writeString(memberId, compact: flexible)
        if version >= 5 {
            try writer.writeNullableString(groupInstanceId, compact: flexible)
        } else if groupInstanceId != nil {
            throw KafkaProtocolEncodingError("JoinGroup v\(version) cannot carry a group instance id (v5+)")
        }
        try writer.writeString(protocolType, compact: flexible)
        try writer.writeArray(protocols, compact: flexible) { writer, entry throws(KafkaProtocolEncodingError) in
            try writer.writeString(entry.name, compact: flexible)
            writer.writeBytes(entry.metadata, compact: flexible)
            writer.writeTaggedFields(ifFlexible: flexible)
        }
        if version >= 8 { try writer.writeCompactNullableString(reason) }
        writer.writeTaggedFields(ifFlexible: flexible)
    }
}

struct JoinGroupResponse: KafkaResponseMessage, Equatable {
    var throttleTimeMs: Int32
    var errorCode: KafkaProtocolErrorCode
    var generationId: Int32
    /// v7+; nil before.
    var protocolType: String?
    /// Null only in v7+ error responses.
    var protocolName: String?
    var leader: String
    /// v9+: the leader must not run the assignment (static members only).
    var skipAssignment: Bool
    var memberId: String
    var members: [GroupMemberMetadata]

    init(
        throttleTimeMs: Int32 = 0, errorCode: KafkaProtocolErrorCode, generationId: Int32, protocolType: String?,
        protocolName: String?, leader: String, skipAssignment: Bool = false, memberId: String, members: [GroupMemberMetadata]
    ) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.generationId = generationId
        self.protocolType = protocolType
        self.protocolName = protocolName
        self.leader = leader
        self.skipAssignment = skipAssignment
        self.memberId = memberId
        self.members = members
    }

    init(from reader: inout KafkaBinaryReader, version: Int16) throws(KafkaProtocolDecodingError) {
        let flexible = JoinGroupRequest.isFlexible(version)
        throttleTimeMs = try reader.readInt32()
        errorCode = KafkaProtocolErrorCode(rawValue: try reader.readInt16())
        generationId = try reader.readInt32()
        protocolType = version >= 7 ? try reader.readCompactNullableString() : nil
        protocolName = version >= 7 ? try reader.readCompactNullableString() : try reader.readString(compact: flexible)
        leader = try reader.readString(compact: flexible)
        skipAssignment = version >= 9 ? try reader.readBool() : false
        memberId = try reader.readString(compact: flexible)
        members = try reader.readArray(compact: flexible) { reader throws(KafkaProtocolDecodingError) in
            let memberId = try reader.readString(compact: flexible)
            let groupInstanceId = version >= 5 ? try reader.readNullableString(compact: flexible) : nil
            let metadata = try reader.readBytes(compact: flexible)
            try reader.skipTaggedFields(ifFlexible: flexible)
            return GroupMemberMetadata(memberId: memberId, groupInstanceId: groupInstanceId, metadata: metadata)
        }
        try reader.skipTaggedFields(ifFlexible: flexible)
    }
}
