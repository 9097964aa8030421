import ConnectAPI
/// The value of a `connector-<name>` or `task-<name>-<n>` config-topic record:
/// `{"properties":{"<key>":"<value>",…}}`.
public struct ConfigurationRecord: Hashable, Sendable {
    public var properties: [String: String]

    public init(properties: [String: String]) {
        self.properties = properties
    }

    /// Compact JSON with property keys sorted, so equal configs encode to equal bytes.
    public func encoded() -> [UInt8] {
        let members = properties.sorted { $0.key < $1.key }.map { JSONObject.Member(key: $0.key, value: .string($0.value)) }
        return ConnectJSON.serialize(JSONObject(["properties": .object(JSONObject(members))]))
    }

    /// Accepts what Apache writes. The schema allows `null` property values; those are dropped.
    /// Extra top-level fields are ignored.
    /// - Throws: ``ConnectRuntimeError`` with code `malformedRecord` if the value is not an
    ///   object, `properties` is not an object, or a property value is not a string or null.
    public init(decoding bytes: [UInt8]) throws(ConnectRuntimeError) {
        let what = "configuration record"
        let properties = try ConnectJSON.parseRecordObject(bytes, what: what).object("properties", in: what)
        var values: [String: String] = [:]
        for member in properties.members {
            switch member.value {
            case .string(let value): values[member.key] = value
            case .null: values[member.key] = nil
            case let other:
                throw ConnectRuntimeError(.malformedRecord, "\(what): property '\(member.key)' should be a string but is \(other.typeName)")
            }
        }
        self.properties = values
    }
}
