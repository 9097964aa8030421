import KafkaProtocol

/// Heartbeat (key 12). v0-v3 classic (v3: group instance id), v4 flexible.
struct HeartbeatRequest: KafkaRequestMessage {
    typealias Response = HeartbeatResponse
    static let apiKey = KafkaAPIKey.heartbeat
    static let implementedVersions: ClosedRange<Int16> = 0...4
    static let firstFlexibleVersion: Int16 = 4

    var groupId: String
    var generationId: Int32
    var memberId: String
    var groupInstanceId: String?

    func encode(into writer: inout KafkaBinaryWriter, version: Int16) throws(KafkaProtocolEncodingError) {
        let flexible = Self.isFlexible(version)
        try writer.writeString(groupId, compact: flexible)
        writer.writeInt32(generationId)
        try writer.writeString(memberId, compact: flexible)
        if version >= 3 {
            try writer.writeNullableString(groupInstanceId, compact: flexible)
        } else if groupInstanceId != nil {
            throw KafkaProtocolEncodingError("Heartbeat v\(version) cannot carry a group instance id (v3+)")
        }
        writer.writeTaggedFields(ifFlexible: flexible)
    }
}

struct HeartbeatResponse: KafkaResponseMessage, Equatable {
    var throttleTimeMs: Int32
    var errorCode: KafkaProtocolErrorCode

    init(throttleTimeMs: Int32 = 0, errorCode: KafkaProtocolErrorCode) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
    }

    init(from reader: inout KafkaBinaryReader, version: Int16) throws(KafkaProtocolDecodingError) {
        throttleTimeMs = version >= 1 ? try reader.readInt32() : 0
        errorCode = KafkaProtocolErrorCode(rawValue: try reader.readInt16())
        try reader.skipTaggedFields(ifFlexible: HeartbeatRequest.isFlexible(version))
    }
}
