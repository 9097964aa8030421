import ConnectAPI

/// Where source connectors' offsets live (Apache's `OffsetBackingStore`), keyed by
/// connector name and source partition.
public protocol OffsetBackingStore: AnyObject, Sendable {
    /// Reads everything already stored.
    func start() async throws
    func stop() async

    /// The latest offsets of `partitions` of `connector`, after reading the store to its end
    /// (offsets are read rarely: when a task starts). Partitions without an offset are absent.
    func get(connector: String, partitions: [OffsetMap]) async throws -> [OffsetMap: OffsetMap]

    /// Writes offsets (a `nil` value deletes the partition's offset) and waits until all are
    /// acknowledged. Waiting reacts to cancellation.
    func set(_ offsets: [(key: OffsetRecordKey, value: OffsetMap?)]) async throws

    /// The partitions of `connector` that have an offset, as last read (no read to the end).
    func connectorPartitions(_ connector: String) -> Set<OffsetMap>

    /// Every partition of `connector` with its offset, after reading the store to its end
    /// (`GET /connectors/{name}/offsets`).
    func connectorOffsets(_ connector: String) async throws -> [OffsetMap: OffsetMap]

    /// Reads the store to its end, so every acknowledged write is visible.
    func refresh(timeout: Duration) async throws
}
