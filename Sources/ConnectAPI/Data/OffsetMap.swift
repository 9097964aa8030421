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

    /// One entry inline (a source offset is usually one number: no heap allocation per
    /// record), or any number of entries in an array.
    private enum Storage: Sendable {
        case single(Entry)
        case multiple([Entry])
    }

    private var storage: Storage

    /// The entries in write order; keys are unique.
    public var entries: [Entry] {
        switch storage {
        case .single(let entry): [entry]
        case .multiple(let entries): entries
        }
    }

    public init() { storage = .multiple([]) }

    /// Builds a map from ordered pairs; a repeated key replaces the earlier value in place.
    public init(_ pairs: some Sequence<(String, OffsetValue)>) {
        storage = .multiple([])
        for (key, value) in pairs { self[key] = value }
    }

    /// A map of one entry (e.g. an offset), built without the duplicate check.
    public init(key: String, value: OffsetValue) {
        storage = .single(Entry(key: key, value: value))
    }

    public var count: Int {
        switch storage {
        case .single: 1
        case .multiple(let entries): entries.count
        }
    }

    public var isEmpty: Bool { count == 0 }
    public var keys: [String] { entries.map(\.key) }

    /// Reads a value, or sets one (keeping an existing key's position); assigning `nil` removes the key.
    public subscript(key: String) -> OffsetValue? {
        get {
            // (`OffsetValue` is nil-literal convertible: a bare `nil` here would mean `.null`.)
            switch storage {
            case .single(let entry): entry.key == key ? Optional(entry.value) : Optional.none
            case .multiple(let entries): entries.first { $0.key == key }?.value
            }
        }
        set {
            var entries = self.entries
            storage = .multiple([])  // leaves `entries` the only reference: mutated in place
            let position = entries.firstIndex { $0.key == key }
            switch (position, newValue) {
            case (let index?, let value?): entries[index].value = value
            case (let index?, nil): entries.remove(at: index)
            case (nil, let value?): entries.append(Entry(key: key, value: value))
            case (nil, nil): break
            }
            storage = entries.count == 1 ? .single(entries[0]) : .multiple(entries)
        }
    }

    public static func == (lhs: OffsetMap, rhs: OffsetMap) -> Bool {
        switch (lhs.storage, rhs.storage) {
        case (.single(let mine), .single(let theirs)):
            return mine == theirs
        default:
            if lhs.sharesStorage(with: rhs) { return true }
            return lhs.count == rhs.count && lhs.allEntries { rhs[$0.key] == $0.value }
        }
    }

    /// Whether both maps are copies of one array of entries (same storage): a test that costs
    /// nothing and implies equality. A source task usually hands out one map per source partition.
    func sharesStorage(with other: OffsetMap) -> Bool {
        guard case .multiple(let mine) = storage, case .multiple(let theirs) = other.storage else { return false }
        return mine.withUnsafeBufferPointer { mine in
            theirs.withUnsafeBufferPointer { theirs in
                mine.count == theirs.count && mine.baseAddress == theirs.baseAddress
            }
        }
    }

    /// Whether every entry satisfies `predicate`, without building an array.
    private func allEntries(_ predicate: (Entry) -> Bool) -> Bool {
        switch storage {
        case .single(let entry): predicate(entry)
        case .multiple(let entries): entries.allSatisfy(predicate)
        }
    }

    /// Order-independent like ``==``, without sorting (no allocation): a commutative sum of the
    /// entries' own hashes. Source partitions are hashed for every record a source task sends.
    public func hash(into hasher: inout Hasher) {
        var sum = 0
        switch storage {
        case .single(let entry): sum = entry.hashValue
        case .multiple(let entries): for entry in entries { sum &+= entry.hashValue }
        }
        hasher.combine(count)
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
