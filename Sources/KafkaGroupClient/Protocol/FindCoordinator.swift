import KafkaProtocol

/// FindCoordinator (key 10) for a group (key type 0). v1-v2 classic, v3 flexible, v4+ batched
/// (`coordinator_keys` array in, `coordinators` array out).
struct FindCoordinatorRequest: KafkaRequestMessage {
    typealias Response = FindCoordinatorResponse
    static let apiKey = KafkaAPIKey.findCoordinator
    static let implementedVersions: ClosedRange<Int16> = 1...4
    static let firstFlexibleVersion: Int16 = 3

    /// Key type 0: a group id (1 would be a transactional id).
    static let groupKeyType: Int8 = 0

    var key: String
    var keyType: Int8 = Self.groupKeyType

    func encode(into writer: inout KafkaBinaryWriter, version: Int16) throws(KafkaProtocolEncodingError) {
        let flexible = Self.isFlexible(version)
        if version <= 3 { try writer.writeString(key, compact: flexible) }
        writer.writeInt8(keyType)
        if version >= 4 { try writer.writeCompactArray([key]) { writer, key throws(KafkaProtocolEncodingError) in try writer.writeCompactString(key) } }
        writer.writeTaggedFields(ifFlexible: flexible)
    }
}

struct FindCoordinatorResponse: KafkaResponseMessage, Equatable {
    /// One coordinator; v1-v3 responses carry exactly one, with the request's key.
    struct Coordinator: Equatable, Sendable {
        var key: String?
        var nodeId: Int32
        var host: String
        var port: Int32
        var errorCode: KafkaProtocolErrorCode
        var errorMessage: String?
    }

    var throttleTimeMs: Int32
    var coordinators: [Coordinator]

    init(throttleTimeMs: Int32 = 0, coordinators: [Coordinator]) {
        self.throttleTimeMs = throttleTimeMs
        self.coordinators = coordinators
    }

    init(from reader: inout KafkaBinaryReader, version: Int16) throws(KafkaProtocolDecodingError) {
        let flexible = FindCoordinatorRequest.isFlexible(version)
        throttleTimeMs = try reader.readInt32()
        if version >= 4 {
            coordinators = try reader.readCompactArray { reader throws(KafkaProtocolDecodingError) in
                let coordinator = Coordinator(
                    key: try reader.readCompactString(),
                    nodeId: try reader.readInt32(),
                    host: try reader.readCompactString(),
                    port: try reader.readInt32(),
                    errorCode: KafkaProtocolErrorCode(rawValue: try reader.readInt16()),
                    errorMessage: try reader.readCompactNullableString()
                )
                try reader.skipTaggedFields()
                return coordinator
            }
        } else {
            let errorCode = KafkaProtocolErrorCode(rawValue: try reader.readInt16())
            let errorMessage = try reader.readNullableString(compact: flexible)
            coordinators = [
                Coordinator(
                    key: nil,
                    nodeId: try reader.readInt32(),
                    host: try reader.readString(compact: flexible),
                    port: try reader.readInt32(),
                    errorCode: errorCode,
                    errorMessage: errorMessage
                )
            ]
        }
        try reader.skipTaggedFields(ifFlexible: flexible)
    }
}
