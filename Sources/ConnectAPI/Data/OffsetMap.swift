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

    /// A map of one entry (e.g. an offset), built without the duplicate check.
    public init(key: String, value: OffsetValue) {
        entries = [Entry(key: key, value: value)]
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
        lhs.sharesStorage(with: rhs) || (lhs.count == rhs.count && lhs.entries.allSatisfy { rhs[$0.key] == $0.value })
    }

    /// Whether both maps are copies of one another (same storage): a test that costs nothing
    /// and implies equality. A source task usually hands out one map per source partition.
    func sharesStorage(with other: OffsetMap) -> Bool {
        entries.withUnsafeBufferPointer { mine in
            other.entries.withUnsafeBufferPointer { theirs in
                mine.count == theirs.count && mine.baseAddress == theirs.baseAddress
            }
        }
    }

    /// Order-independent like ``==``, without sorting (no allocation): a commutative sum of the
    /// entries' own hashes. Source partitions are hashed for every record a source task sends.
    public func hash(into hasher: inout Hasher) {
        var sum = 0
        for entry in entries { sum &+= entry.hashValue }
        hasher.combine(entries.count)
        hasher.combine(sum)
    }

    /// The map as a JSON object in write order, as `JsonConverter` (schemas disabled) writes it.
    package var jsonObject: JSONObject {
        JSONObject(entries.map { JSONObject.Member(key: $0.key, value: $0.value.jsonValue) })
    }

    /// Converts a parsed JSON object; members that are arrays or objects are rejected.
    package init(jsonObject object: JSONObject, in what: String) throws(ConnectError) {
        self.init()
        for member in object.members {
            self[member.key] = try OffsetValue(jsonValue: member.value, field: member.key, in: what)
        }
    }
}

/// A source partition: where a source task reads from (e.g. `{"filename": "/tmp/a.txt"}`).
public typealias SourcePartition = OffsetMap
/// A position within a ``SourcePartition`` (e.g. `{"position": 42}`).
public typealias SourceOffset = OffsetMap

extension OffsetMap: ExpressibleByDictionaryLiteral {
    /// Dictionary literals keep their written order.
    public init(dictionaryLiteral elements: (String, OffsetValue)...) {
        self.init(elements)
    }
}

extension OffsetMap: CustomStringConvertible {
    public var description: String { String(decoding: ConnectJSON.serialize(.object(jsonObject)), as: UTF8.self) }
}
