import ConnectAPI

/// The offsets topic's JSON for ``OffsetMap`` (the type lives in ConnectAPI, where tasks use
/// it): members in the map's insertion order, so key bytes match what was written.
extension OffsetMap {
    var json: JSONValue { .object(jsonObject) }

    init(json object: JSONObject, in what: String) throws(ConnectRuntimeError) {
        do {
            try self.init(jsonObject: object, in: what)
        } catch {
            throw ConnectRuntimeError(.malformedRecord, error.message)
        }
    }

    // MARK: Offsets topic values

    /// The offsets-topic record value for `offset`: a JSON object, or `nil` (a tombstone) when
    /// the offset is `nil`, as `JsonConverter` writes it.
    public static func encodeOffsetRecordValue(_ offset: OffsetMap?) -> [UInt8]? {
        offset.map { ConnectJSON.serialize($0.json) }
    }

    /// Decodes an offsets-topic record value. A missing value (tombstone) and a JSON `null`
    /// both decode to `nil`.
    /// - Throws: ``ConnectRuntimeError`` with code `malformedRecord` for anything other than
    ///   an object of primitive values or `null`.
    public static func decodeOffsetRecordValue(_ bytes: [UInt8]?) throws(ConnectRuntimeError) -> OffsetMap? {
        guard let bytes else { return nil }
        let what = "offset record value"
        switch try ConnectJSON.parseRecord(bytes, what: what) {
        case .null: return nil
        case .object(let object): return try OffsetMap(json: object, in: what)
        case let other:
            throw ConnectRuntimeError(.malformedRecord, "\(what) must be a JSON object or null but is \(other.typeName)")
        }
    }
}
