import ConnectAPI
import Synchronization

/// Kafka's `org.apache.kafka.connect.file.FileStreamSourceConnector`: writes each line of `file`
/// as a string record to `topic`, at most `batch.size` per poll, with one task.
///
/// Source partition `{"filename": <file>}`, offset `{"position": <byte position after the
/// line>}`; a restarted task continues after the last committed line. Reading standard input
/// (no `file`) is not supported.
public final class FileStreamSourceConnector: SourceConnector {
    public static let className = "org.apache.kafka.connect.file.FileStreamSourceConnector"
    public static let fileConfig = "file"
    public static let topicConfig = "topic"
    public static let batchSizeConfig = "batch.size"
    public static let filenameField = "filename"
    public static let positionField = "position"

    public static let fileSourceConfigDef = ConfigDef()
        .define(fileConfig, .string, defaultValue: .null, importance: .high,
                documentation: "Source filename. If not specified, the standard input will be used")
        .define(topicConfig, .string, validator: .nonEmptyString, importance: .high,
                documentation: "The topic to publish data to")
        .define(batchSizeConfig, .int, defaultValue: .int(2000), importance: .low,
                documentation: "The maximum number of records the source task can read from the file each time it is polled")

    private let props = Mutex<[String: String]>([:])

    public init() {}

    public var version: String { BuiltinConnectors.version }
    public var configDef: ConfigDef { Self.fileSourceConfigDef }
    public var taskType: any SourceTask.Type { FileStreamSourceTask.self }

    public func start(_ props: [String: String], context: any ConnectorContext) async throws {
        let config = try parseConfig(props, Self.fileSourceConfigDef)
        guard let file = try? config.string(Self.fileConfig), !file.isEmpty else {
            throw ConnectError("FileStreamSourceConnector needs '\(Self.fileConfig)': reading standard input is not supported")
        }
        self.props.withLock { $0 = props }
    }

    /// One task, whatever `maxTasks` is (a file has one reader).
    public func taskConfigs(maxTasks: Int) async throws -> [[String: String]] {
        guard maxTasks > 0 else { return [] }
        return [props.withLock { $0 }]
    }

    public func stop() async {}

    /// Accepts only `{"filename": …}` partitions with `{"position": n ≥ 0}` offsets (or `nil`).
    public func alterOffsets(connectorConfig: [String: String], offsets: [SourcePartition: SourceOffset?]) async throws -> Bool {
        for (partition, offset) in offsets {
            guard partition[Self.filenameField] != nil else {
                throw ConnectError("Partition objects for file-based source connectors must contain the key '\(Self.filenameField)'")
            }
            guard let offset else { continue }
            guard let position = offset[Self.positionField] else {
                throw ConnectError("Offset objects for file-based source connectors must contain the key '\(Self.positionField)'")
            }
            guard let number = position.int64Value, number >= 0 else {
                throw ConnectError("The value for the '\(Self.positionField)' key in the offset is expected to be a non-negative integer, not \(position)")
            }
        }
        return true
    }
}

/// The task of ``FileStreamSourceConnector``.
public final class FileStreamSourceTask: SourceTask {
    struct State: Sendable {
        var path = ""
        var topic = ""
        var batchSize = 2000
        /// Byte position of the first unread line.
        var position: Int64 = 0
    }

    /// How long a poll waits when the file has no new complete line.
    static let idleWaitMs: Int64 = 1000
    private static let readSize = 64 * 1024
    private let state = Mutex(State())

    public init() {}

    public var version: String { BuiltinConnectors.version }

    public func start(_ props: [String: String], context: any SourceTaskContext) async throws {
        let config = try parseConfig(props, FileStreamSourceConnector.fileSourceConfigDef)
        guard let path = try? config.string(FileStreamSourceConnector.fileConfig), !path.isEmpty else {
            throw ConnectError("FileStreamSourceTask needs '\(FileStreamSourceConnector.fileConfig)'")
        }
        var position: Int64 = 0
        let partition: SourcePartition = [FileStreamSourceConnector.filenameField: .string(path)]
        if let stored = try await context.offsetStorageReader.offset(for: partition),
           let value = stored[FileStreamSourceConnector.positionField]
        {
            guard let number = value.int64Value, number >= 0 else { throw ConnectError("Offset position is the incorrect type") }
            position = number
        }
        let settings = State(
            path: path, topic: try config.string(FileStreamSourceConnector.topicConfig),
            batchSize: Int(try config.int(FileStreamSourceConnector.batchSizeConfig)), position: position)
        state.withLock { $0 = settings }
    }

    /// The next complete lines (at most `batch.size`); waits up to a second when there are none.
    public func poll() async throws -> [SourceRecord] {
        let current = state.withLock { $0 }
        let path = current.path
        let position = current.position
        let chunk = try await BlockingFileIO.run { () throws -> [UInt8]? in
            try BlockingFileIO.read(path: path, from: position, count: Self.readSize)
        }
        let (lines, consumed) = Self.completeLines(chunk ?? [], limit: max(current.batchSize, 1))
        if lines.isEmpty {
            try await sleep(milliseconds: Self.idleWaitMs)
            return []
        }
        let partition: SourcePartition = [FileStreamSourceConnector.filenameField: .string(path)]
        var records: [SourceRecord] = []
        records.reserveCapacity(lines.count)
        for line in lines {
            records.append(SourceRecord(
                sourcePartition: partition,
                sourceOffset: [FileStreamSourceConnector.positionField: .int64(position + line.end)],
                topic: current.topic, valueSchema: .string, value: .string(line.text)))
        }
        state.withLock { $0.position = position + consumed }
        return records
    }

    public func stop() async {}

    /// Splits `bytes` into complete lines (ended by `\n`, `\r` or `\r\n`), at most `limit`;
    /// returns each line with the offset just after its terminator, and the bytes consumed.
    /// A trailing `\r` waits for the next read, since a `\n` may follow.
    static func completeLines(_ bytes: [UInt8], limit: Int) -> (lines: [(text: String, end: Int64)], consumed: Int64) {
        var lines: [(text: String, end: Int64)] = []
        var start = 0
        var index = 0
        while index < bytes.count, lines.count < limit {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                var end = index + 1
                if byte == UInt8(ascii: "\r") {
                    guard end < bytes.count else { break }
                    if bytes[end] == UInt8(ascii: "\n") { end += 1 }
                }
                lines.append((String(decoding: bytes[start..<index], as: UTF8.self), Int64(end)))
                start = end
                index = end
            } else {
                index += 1
            }
        }
        return (lines, Int64(start))
    }
}
