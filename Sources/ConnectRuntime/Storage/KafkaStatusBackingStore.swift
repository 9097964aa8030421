import Kafka
import Logging
import Synchronization

/// The ``StatusBackingStore`` of distributed mode: the compacted status topic
/// (`status.storage.topic`), like Apache's `KafkaStatusBackingStore`.
///
/// Writes are fire-and-forget; a write that fails with a retriable error is sent again
/// unless it has become stale (the entry was deleted, a newer generation was written, or,
/// for ``putSafe(_:)``, a newer status was put). ``putSafe(_:)`` skips the write when the
/// status last read was written by another worker in a newer generation. When reading, a
/// task's `UNASSIGNED` status does not replace a `RUNNING` one of the same or a newer
/// generation (a race during rebalances).
public final class KafkaStatusBackingStore: StatusBackingStore {
    private struct Entry {
        var value: StatusRecord?
        /// Counts writes through this store, so a retry can tell it was superseded.
        var sequence = 0
        /// Tells entries apart across removal and re-creation.
        var incarnation: Int

        func canWriteSafely(_ status: StatusRecord) -> Bool {
            guard let value else { return true }
            return value.workerId == status.workerId || value.generation <= status.generation
        }
    }

    private struct State {
        var connectors: [String: Entry] = [:]
        var tasks: [String: [Int32: Entry]] = [:]
        var topics: [String: [String: TopicStatusRecord]] = [:]
        /// The generation of the latest status written through this store.
        var generation: Int32 = 0
        var nextIncarnation = 0

        mutating func newEntry() -> Entry {
            defer { nextIncarnation += 1 }
            return Entry(incarnation: nextIncarnation)
        }

        subscript(key: StatusRecordKey) -> Entry? {
            get {
                switch key {
                case .connector(let connector): connectors[connector]
                case .task(let id): tasks[id.connector]?[id.task]
                case .topic: nil
                }
            }
            set {
                switch key {
                case .connector(let connector): connectors[connector] = newValue
                case .task(let id):
                    tasks[id.connector, default: [:]][id.task] = newValue
                    if tasks[id.connector]?.isEmpty == true { tasks[id.connector] = nil }
                case .topic: break
                }
            }
        }
    }

    public let topic: InternalTopic
    private let log: KafkaBasedLog
    private let topicAdmin: TopicAdmin
    private let state = Mutex(State())
    private let logger: Logger

    /// - Parameters:
    ///   - topic: the status topic; created compacted with its partitions if missing, and
    ///     refused if it exists with a cleanup policy other than `compact`.
    ///   - clientConfiguration: Kafka client properties for the store's producer and consumer.
    ///   - clientId: `client.id` of both clients (Apache uses `<client id base>statuses`).
    ///   - topicAdmin: creates and checks the topic; not closed by the store.
    public init(
        topic: InternalTopic,
        clientConfiguration: KafkaConfiguration,
        clientId: String? = nil,
        topicAdmin: TopicAdmin,
        logger: Logger
    ) {
        self.topic = topic
        self.topicAdmin = topicAdmin
        self.logger = logger.taggedWithTopic(topic.name)
        let reader = StatusReader()
        log = KafkaBasedLog(
            storeTopic: topic.name, clientConfiguration: clientConfiguration, clientId: clientId,
            topicAdmin: topicAdmin, logger: logger, consume: { reader.store?.read($0) })
        reader.store = self
    }

    // MARK: Lifecycle

    /// Creates or checks the topic, then reads it to the end.
    ///
    /// - Throws: `ConfigException` if the topic is not compacted only; ``KafkaError`` for I/O failures.
    public func start() async throws {
        try await topicAdmin.initialize(topic)
        try await log.start()
    }

    public func stop() async {
        await log.stop()
    }

    /// Reads to the end, so every acknowledged status is visible through the getters.
    public func refresh(timeout: Duration) async throws {
        try await log.readToEnd(timeout: timeout)
    }

    public func flush(timeout: Duration? = nil) async throws {
        try await log.flush(timeout: timeout)
    }

    // MARK: Writing

    public func put(_ status: ConnectorStatus) {
        send(.connector(status.connector), status.record, safeWrite: false)
    }

    public func putSafe(_ status: ConnectorStatus) {
        send(.connector(status.connector), status.record, safeWrite: true)
    }

    public func put(_ status: TaskStatus) {
        send(.task(status.id), status.record, safeWrite: false)
    }

    public func putSafe(_ status: TaskStatus) {
        send(.task(status.id), status.record, safeWrite: true)
    }

    /// Also visible through ``getTopic(connector:topic:)`` at once (not only once read back), so
    /// a topic is recorded once even while its record is in flight.
    public func put(_ status: TopicStatusRecord) {
        state.withLock { $0.topics[status.connector, default: [:]][status.topic] = status }
        sendTopicStatus(.topic(topic: status.topic, connector: status.connector), status.encoded())
    }

    /// Also forgotten at once, so a topic still in use is recorded again after the tombstone.
    public func deleteTopic(connector: String, topic: String) {
        state.withLock { state in
            state.topics[connector]?[topic] = nil
            if state.topics[connector]?.isEmpty == true { state.topics[connector] = nil }
        }
        sendTopicStatus(.topic(topic: topic, connector: connector), nil)
    }

