/// A value kept in one shared heap box and copied only when a shared box is mutated: copying
/// the wrapper costs one reference count, however many reference-counted fields the value has.
/// ``SourceRecord`` and ``Schema`` keep their fields in one, because the runtime copies them
/// several times per record.
struct CopyOnWriteBox<Value: Hashable & Sendable>: Hashable, @unchecked Sendable {
    // Unchecked: the box is mutated only while uniquely referenced, so it is never shared mutably.
    private final class Storage {
        // Unchecked: reads happen for every field of every record (a dynamic exclusivity check
        // each cost a thread-local look-up), and the only write is `_modify` below on a
        // uniquely referenced box, which no other access can overlap.
        @exclusivity(unchecked) var value: Value
        init(_ value: Value) { self.value = value }
    }

    private var storage: Storage

    init(_ value: Value) {
        storage = Storage(value)
    }

    /// The value, read in place and mutated in place (after copying a shared box).
    var value: Value {
        _read { yield storage.value }
        _modify {
            if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.value) }
            yield &storage.value
        }
    }

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.value == rhs.storage.value
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(storage.value)
    }
}
