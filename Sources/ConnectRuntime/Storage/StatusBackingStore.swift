/// Where workers publish connector, task and topic-usage statuses (Apache's `StatusBackingStore`).
///
/// Writes are asynchronous: a status becomes visible through the getters only once it has
/// been read back from the store, on every worker alike. A status with state `DESTROYED`
/// deletes the entry (a tombstone); that is how a deleted connector's statuses are removed.
public protocol StatusBackingStore: AnyObject, Sendable {
    /// Reads everything already stored.
    func start() async throws
    func stop() async

    /// Writes the status unconditionally.
    func put(_ status: ConnectorStatus)
    /// Writes the status unless the stored one came from another worker in a newer generation.
    func putSafe(_ status: ConnectorStatus)
    func put(_ status: TaskStatus)
    func putSafe(_ status: TaskStatus)
    /// Records that a connector uses a topic (KIP-558).
    func put(_ status: TopicStatusRecord)
    /// Forgets that a connector uses a topic (a tombstone).
    func deleteTopic(connector: String, topic: String)

    func get(connector: String) -> ConnectorStatus?
    func get(task: ConnectorTaskId) -> TaskStatus?
    /// The known task statuses of a connector, by task number.
    func getAll(connector: String) -> [TaskStatus]
    /// Every connector with a known status.
    func connectors() -> Set<String>
    func getTopic(connector: String, topic: String) -> TopicStatusRecord?
    /// The topics a connector uses, by topic name.
    func getAllTopics(connector: String) -> [TopicStatusRecord]

    /// Waits until every status written so far is acknowledged (at most `timeout`; nil: the
    /// client's default API timeout).
    func flush(timeout: Duration?) async throws
    /// Reads the store to its end, so every acknowledged status is visible through the getters.
    func refresh(timeout: Duration) async throws
}