    private func send(_ key: StatusRecordKey, _ status: StatusRecord, safeWrite: Bool) {
        let write = state.withLock { state -> (sequence: Int, incarnation: Int)? in
            state.generation = status.generation
            var entry = state[key] ?? state.newEntry()
            guard !safeWrite || entry.canWriteSafely(status) else { return nil }
            entry.sequence += 1
            state[key] = entry
            return (entry.sequence, entry.incarnation)
        }
        guard let write else {
            logger.debug("Not overwriting a status written by another worker in a newer generation", metadata: ["connect.status.key": "\(key)"])
            return
        }
        let value = status.state == .destroyed ? nil : status.encoded()
        attempt(key, value) { [weak self] in
            // Retry only while this write is still the one that counts.
            self?.state.withLock { state in
                guard let entry = state[key], entry.incarnation == write.incarnation else { return false }
                return status.generation == state.generation
                    && (!safeWrite || (entry.canWriteSafely(status) && entry.sequence == write.sequence))
            } ?? false
        }
    }

    private func sendTopicStatus(_ key: StatusRecordKey, _ value: [UInt8]?) {
        attempt(key, value) { true }
    }

    /// Sends a record; a retriable delivery failure is retried while `stillCurrent` holds.
    private func attempt(_ key: StatusRecordKey, _ value: [UInt8]?, stillCurrent: @escaping @Sendable () -> Bool) {
        do {
            try log.send(key: Array(key.key.utf8), value: value) { [weak self] result in
                guard case .failure(let error) = result, let self else { return }
                if error.isRetriable, stillCurrent() {
                    self.logger.warning("Retrying status update", metadata: ["connect.status.key": "\(key)", "kafka.error": "\(error)"])
                    self.attempt(key, value, stillCurrent: stillCurrent)
                } else {
                    self.logger.error("Failed to write status update", metadata: ["connect.status.key": "\(key)", "kafka.error": "\(error)"])
                }
            }
        } catch {
            logger.error("Failed to write status update", metadata: ["connect.status.key": "\(key)", "kafka.error": "\(error)"])
        }
    }

    // MARK: Reading

    public func get(connector: String) -> ConnectorStatus? {
        state.withLock { $0.connectors[connector]?.value }.map { ConnectorStatus(connector: connector, record: $0) }
    }

    public func get(task: ConnectorTaskId) -> TaskStatus? {
        state.withLock { $0.tasks[task.connector]?[task.task]?.value }.map { TaskStatus(id: task, record: $0) }
    }

    public func getAll(connector: String) -> [TaskStatus] {
        let entries = state.withLock { $0.tasks[connector] ?? [:] }
        return entries.sorted { $0.key < $1.key }.compactMap { task, entry in
            entry.value.map { TaskStatus(id: ConnectorTaskId(validatedConnector: connector, task: task), record: $0) }
        }
    }

    public func connectors() -> Set<String> {
        state.withLock { Set($0.connectors.keys) }
    }

    public func getTopic(connector: String, topic: String) -> TopicStatusRecord? {
        state.withLock { $0.topics[connector]?[topic] }
    }

    public func getAllTopics(connector: String) -> [TopicStatusRecord] {
        state.withLock { ($0.topics[connector] ?? [:]).sorted { $0.key < $1.key }.map(\.value) }
    }

    fileprivate func read(_ record: ConsumerRecord) {
        guard let keyBytes = record.key else {
            logger.warning("Discarding status record without a key")
            return
        }
        let keyString = String(decoding: keyBytes, as: UTF8.self)
        let key: StatusRecordKey
        do {
            key = try StatusRecordKey(parsing: keyString)
        } catch {
            logger.warning("Discarding record with invalid key", metadata: ["connect.status.key": "\(keyString)"])
            return
        }
        switch key {
        case .connector(let connector):
            guard let value = record.value else {
                state.withLock { state in
                    state.connectors[connector] = nil
                    state.tasks[connector] = nil
                }
                return
            }
            guard let status = decode(value, key) else { return }
            state.withLock { state in
                var entry = state.connectors[connector] ?? state.newEntry()
                entry.value = status
                state.connectors[connector] = entry
            }
        case .task:
            guard let value = record.value else {
                state.withLock { state in state[key] = nil }
                return
            }
            guard let status = decode(value, key) else { return }
            state.withLock { state in
                var entry = state[key] ?? state.newEntry()
                if status.state == .unassigned, let current = entry.value, current.state == .running, current.generation >= status.generation {
                    // Written by a worker that had not yet read the newer RUNNING status.
                    return
                }
                entry.value = status
                state[key] = entry
            }
        case .topic(let topic, let connector):
            guard let value = record.value else {
                state.withLock { state in
                    state.topics[connector]?[topic] = nil
                    if state.topics[connector]?.isEmpty == true { state.topics[connector] = nil }
                }
                return
            }
            do {
                let status = try TopicStatusRecord(decoding: value)
                state.withLock { $0.topics[connector, default: [:]][topic] = status }
            } catch {
                logger.warning("Failed to parse topic status", metadata: ["connect.status.key": "\(key)", "connect.error": "\(error)"])
            }
        }
    }

    private func decode(_ value: [UInt8], _ key: StatusRecordKey) -> StatusRecord? {
        do {
            return try StatusRecord(decoding: value)
        } catch {
            logger.warning("Failed to parse status", metadata: ["connect.status.key": "\(key)", "connect.error": "\(error)"])
            return nil
        }
    }
}

/// Lets the log's callback reach the store without the log keeping the store alive.
private final class StatusReader: Sendable {
    private let reference = Mutex<WeakStatusStore>(WeakStatusStore())

    var store: KafkaStatusBackingStore? {
        get { reference.withLock { $0.store } }
        set { reference.withLock { $0.store = newValue } }
    }
}

private struct WeakStatusStore {
    weak var store: KafkaStatusBackingStore?
}
