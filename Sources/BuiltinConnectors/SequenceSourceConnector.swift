import ConnectAPI
import Synchronization

/// A source that counts: task `i` writes string records `task-<i>-<n>` with key `"<i>"` to
/// `topic`, `records.per.poll` at a time every `poll.interval.ms`, optionally stopping after
/// `max.records` (per task) or failing after `fail.after.records` (per task run; only the tasks
/// listed in `fail.tasks`, if set). For testing the runtime, `tasks.generated` makes it
/// generate that many task configs whatever `tasks.max` is, and `stop.delay.ms` makes each
/// task take that long to stop.
///
/// Source partition `{"task": i}`, offset `{"seq": n}` of the last record; a restarted task
/// resumes at the record after its last committed offset.
public final class SequenceSourceConnector: SourceConnector {
    public static let className = "io.swiftconnect.connectors.SequenceSourceConnector"

    public static let topicConfig = "topic"
    public static let recordsPerPollConfig = "records.per.poll"
    public static let pollIntervalConfig = "poll.interval.ms"
    public static let maxRecordsConfig = "max.records"
    public static let failAfterRecordsConfig = "fail.after.records"
    public static let failTasksConfig = "fail.tasks"
    public static let tasksGeneratedConfig = "tasks.generated"
    public static let stopDelayConfig = "stop.delay.ms"
    /// Set by the connector in each task config: the task's index.
    public static let taskIndexConfig = "task.index"

    public static let sequenceConfigDef = ConfigDef()
        .define(topicConfig, .string, validator: .nonEmptyString, importance: .high,
                documentation: "The topic to write records to.")
        .define(recordsPerPollConfig, .int, defaultValue: .int(10), validator: .atLeast(1), importance: .medium,
                documentation: "How many records each poll returns at most.")
        .define(pollIntervalConfig, .long, defaultValue: .long(100), validator: .atLeast(0), importance: .medium,
                documentation: "Milliseconds each poll waits before returning records.")
        .define(maxRecordsConfig, .long, defaultValue: .long(-1), importance: .low,
                documentation: "How many records each task writes in total (-1: no limit).")
        .define(failAfterRecordsConfig, .long, defaultValue: .long(-1), importance: .low,
                documentation: "Each task run fails after writing this many records (-1: never); for testing failures.")
        .define(failTasksConfig, .list, defaultValue: .list([]), importance: .low,
                documentation: "The indexes of the tasks fail.after.records applies to (empty: every task).")
        .define(tasksGeneratedConfig, .int, defaultValue: .int(-1), validator: .atLeast(-1), importance: .low,
                documentation: "How many task configs the connector generates, whatever tasks.max is (-1: tasks.max); for testing the runtime's tasks.max enforcement.")
        .define(stopDelayConfig, .long, defaultValue: .long(0), validator: .atLeast(0), importance: .low,
                documentation: "Milliseconds each task takes to stop; for testing hand-overs of tasks that have work to finish.")

    private let props = Mutex<[String: String]>([:])
    private let tasksGenerated = Mutex<Int32>(-1)

    public init() {}

    public var version: String { BuiltinConnectors.version }
    public var configDef: ConfigDef { Self.sequenceConfigDef }
    public var taskType: any SourceTask.Type { SequenceSourceTask.self }

    public func start(_ props: [String: String], context: any ConnectorContext) async throws {
        let config = try parseConfig(props, Self.sequenceConfigDef)
        let generated = try config.int(Self.tasksGeneratedConfig)
        self.props.withLock { $0 = props }
        tasksGenerated.withLock { $0 = generated }
    }

    /// One config per task, each with its ``taskIndexConfig``.
    public func taskConfigs(maxTasks: Int) async throws -> [[String: String]] {
        let base = props.withLock { $0 }
        let generated = Int(tasksGenerated.withLock { $0 })
        return (0..<max(generated >= 0 ? generated : maxTasks, 0)).map { index in
            var config = base
            config[Self.taskIndexConfig] = String(index)
            return config
        }
    }

    public func stop() async {}

    /// Accepts offsets of the form `{"task": i}` → `{"seq": n}` (or `nil`) only.
    public func alterOffsets(connectorConfig: [String: String], offsets: [SourcePartition: SourceOffset?]) async throws -> Bool {
        for (partition, offset) in offsets {
            guard partition.count == 1, partition["task"]?.int64Value != nil else {
                throw ConnectError("Source partitions must look like {\"task\": <index>}, not \(partition)")
            }
            if let offset, offset.count != 1 || offset["seq"]?.int64Value == nil {
                throw ConnectError("Source offsets must look like {\"seq\": <number>}, not \(offset)")
            }
        }
        return true
    }
}

