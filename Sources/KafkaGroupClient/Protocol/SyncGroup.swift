import KafkaProtocol

/// SyncGroup (key 14). v0-v3 classic (v3: group instance id), v4+ flexible, v5 protocol
/// type and name in request and response.
struct SyncGroupRequest: KafkaRequestMessage {
    typealias Response = SyncGroupResponse
    static let apiKey = KafkaAPIKey.syncGroup
    static let implementedVersions: ClosedRange<Int16> = 0...5
    static let firstFlexibleVersion: Int16 = 4

    struct Assignment: Equatable, Sendable {
        var memberId: String
        var assignment: [UInt8]
    }

    var groupId: String
    var generationId: Int32
    var memberId: String
    var groupInstanceId: String?
    var protocolType: String?
    var protocolName: String?
    /// Empty unless sent by the leader.
    var assignments: [Assignment]

    func encode(into writer: inout KafkaBinaryWriter, version: Int16) throws(KafkaProtocolEncodingError) {
        let flexible = Self.isFlexible(version)
        try writer.writeString(groupId, compact: flexible)
        writer.writeInt32(generationId)
        try writer.writeString(memberId, compact: flexible)
        if version >= 3 {
            try writer.writeNullableString(groupInstanceId, compact: flexible)
        } else if groupInstanceId != nil {
            throw KafkaProtocolEncodingError("SyncGroup v\(version) cannot carry a group instance id (v3+)")
        }
        if version >= 5 {
            try writer.writeCompactNullableString(protocolType)
            try writer.writeCompactNullableString(protocolName)
        }
        try writer.writeArray(assignments, compact: flexible) { writer, entry throws(KafkaProtocolEncodingError) in
            try writer.writeString(entry.memberId, compact: flexible)
            writer.writeBytes(entry.assignment, compact: flexible)
            writer.writeTaggedFields(ifFlexible: flexible)
        }
        writer.writeTaggedFields(ifFlexible: flexible)
    }
}

struct SyncGroupResponse: KafkaResponseMessage, Equatable {
    var throttleTimeMs: Int32
    var errorCode: KafkaProtocolErrorCode
    /// v5+.
    var protocolType: String?
    /// v5+.
    var protocolName: String?
    var assignment: [UInt8]

    init(
        throttleTimeMs: Int32 = 0, errorCode: KafkaProtocolErrorCode, protocolType: String? = nil,
        protocolName: String? = nil, assignment: [UInt8]
    ) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.protocolType = protocolType
        self.protocolName = protocolName
        self.assignment = assignment
    }

    init(from reader: inout KafkaBinaryReader, version: Int16) throws(KafkaProtocolDecodingError) {
        let flexible = SyncGroupRequest.isFlexible(version)
        throttleTimeMs = version >= 1 ? try reader.readInt32() : 0
        errorCode = KafkaProtocolErrorCode(rawValue: try reader.readInt16())
        protocolType = version >= 5 ? try reader.readCompactNullableString() : nil
        protocolName = version >= 5 ? try reader.readCompactNullableString() : nil
        // Non-nullable in the schema, but some brokers (librdkafka's mock) send null with an
        // error code; read it as empty rather than failing the whole response.
        assignment = try (flexible ? reader.readCompactNullableBytes() : reader.readNullableBytes()) ?? []
        try reader.skipTaggedFields(ifFlexible: flexible)
    }
}
