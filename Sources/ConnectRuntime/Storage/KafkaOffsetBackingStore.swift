import ConnectAPI
import Kafka
import Logging
import Synchronization

/// The ``OffsetBackingStore`` of distributed mode: the compacted offsets topic
/// (`offset.storage.topic`), like Apache's `KafkaOffsetBackingStore`.
///
/// Record keys are `["<connector>",{<partition>}]` and values the offset JSON (tombstone to
/// delete), byte for byte as Apache writes them, and the producer hashes keys like Java's
/// (murmur2), so each key goes to the partition Apache would use and compaction keeps one
/// offset per source partition whichever runtime wrote it. Offsets are kept in memory by
/// connector and partition; a partition map matches regardless of its fields' order.
public final class KafkaOffsetBackingStore: OffsetBackingStore {
    public let topic: InternalTopic
    private let log: KafkaBasedLog
    private let topicAdmin: TopicAdmin
    private let offsets: OffsetTable
    private let readTimeout: Duration
    private let logger: Logger

    /// - Parameters:
    ///   - topic: the offsets topic; created compacted with its partitions if missing, and
    ///     refused if it exists with a cleanup policy other than `compact`.
    ///   - clientConfiguration: Kafka client properties for the store's producer and consumer.
    ///   - clientId: `client.id` of both clients (Apache uses `<client id base>offsets`).
    ///   - topicAdmin: creates and checks the topic; not closed by the store.
    ///   - readTimeout: bounds the read to the end in ``get(connector:partitions:)`` and
    ///     ``connectorOffsets(_:)``.
    public init(
        topic: InternalTopic,
        clientConfiguration: KafkaConfiguration,
        clientId: String? = nil,
        topicAdmin: TopicAdmin,
        readTimeout: Duration = .seconds(30),
        logger: Logger
    ) {
        self.topic = topic
        self.topicAdmin = topicAdmin
        self.readTimeout = readTimeout
        let logger = logger.taggedWithTopic(topic.name)
        self.logger = logger
        let offsets = OffsetTable(logger: logger)
        self.offsets = offsets
        log = KafkaBasedLog(
            storeTopic: topic.name, clientConfiguration: clientConfiguration, clientId: clientId,
            topicAdmin: topicAdmin, logger: logger, consume: { offsets.apply($0) })
    }

    /// Creates or checks the topic, then reads it to the end.
    ///
    /// - Throws: `ConfigException` if the topic is not compacted only; ``KafkaError`` for I/O failures.
    public func start() async throws {
        logger.info("Starting KafkaOffsetBackingStore")
        try await topicAdmin.initialize(topic)
        try await log.start()
        logger.info("Finished reading offsets topic and started KafkaOffsetBackingStore")
    }

    public func stop() async {
        await log.stop()
    }

    public func get(connector: String, partitions: [OffsetMap]) async throws -> [OffsetMap: OffsetMap] {
        try await log.readToEnd(timeout: readTimeout)
        return offsets.offsets(of: connector, partitions: partitions)
    }

    public func set(_ entries: [(key: OffsetRecordKey, value: OffsetMap?)]) async throws {
        guard !entries.isEmpty else { return }
        let records = entries.map { entry in
            (key: Optional(entry.key.encoded()), value: OffsetMap.encodeOffsetRecordValue(entry.value))
        }
        try await log.send(records)
    }

    public func connectorPartitions(_ connector: String) -> Set<OffsetMap> {
        offsets.partitions(of: connector)
    }

    public func connectorOffsets(_ connector: String) async throws -> [OffsetMap: OffsetMap] {
        try await log.readToEnd(timeout: readTimeout)
        return offsets.offsets(of: connector)
    }

    /// Reads to the end, so every acknowledged write is visible.
    public func refresh(timeout: Duration) async throws {
        try await log.readToEnd(timeout: timeout)
    }
}

/// The offsets read from the topic, by connector and partition.
final class OffsetTable: Sendable {
    private let table = Mutex<[String: [OffsetMap: OffsetMap]]>([:])
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func apply(_ record: ConsumerRecord) {
        guard let keyBytes = record.key else {
            logger.warning("Ignoring offset record without a key", metadata: ["kafka.partition": "\(record.partition)", "kafka.offset": "\(record.offset)"])
            return
        }
        let key: OffsetRecordKey
        let offset: OffsetMap?
        do {
            key = try OffsetRecordKey(decoding: keyBytes)
            offset = try OffsetMap.decodeOffsetRecordValue(record.value)
        } catch {
            logger.warning("Ignoring offset record with an unexpected format", metadata: [
                "kafka.partition": "\(record.partition)", "kafka.offset": "\(record.offset)", "connect.error": "\(error)",
            ])
            return
        }
        table.withLock { table in
            if let offset {
                table[key.connector, default: [:]][key.partition] = offset
            } else {
                table[key.connector]?[key.partition] = nil
                if table[key.connector]?.isEmpty == true { table[key.connector] = nil }
            }
        }
    }

    func offsets(of connector: String, partitions: [OffsetMap]) -> [OffsetMap: OffsetMap] {
        table.withLock { table in
            guard let known = table[connector] else { return [:] }
            var result: [OffsetMap: OffsetMap] = [:]
            for partition in partitions {
                if let offset = known[partition] { result[partition] = offset }
            }
            return result
        }
    }

    func offsets(of connector: String) -> [OffsetMap: OffsetMap] {
        table.withLock { $0[connector] ?? [:] }
    }

    func partitions(of connector: String) -> Set<OffsetMap> {
        table.withLock { Set(($0[connector] ?? [:]).keys) }
    }
}
