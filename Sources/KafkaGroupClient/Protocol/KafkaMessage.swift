import KafkaProtocol

/// A Kafka request body with its encodings for the versions this target implements.
protocol KafkaRequestMessage: Sendable {
    associatedtype Response: KafkaResponseMessage
    static var apiKey: KafkaAPIKey { get }
    /// The versions this target can encode and decode.
    static var implementedVersions: ClosedRange<Int16> { get }
    /// First version using the compact encodings and tagged fields (KIP-482).
    static var firstFlexibleVersion: Int16 { get }
    func encode(into writer: inout KafkaBinaryWriter, version: Int16) throws(KafkaProtocolEncodingError)
}

extension KafkaRequestMessage {
    static func isFlexible(_ version: Int16) -> Bool { version >= firstFlexibleVersion }

    /// The request body alone, for golden-bytes tests.
    func encodedBody(version: Int16) throws(KafkaProtocolEncodingError) -> [UInt8] {
        var writer = KafkaBinaryWriter()
        try encode(into: &writer, version: version)
        return writer.bytes
    }
}

/// A Kafka response body.
protocol KafkaResponseMessage: Sendable {
    init(from reader: inout KafkaBinaryReader, version: Int16) throws(KafkaProtocolDecodingError)
}

extension KafkaResponseMessage {
    /// Decodes a complete response body (without the response header) and insists every byte is used.
    init(decoding body: [UInt8], version: Int16) throws(KafkaProtocolDecodingError) {
        var reader = KafkaBinaryReader(body)
        try self.init(from: &reader, version: version)
        try reader.expectEnd("\(Self.self) v\(version)")
    }
}

/// Request and response framing: a 4-byte size, then the header, then the body.
enum KafkaFraming {
    /// A complete request frame. Header v2 (tagged fields) for flexible versions, else v1;
    /// the client id is a classic nullable STRING in both.
    static func encodeRequest<Request: KafkaRequestMessage>(
        _ request: Request, version: Int16, correlationId: Int32, clientId: String?
    ) throws(KafkaProtocolEncodingError) -> [UInt8] {
        var writer = KafkaBinaryWriter(reservingCapacity: 128)
        writer.writeInt32(0)  // size, patched below
        writer.writeInt16(Request.apiKey.rawValue)
        writer.writeInt16(version)
        writer.writeInt32(correlationId)
        try writer.writeNullableString(clientId)
        writer.writeTaggedFields(ifFlexible: Request.isFlexible(version))
        try request.encode(into: &writer, version: version)
        var bytes = writer.bytes
        let size = UInt32(bytes.count - 4)
        bytes[0] = UInt8(truncatingIfNeeded: size >> 24)
        bytes[1] = UInt8(truncatingIfNeeded: size >> 16)
        bytes[2] = UInt8(truncatingIfNeeded: size >> 8)
        bytes[3] = UInt8(truncatingIfNeeded: size)
        return bytes
    }

    /// Whether the response to this request carries header v1 (tagged fields). ApiVersions
    /// responses always use header v0, so a client can read them before it knows the versions.
    static func responseHasTaggedHeader<Request: KafkaRequestMessage>(_ type: Request.Type, version: Int16) -> Bool {
        Request.isFlexible(version) && Request.apiKey != .apiVersions
    }

    /// Decodes a response frame's content (the bytes after the size): header, then body.
    static func decodeResponse<Request: KafkaRequestMessage>(
        _ type: Request.Type, version: Int16, frame: [UInt8]
    ) throws(KafkaProtocolDecodingError) -> (correlationId: Int32, response: Request.Response) {
        var reader = KafkaBinaryReader(frame)
        let correlationId = try reader.readInt32()
        if responseHasTaggedHeader(type, version: version) { try reader.skipTaggedFields() }
        let response = try Request.Response(from: &reader, version: version)
        try reader.expectEnd("\(Request.Response.self) v\(version)")
        return (correlationId, response)
    }
}
