import ConnectAPI

/// One partition's offset (`{"partition":{..},"offset":{..}}`); a `nil` offset in a
/// `PATCH /connectors/{c}/offsets` request deletes that partition's offset.
///
/// Source connectors use their own partition and offset maps; sink connectors use
/// `{"kafka_topic","kafka_partition"}` and `{"kafka_offset"}`.
public struct ConnectorOffset: Sendable, Hashable {
    public var partition: OffsetMap?
    public var offset: OffsetMap?

    public init(partition: OffsetMap?, offset: OffsetMap?) {
        self.partition = partition
        self.offset = offset
    }

    var json: JSONValue {
        .object(JSONObject([
            "partition": partition?.json ?? .null,
            "offset": offset?.json ?? .null,
        ]))
    }
}

/// The body of `GET /connectors/{c}/offsets` and `PATCH /connectors/{c}/offsets`:
/// `{"offsets":[{"partition":{..},"offset":{..}}]}`.
public struct ConnectorOffsets: Sendable, Hashable {
    public var offsets: [ConnectorOffset]

    public init(offsets: [ConnectorOffset]) {
        self.offsets = offsets
    }

    var json: JSONValue {
        .object(JSONObject(["offsets": .array(offsets.map(\.json))]))
    }

    public func jsonBytes() -> [UInt8] { ConnectJSON.serialize(json) }

    /// Parses a `PATCH` body. A missing or `null` `offsets` list parses as empty (the REST layer
    /// rejects empty lists with Apache's message).
    /// - Throws: ``ConnectRestError`` `badRequest` for malformed JSON, unknown fields, or
    ///   partition/offset values that are not strings, numbers, booleans or `null`.
    public init(jsonBytes bytes: [UInt8]) throws(ConnectRestError) {
        let what = "connector offsets request"
        let object = try RestJSON.parseObject(bytes, what: what)
        var offsets: [ConnectorOffset] = []
        for member in object.members {
            guard member.key == "offsets" else {
                throw .badRequest("Unrecognized field \"\(member.key)\" in \(what)")
            }
            switch member.value {
            case .null: offsets = []
            case .array(let elements):
                offsets = []
                for element in elements {
                    guard case .object(let entry) = element else {
                        throw .badRequest("Each element of 'offsets' must be a JSON object, not \(element.typeName)")
                    }
                    var partition: OffsetMap?
                    var offset: OffsetMap?
                    for field in entry.members {
                        switch field.key {
                        case "partition": partition = try RestJSON.offsetMap(field.value, field: "partition")
                        case "offset": offset = try RestJSON.offsetMap(field.value, field: "offset")
                        default: throw .badRequest("Unrecognized field \"\(field.key)\" in connector offset")
                        }
                    }
                    offsets.append(ConnectorOffset(partition: partition, offset: offset))
                }
            default:
                throw .badRequest("'offsets' must be a JSON array, not \(member.value.typeName)")
            }
        }
        self.init(offsets: offsets)
    }
}
