/// Where the cluster's connector configs, task configs, target states, restart requests,
/// session keys and cluster-wide log levels live (Apache's `ConfigBackingStore`).
///
/// Writes go to the store and come back through its reader: the snapshot and the listener
/// see a change only once it has been read back, on every worker alike.
public protocol ConfigBackingStore: AnyObject, Sendable {
    /// Reads everything already stored; the listener is not called for what is read here.
    func start() async throws
    func stop() async

    /// The current state. Cheap: a copy of what has been applied so far.
    func snapshot() -> ClusterConfigState
    func contains(connector: String) -> Bool

    /// Set before ``start()``; called on the store's reader for every change read after start.
    func setUpdateListener(_ listener: (any ConfigUpdateListener)?)

    /// Writes the connector config, preceded by `targetState` when given, and reads it back.
    func putConnectorConfig(_ connector: String, _ config: [String: String], targetState: TargetState?) async throws
    /// Deletes the connector's config and target state (tombstones) and reads that back.
    func removeConnectorConfig(_ connector: String) async throws
    /// Writes the task configs (task `i` gets `configs[i]`) and then their commit, reading back
    /// after each step.
    func putTaskConfigs(_ connector: String, _ configs: [[String: String]]) async throws
    /// Reads to the end of the store, so the snapshot includes every acknowledged write.
    func refresh(timeout: Duration) async throws
    /// Writes the target state; waits for the acknowledgement only (the change arrives via the
    /// listener), as Apache does.
    func putTargetState(_ connector: String, _ state: TargetState) async throws
    func putSessionKey(_ sessionKey: SessionKey) async throws
    func putRestartRequest(_ connector: String, _ request: RestartRequestRecord) async throws
    func putTaskCountRecord(_ connector: String, taskCount: Int32) async throws
    /// Writes a cluster-wide log level (KIP-976); waits for the acknowledgement only.
    func putLoggerLevel(namespace: String, level: String) async throws
}

/// Receives the changes a ``ConfigBackingStore`` reads (Apache's `ConfigBackingStore.UpdateListener`).
///
/// Called on the store's reader, one change at a time and after the change is in the
/// snapshot. Implementations should only hand the event on (e.g. to the herder's mailbox):
/// the store reads nothing further until a callback returns.
public protocol ConfigUpdateListener: Sendable {
    /// A connector config was added or changed.
    func onConnectorConfigUpdate(_ connector: String)
    /// A connector config was deleted.
    func onConnectorConfigRemove(_ connector: String)
    /// Task configs were committed; lists the tasks whose configs were applied (empty when
    /// the commit left the connector inconsistent or had no tasks).
    func onTaskConfigUpdate(_ tasks: [ConnectorTaskId])
    /// The target state of an existing connector changed.
    func onConnectorTargetStateChange(_ connector: String)
    func onSessionKeyUpdate(_ sessionKey: SessionKey)
    func onRestartRequest(_ connector: String, _ request: RestartRequestRecord)
    /// A cluster-wide log level was written after this worker started (KIP-976).
    func onLoggerLevelUpdate(namespace: String, level: String)
}
