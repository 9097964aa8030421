import BuiltinConnectors
import ConnectAPI
import Testing

@Suite("SequenceSourceConnector")
struct SequenceSourceTests {
    private let base = ["topic": "numbers", "poll.interval.ms": "0", "records.per.poll": "3"]

    private func startedTask(_ config: [String: String], reader: InMemoryOffsetReader) async throws -> SequenceSourceTask {
        let task = SequenceSourceTask()
        try await task.start(config, context: TestSourceTaskContext(configs: config, offsetStorageReader: reader))
        return task
    }

    @Test func splitsIntoIndexedTasks() async throws {
        let connector = SequenceSourceConnector()
        try await connector.start(base, context: TestConnectorContext())
        let configs = try await connector.taskConfigs(maxTasks: 3)
        #expect(configs.map { $0["task.index"] } == ["0", "1", "2"])
        #expect(configs.allSatisfy { $0["topic"] == "numbers" })
        #expect(connector.createTask() is SequenceSourceTask)
        await #expect(throws: ConnectError.self) { try await SequenceSourceConnector().start([:], context: TestConnectorContext()) }
        #expect(SequenceSourceConnector().validate([:]).errorCount == 1)
    }

    @Test func tasksGeneratedOverridesMaxTasks() async throws {
        let connector = SequenceSourceConnector()
        try await connector.start(base.merging(["tasks.generated": "3"]) { _, new in new }, context: TestConnectorContext())
        #expect(try await connector.taskConfigs(maxTasks: 1).map { $0["task.index"] } == ["0", "1", "2"])
        #expect(SequenceSourceConnector().validate(base.merging(["tasks.generated": "-2"]) { _, new in new }).errorCount == 1)
    }

    @Test func failTasksLimitsWhichTasksFail() async throws {
        for (index, fails) in [("0", false), ("1", true)] {
            var config = base
            config["task.index"] = index
            config["fail.after.records"] = "3"
            config["fail.tasks"] = "1, 2"
            let task = try await startedTask(config, reader: InMemoryOffsetReader())
            #expect(try await task.poll().count == 3)
            if fails {
                await #expect(throws: ConnectError.self) { try await task.poll() }
            } else {
                #expect(try await task.poll().count == 3)
            }
        }
    }

    @Test func stopTakesStopDelay() async throws {
        var config = base
        config["task.index"] = "0"
        config["stop.delay.ms"] = "300"
        let task = try await startedTask(config, reader: InMemoryOffsetReader())
        let started = ContinuousClock.now
        await task.stop()
        #expect(ContinuousClock.now - started >= .milliseconds(300))
    }

    @Test func emitsRecordsAndResumesAfterCommittedOffset() async throws {
        var config = base
        config["task.index"] = "1"
        let reader = InMemoryOffsetReader()
        let first = try await startedTask(config, reader: reader)
        let batch = try await first.poll()
        #expect(batch.map(\.value) == ["task-1-0", "task-1-1", "task-1-2"])
        #expect(batch.allSatisfy { $0.key == "1" && $0.topic == "numbers" && $0.sourcePartition == ["task": 1] })
        #expect(batch.map(\.sourceOffset) == [["seq": 0], ["seq": 1], ["seq": 2]])
        // Only the first two are committed before the "crash".
        reader.commit(Array(batch.prefix(2)))
        await first.stop()

        let restarted = try await startedTask(config, reader: reader)
        #expect(try await restarted.poll().map(\.value) == ["task-1-2", "task-1-3", "task-1-4"])
    }

    @Test func stopsAtMaxRecords() async throws {
        var config = base
        config["task.index"] = "0"
        config["max.records"] = "4"
        let task = try await startedTask(config, reader: InMemoryOffsetReader())
        #expect(try await task.poll().count == 3)
        #expect(try await task.poll().map(\.value) == ["task-0-3"])
        #expect(try await task.poll().isEmpty)
    }

    @Test func failsAfterConfiguredRecords() async throws {
        var config = base
        config["task.index"] = "0"
        config["fail.after.records"] = "4"
        let task = try await startedTask(config, reader: InMemoryOffsetReader())
        #expect(try await task.poll().count == 3)
        #expect(try await task.poll().count == 1)
        await #expect(throws: ConnectError.self) { try await task.poll() }
    }

    @Test func rejectsMalformedStoredOffset() async throws {
        var config = base
        config["task.index"] = "0"
        let reader = InMemoryOffsetReader([SequenceSourceTask.sourcePartition(task: 0): ["seq": "x"]])
        await #expect(throws: ConnectError.self) { try await self.startedTask(config, reader: reader) }
    }

    @Test func pollReturnsPromptlyWhenCancelled() async throws {
        var config = base
        config["task.index"] = "0"
        config["poll.interval.ms"] = "60000"
        let task = try await startedTask(config, reader: InMemoryOffsetReader())
        let clock = ContinuousClock()
        let started = clock.now
        await #expect(throws: CancellationError.self) {
            try await withThrowingTaskGroup(of: [SourceRecord].self) { group in
                group.addTask { try await task.poll() }
                group.cancelAll()
                _ = try await group.next()
            }
        }
        #expect(clock.now - started < .seconds(30))
    }

    @Test func alterOffsetsChecksShape() async throws {
        let connector = SequenceSourceConnector()
        #expect(try await connector.alterOffsets(connectorConfig: [:], offsets: [["task": 0]: ["seq": 5], ["task": 1]: nil]))
        await #expect(throws: ConnectError.self) {
            try await connector.alterOffsets(connectorConfig: [:], offsets: [["file": "x"]: ["seq": 5]])
        }
    }

    @Test func registersWithAliases() throws {
        var registry = PluginRegistry()
        BuiltinConnectors.register(into: &registry)
        #expect(try registry.lookupConnector("SequenceSource").className == SequenceSourceConnector.className)
        #expect(try registry.lookupConnector("FileStreamSink").type == .sink)
        #expect(try registry.lookupConnector("FileStreamSource").type == .source)
        #expect(registry.connectorPlugins.map(\.version) == ["1.0.0", "1.0.0", "1.0.0"])
    }
}
