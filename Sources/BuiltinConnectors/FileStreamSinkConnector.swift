import ConnectAPI
import Foundation
import Synchronization

/// Kafka's `org.apache.kafka.connect.file.FileStreamSinkConnector`: appends each record's value
/// as one line to `file` (standard output when unset). Strings are written as they are, raw
/// bytes unchanged, null as `null`, other values in their text form.
public final class FileStreamSinkConnector: SinkConnector {
    public static let className = "org.apache.kafka.connect.file.FileStreamSinkConnector"
    public static let fileConfig = "file"

    public static let fileConfigDef = ConfigDef()
        .define(fileConfig, .string, defaultValue: .null, importance: .high,
                documentation: "Destination filename. If not specified, the standard output will be used")

    private let props = Mutex<[String: String]>([:])

    public init() {}

    public var version: String { BuiltinConnectors.version }
    public var configDef: ConfigDef { Self.fileConfigDef }
    public var taskType: any SinkTask.Type { FileStreamSinkTask.self }

    public func start(_ props: [String: String], context: any ConnectorContext) async throws {
        _ = try parseConfig(props, Self.fileConfigDef)
        self.props.withLock { $0 = props }
    }

    /// `maxTasks` copies of the connector's configuration.
    public func taskConfigs(maxTasks: Int) async throws -> [[String: String]] {
        let config = props.withLock { $0 }
        return Array(repeating: config, count: max(maxTasks, 0))
    }

    public func stop() async {}

    /// The sink keeps no offsets of its own, so any consumer offsets are accepted.
    public func alterOffsets(connectorConfig: [String: String], offsets: [SinkTopicPartition: Int64?]) async throws -> Bool {
        true
    }
}

/// The task of ``FileStreamSinkConnector``: buffers lines in `put` and writes them on `flush`
/// (or when the buffer passes 64 KiB).
public final class FileStreamSinkTask: SinkTask {
    struct State: Sendable {
        var path: String?
        var fd: Int32 = -1
        var pending: [UInt8] = []
    }

    private static let writeThreshold = 64 * 1024
    private let state = Mutex(State())

    public init() {}

    public var version: String { BuiltinConnectors.version }

    public func start(_ props: [String: String], context: any SinkTaskContext) async throws {
        let config = try parseConfig(props, FileStreamSinkConnector.fileConfigDef)
        let path: String? = (try? config.string(FileStreamSinkConnector.fileConfig)).flatMap { $0.isEmpty ? nil : $0 }
        let fd: Int32
        if let path {
            fd = try await BlockingFileIO.run { () throws -> Int32 in
                try BlockingFileIO.openForAppend(path)
            }
        } else {
            fd = STDOUT_FILENO
        }
        state.withLock { $0 = State(path: path, fd: fd, pending: []) }
    }

    public func put(_ records: [SinkRecord]) async throws {
        let shouldWrite = state.withLock { state -> Bool in
            for record in records {
                Self.appendLine(record.value, to: &state.pending)
            }
            return state.pending.count >= Self.writeThreshold
        }
        if shouldWrite { try await writePending() }
    }

    public func flush(_ currentOffsets: [SinkTopicPartition: Int64]) async throws {
        try await writePending()
    }

    public func stop() async {
        try? await writePending()
        let (fd, path) = state.withLock { state in
            let taken = (state.fd, state.path)
            state.fd = -1
            return taken
        }
        if fd >= 0, path != nil {
            _ = try? await BlockingFileIO.run { BlockingFileIO.closeFile(fd) }
        }
    }

    private func writePending() async throws {
        let (fd, path, bytes) = state.withLock { state in
            let taken = (state.fd, state.path ?? "standard output", state.pending)
            state.pending.removeAll(keepingCapacity: true)
            return taken
        }
        guard !bytes.isEmpty else { return }
        guard fd >= 0 else { throw ConnectError("FileStreamSinkTask is not started") }
        try await BlockingFileIO.run { () throws in
            try BlockingFileIO.writeAll(fd, bytes, path: path)
        }
    }

    /// The line written for a record value.
    static func appendLine(_ value: ConnectValue, to out: inout [UInt8]) {
        switch value {
        case .string(let text): out.append(contentsOf: text.utf8)
        case .bytes(let bytes): out.append(contentsOf: bytes)
        default: out.append(contentsOf: value.description.utf8)
        }
        out.append(UInt8(ascii: "\n"))
    }
}
