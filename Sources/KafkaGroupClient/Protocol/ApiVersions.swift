import KafkaProtocol

/// ApiVersions (key 18): which versions of each API the broker supports. Sent first on every
/// connection. v0-v2 have an empty body; v3+ (flexible) name the client software.
struct ApiVersionsRequest: KafkaRequestMessage {
    typealias Response = ApiVersionsResponse
    static let apiKey = KafkaAPIKey.apiVersions
    static let implementedVersions: ClosedRange<Int16> = 0...3
    static let firstFlexibleVersion: Int16 = 3

    var clientSoftwareName: String
    var clientSoftwareVersion: String

    func encode(into writer: inout KafkaBinaryWriter, version: Int16) throws(KafkaProtocolEncodingError) {
        guard version >= 3 else { return }
        try writer.writeCompactString(clientSoftwareName)
        try writer.writeCompactString(clientSoftwareVersion)
        writer.writeEmptyTaggedFields()
    }
}

struct ApiVersionsResponse: KafkaResponseMessage, Equatable {
    struct ApiVersion: Equatable, Sendable {
        var apiKey: Int16
        var minVersion: Int16
        var maxVersion: Int16
    }

    var errorCode: KafkaProtocolErrorCode
    var apiKeys: [ApiVersion]
    var throttleTimeMs: Int32

    init(errorCode: KafkaProtocolErrorCode, apiKeys: [ApiVersion], throttleTimeMs: Int32 = 0) {
        self.errorCode = errorCode
        self.apiKeys = apiKeys
        self.throttleTimeMs = throttleTimeMs
    }

    init(from reader: inout KafkaBinaryReader, version: Int16) throws(KafkaProtocolDecodingError) {
        let flexible = ApiVersionsRequest.isFlexible(version)
        errorCode = KafkaProtocolErrorCode(rawValue: try reader.readInt16())
        apiKeys = try reader.readArray(compact: flexible) { reader throws(KafkaProtocolDecodingError) in
            let key = ApiVersion(
                apiKey: try reader.readInt16(), minVersion: try reader.readInt16(), maxVersion: try reader.readInt16())
            try reader.skipTaggedFields(ifFlexible: flexible)
            return key
        }
        throttleTimeMs = version >= 1 ? try reader.readInt32() : 0
        try reader.skipTaggedFields(ifFlexible: flexible)
    }

    /// The supported version range of `key`, if the broker supports it at all.
    func versions(of key: KafkaAPIKey) -> ClosedRange<Int16>? {
        guard let entry = apiKeys.first(where: { $0.apiKey == key.rawValue }), entry.minVersion <= entry.maxVersion else {
            return nil
        }
        return entry.minVersion...entry.maxVersion
    }
}
