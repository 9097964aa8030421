import ConnectAPI

/// Receives every state change of the connectors and tasks a ``Worker`` runs (Apache's
/// `ConnectorStatus.Listener` and `TaskStatus.Listener`). The herder implements it: it writes
/// the status topic and reacts (a connector that reached RUNNING gets its task configs
/// generated).
public protocol WorkerStatusListener: Sendable {
    func connectorStateChanged(_ connector: String, to state: StatusRecord.State, trace: String?) async
    func taskStateChanged(_ task: ConnectorTaskId, to state: StatusRecord.State, trace: String?) async
    /// The connector asked for its task configs to be regenerated. Called synchronously from
    /// the connector's context; implementations only enqueue the request.
    func connectorRequestedTaskReconfiguration(_ connector: String)
    /// A task produced to (source) or consumed from (sink) `topic` (KIP-558 topic tracking,
    /// with `topic.tracking.enable`). Called for each batch's topics; implementations record a
    /// topic only when it is not recorded for the connector yet, and must not block.
    func taskUsedTopic(_ task: ConnectorTaskId, topic: String)
}

/// Where the worker's source tasks read and write their source offsets (Apache's
/// `OffsetBackingStore` as seen by one task).
public protocol WorkerOffsetStore: Sendable {
    func offsets(connector: String, partitions: [SourcePartition]) async throws -> [SourcePartition: SourceOffset]
    /// Writes offsets; a `nil` offset deletes the partition's offset (a tombstone).
    func writeOffsets(connector: String, _ offsets: [SourcePartition: SourceOffset?]) async throws
}

/// A printable trace of an error for the status topic's `trace` field.
func statusTrace(_ error: any Error) -> String {
    let type = String(reflecting: Swift.type(of: error))
    return "\(type): \(error)"
}
