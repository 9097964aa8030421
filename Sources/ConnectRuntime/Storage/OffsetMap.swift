/// A source partition or source offset: string keys mapped to primitive ``OffsetValue``s.
///
/// Entries keep their insertion order, because the offsets topic is compacted by the exact
/// key bytes and those bytes list the partition's fields in the order they were written.
/// Equality ignores order, like Java's `Map.equals`.
public struct OffsetMap: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public var key: String
        public var value: OffsetValue

        public init(key: String, value: OffsetValue) {
            self.key = key
            self.value = value
        }
    }

    /// The entries in write order; keys are unique.
    public private(set) var entries: [Entry]

    public init() { entries = [] }

    /// Builds a map from ordered pairs; a repeated key replaces the earlier value in place.
    public init(_ pairs: some Sequence<(String, OffsetValue)>) {
        entries = []
        for (key, value) in pairs { self[key] = value }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [String] { entries.map(\.key) }

    /// Reads a value, or sets one (keeping an existing key's position); assigning `nil` removes the key.
    public subscript(key: String) -> OffsetValue? {
        get { entries.first { $0.key == key }?.value }
        set {
            let position = entries.firstIndex { $0.key == key }
            switch (position, newValue) {
            case (let index?, let value?): entries[index].value = value
            case (let index?, nil): entries.remove(at: index)
            case (nil, let value?): entries.append(Entry(key: key, value: value))
            case (nil, nil): break
            }
        }
    }

    public static func == (lhs: OffsetMap, rhs: OffsetMap) -> Bool {
        lhs.count == rhs.count && lhs.entries.allSatisfy { rhs[$0.key] == $0.value }
    }

    public func hash(into hasher: inout Hasher) {
        for entry in entries.sorted(by: { $0.key < $1.key }) { hasher.combine(entry) }
    }

    var json: JSONValue {
        .object(JSONObject(entries.map { JSONObject.Member(key: $0.key, value: $0.value.json) }))
    }

    init(json object: JSONObject, in what: String) throws(ConnectRuntimeError) {
        self.init()
        for member in object.members {
            self[member.key] = try OffsetValue(json: member.value, field: member.key, in: what)
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
        switch try ConnectJSON.parse(bytes, what: what) {
        case .null: return nil
        case .object(let object): return try OffsetMap(json: object, in: what)
        case let other:
            throw ConnectRuntimeError(.malformedRecord, "\(what) must be a JSON object or null but is \(other.typeName)")
        }
    }
}

extension OffsetMap: ExpressibleByDictionaryLiteral {
    /// Dictionary literals keep their written order.
    public init(dictionaryLiteral elements: (String, OffsetValue)...) {
        self.init(elements)
    }
}

extension OffsetMap: CustomStringConvertible {
    public var description: String { String(decoding: ConnectJSON.serialize(json), as: UTF8.self) }
}
