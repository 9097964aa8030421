import KafkaProtocol

/// Shared framing for the MirrorMaker 2 record codecs: an optional INT16 version header,
/// then the fields of a fixed schema, with no bytes left over.
enum RecordCodec {
    static func encode<Failure: Error>(
        versionHeader: Int16? = nil, _ writeFields: (inout KafkaBinaryWriter) throws(Failure) -> Void
    ) throws(Failure) -> [UInt8] {
        var writer = KafkaBinaryWriter()
        if let versionHeader { writer.writeInt16(versionHeader) }
        try writeFields(&writer)
        return writer.bytes
    }

    /// Decodes `bytes` with `readFields`, first checking the version header when one is expected.
    /// - Parameter part: names the record part in errors, e.g. `Checkpoint value`.
    static func decode<Fields>(
        _ part: String,
        from bytes: [UInt8],
        versionHeader: Int16? = nil,
        _ readFields: (inout KafkaBinaryReader) throws(KafkaProtocolDecodingError) -> Fields
    ) throws(MirrorClientError) -> Fields {
        var reader = KafkaBinaryReader(bytes)
        let malformed = { (error: KafkaProtocolDecodingError) in
            MirrorClientError(.malformedRecord, "\(part): \(error)", decodingError: error)
        }
        if let versionHeader {
            let version: Int16
            do { version = try reader.readInt16() } catch { throw malformed(error) }
            guard version == versionHeader else {
                throw MirrorClientError(.unsupportedVersion, "\(part) has version \(version); only \(versionHeader) is supported")
            }
        }
        do {
            let fields = try readFields(&reader)
            try reader.expectEnd(part)
            return fields
        } catch {
            throw malformed(error)
        }
    }
}
