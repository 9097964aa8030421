import ConnectAPI
import Synchronization

/// An offset store the tests fill directly.
final class InMemoryOffsetReader: OffsetStorageReader {
    let stored: Mutex<[SourcePartition: SourceOffset]>

    init(_ offsets: [SourcePartition: SourceOffset] = [:]) { stored = Mutex(offsets) }

    func offsets(for partitions: [SourcePartition]) async throws -> [SourcePartition: SourceOffset] {
        stored.withLock { all in all.filter { partitions.contains($0.key) } }
    }

    /// Records the offsets of `records` as committed, as the runtime would after writing them.
    func commit(_ records: [SourceRecord]) {
        stored.withLock { all in
            for record in records {
                if let partition = record.sourcePartition, let offset = record.sourceOffset { all[partition] = offset }
            }
        }
    }
}

struct TestSourceTaskContext: SourceTaskContext {
    var configs: [String: String]
    var offsetStorageReader: any OffsetStorageReader
}

final class TestSinkTaskContext: SinkTaskContext {
    let configs: [String: String]
    let commitRequests = Mutex(0)

    init(configs: [String: String]) { self.configs = configs }

    var assignment: Set<SinkTopicPartition> { [] }
    func requestCommit() { commitRequests.withLock { $0 += 1 } }
    func offset(_ offsets: [SinkTopicPartition: Int64]) {}
    func timeout(_ milliseconds: Int64) {}
    func pause(_ partitions: [SinkTopicPartition]) {}
    func resume(_ partitions: [SinkTopicPartition]) {}
}

struct TestConnectorContext: ConnectorContext {
    func requestTaskReconfiguration() {}
    func raiseError(_ error: any Error) {}
}
