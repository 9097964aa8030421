import BuiltinConnectors
import ConnectAPI
import Foundation
import Testing

@Suite("FileStream connectors")
struct FileStreamTests {
    private func temporaryPath(_ name: String) -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("builtin-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }

    private func contents(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }

    @Test func sinkAppendsOneLinePerRecordOnFlush() async throws {
        let path = temporaryPath("out.txt")
        try Data("existing\n".utf8).write(to: URL(fileURLWithPath: path))
        let connector = FileStreamSinkConnector()
        try await connector.start(["file": path, "topics": "t"], context: TestConnectorContext())
        let configs = try await connector.taskConfigs(maxTasks: 2)
        #expect(configs.count == 2 && configs.allSatisfy { $0["file"] == path })

        let task = FileStreamSinkTask()
        try await task.start(configs[0], context: TestSinkTaskContext(configs: configs[0]))
        try await task.put([
            SinkRecord(topic: "t", kafkaPartition: 0, kafkaOffset: 0, valueSchema: .string, value: "first"),
            SinkRecord(topic: "t", kafkaPartition: 0, kafkaOffset: 1, valueSchema: .optionalBytes, value: .bytes(Array("raw".utf8))),
            SinkRecord(topic: "t", kafkaPartition: 0, kafkaOffset: 2, value: .null),
            SinkRecord(topic: "t", kafkaPartition: 0, kafkaOffset: 3, value: .int64(42)),
        ])
        #expect(try contents(path) == "existing\n")
        let offsets = [SinkTopicPartition(topic: "t", partition: 0): Int64(4)]
        #expect(try await task.preCommit(offsets) == offsets)
        #expect(try contents(path) == "existing\nfirst\nraw\nnull\n42\n")
        try await task.put([SinkRecord(topic: "t", kafkaPartition: 0, kafkaOffset: 4, value: "last")])
        await task.stop()
        #expect(try contents(path) == "existing\nfirst\nraw\nnull\n42\nlast\n")
    }

    @Test func sinkReportsUnwritableFile() async throws {
        let task = FileStreamSinkTask()
        let config = ["file": "/nonexistent-dir-\(UUID().uuidString)/out.txt"]
        await #expect(throws: ConnectError.self) { try await task.start(config, context: TestSinkTaskContext(configs: config)) }
    }

    @Test func sourceReadsLinesAndResumesFromPosition() async throws {
        let path = temporaryPath("in.txt")
        try Data("alpha\nbeta\r\ngamma\rdelta".utf8).write(to: URL(fileURLWithPath: path))
        let connector = FileStreamSourceConnector()
        let props = ["file": path, "topic": "lines", "batch.size": "2"]
        try await connector.start(props, context: TestConnectorContext())
        #expect(try await connector.taskConfigs(maxTasks: 4).count == 1)

        let reader = InMemoryOffsetReader()
        let task = FileStreamSourceTask()
        try await task.start(props, context: TestSourceTaskContext(configs: props, offsetStorageReader: reader))
        let first = try await task.poll()
        #expect(first.map(\.value) == ["alpha", "beta"])
        #expect(first.map(\.sourceOffset) == [["position": 6], ["position": 12]])
        #expect(first.allSatisfy { $0.sourcePartition == ["filename": .string(path)] && $0.topic == "lines" })
        reader.commit(Array(first.prefix(1)))
        await task.stop()

        // Restart after only "alpha" was committed; "delta" has no line end yet.
        let restarted = FileStreamSourceTask()
        try await restarted.start(props, context: TestSourceTaskContext(configs: props, offsetStorageReader: reader))
        #expect(try await restarted.poll().map(\.value) == ["beta", "gamma"])
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("\n".utf8))
        try handle.close()
        #expect(try await restarted.poll().map(\.value) == ["delta"])
    }

    @Test func sourceRequiresAFileAndValidOffsets() async throws {
        await #expect(throws: ConnectError.self) {
            try await FileStreamSourceConnector().start(["topic": "t"], context: TestConnectorContext())
        }
        let connector = FileStreamSourceConnector()
        #expect(try await connector.alterOffsets(connectorConfig: [:], offsets: [["filename": "a"]: ["position": 3]]))
        await #expect(throws: ConnectError.self) {
            try await connector.alterOffsets(connectorConfig: [:], offsets: [["filename": "a"]: ["position": -1]])
        }
        await #expect(throws: ConnectError.self) {
            try await connector.alterOffsets(connectorConfig: [:], offsets: [["file": "a"]: nil])
        }
    }
}