/// The task of ``SequenceSourceConnector``.
public final class SequenceSourceTask: SourceTask {
    struct Settings: Sendable {
        var topic = ""
        var taskIndex: Int64 = 0
        var recordsPerPoll = 10
        var pollIntervalMs: Int64 = 100
        var maxRecords: Int64 = -1
        var failAfterRecords: Int64 = -1
        var stopDelayMs: Int64 = 0
    }

    struct State: Sendable {
        var settings = Settings()
        /// The sequence number of the next record.
        var nextSeq: Int64 = 0
        /// Records returned by this task run.
        var emitted: Int64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    public var version: String { BuiltinConnectors.version }

    /// The source partition of task `index`.
    public static func sourcePartition(task index: Int64) -> SourcePartition { ["task": .int64(index)] }

    public func start(_ props: [String: String], context: any SourceTaskContext) async throws {
        let config = try parseConfig(props, SequenceSourceConnector.sequenceConfigDef)
        guard let index = props[SequenceSourceConnector.taskIndexConfig].flatMap({ Int64($0) }) else {
            throw ConnectError("Missing or invalid \(SequenceSourceConnector.taskIndexConfig) in the task configuration")
        }
        let failing = try config.list(SequenceSourceConnector.failTasksConfig)
        let settings = Settings(
            topic: try config.string(SequenceSourceConnector.topicConfig),
            taskIndex: index,
            recordsPerPoll: Int(try config.int(SequenceSourceConnector.recordsPerPollConfig)),
            pollIntervalMs: try config.long(SequenceSourceConnector.pollIntervalConfig),
            maxRecords: try config.long(SequenceSourceConnector.maxRecordsConfig),
            failAfterRecords: failing.isEmpty || failing.contains(String(index))
                ? try config.long(SequenceSourceConnector.failAfterRecordsConfig) : -1,
            stopDelayMs: try config.long(SequenceSourceConnector.stopDelayConfig))
        var nextSeq: Int64 = 0
        if let stored = try await context.offsetStorageReader.offset(for: Self.sourcePartition(task: index)) {
            guard let last = stored["seq"]?.int64Value else {
                throw ConnectError("Stored offset \(stored) of task \(index) has no integer 'seq'")
            }
            nextSeq = last + 1
        }
        state.withLock { $0 = State(settings: settings, nextSeq: nextSeq, emitted: 0) }
    }

    /// Waits `poll.interval.ms`, then returns the next records (none once `max.records` is
    /// reached). Throws `CancellationError` when cancelled while waiting.
    public func poll() async throws -> [SourceRecord] {
        let settings = state.withLock { $0.settings }
        try await sleep(milliseconds: settings.pollIntervalMs)
        return try state.withLock { state throws(ConnectError) -> [SourceRecord] in
            let settings = state.settings
            if settings.failAfterRecords >= 0, state.emitted >= settings.failAfterRecords {
                throw ConnectError(
                    "Task \(settings.taskIndex) failing as configured after \(state.emitted) records (\(SequenceSourceConnector.failAfterRecordsConfig))")
            }
            var count = Int64(settings.recordsPerPoll)
            if settings.maxRecords >= 0 { count = min(count, max(settings.maxRecords - state.nextSeq, 0)) }
            if settings.failAfterRecords >= 0 { count = min(count, settings.failAfterRecords - state.emitted) }
            guard count > 0 else { return [] }
            let partition = Self.sourcePartition(task: settings.taskIndex)
            let key = ConnectValue.string(String(settings.taskIndex))
            let records = (state.nextSeq..<state.nextSeq + count).map { seq in
                SourceRecord(
                    sourcePartition: partition, sourceOffset: ["seq": .int64(seq)], topic: settings.topic,
                    keySchema: .string, key: key,
                    valueSchema: .string, value: .string("task-\(settings.taskIndex)-\(seq)"))
            }
            state.nextSeq += count
            state.emitted += count
            return records
        }
    }

    /// Takes `stop.delay.ms` (a task with external work to finish when it stops).
    public func stop() async {
        let delay = state.withLock { $0.settings.stopDelayMs }
        try? await sleep(milliseconds: delay)
    }
}
