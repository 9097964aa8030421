import ArgumentParser
import Foundation
import Kafka
import KafkaTestSupport
import Logging
import Synchronization

/// `mirror-bench`: MirrorSource throughput against the ceiling of a bare consume→produce loop,
/// measured in one run on the same two brokers. See bench/README.md.
@main
struct MirrorBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirror-bench",
        abstract: "Measure MirrorSourceConnector throughput against a bare librdkafka consume→produce loop.",
        discussion: """
        Starts two noida-db clusters (source and target), fills a source topic, then runs every \
        variant --rounds times, interleaved, each into a fresh target topic: \
        \(Variant.allCases.map(\.rawValue).joined(separator: ", ")). Every variant is timed by the \
        same watcher of the target topic's end offsets. Build with -c release (bench/run does).
        """
    )

    @Option(help: "Records in the source topic.")
    var records = 500_000

    @Option(help: "Bytes per record value (records have no key).")
    var valueSize = 100

    @Option(help: "Partitions of the source topic.")
    var partitions = 4

    @Option(help: "Runs of each variant (interleaved).")
    var rounds = 3

    @Option(help: "Comma-separated variants to run.")
    var variants = Variant.allCases.map(\.rawValue).joined(separator: ",")

    @Option(help: "The connect-worker binary (default: $CONNECT_WORKER_BIN, else next to this binary).")
    var workerBinary: String?

    @Option(help: "Log level of the connect-worker process.")
    var workerLogLevel = "info"

    @Option(name: .customLong("worker-property"), help: "Extra worker property NAME=VALUE (repeatable).")
    var workerProperties: [String] = []

    @Option(name: .customLong("connector-property"), help: "Extra MirrorSourceConnector property NAME=VALUE (repeatable).")
    var connectorProperties: [String] = []

    @Option(help: "Seconds one variant run may take before it counts as failed.")
    var timeout = 300

    @Option(help: "Log level of this tool (librdkafka included).")
    var logLevel = "warning"

    @Option(help: "Also write the results as JSON to this file.")
    var json: String?

    @Flag(help: "Print each run's progress: records on the target topic every half second.")
    var progress = false

    @Flag(help: "Keep the connect-worker log directory after a successful run.")
    var keepWorkerLog = false

    mutating func validate() throws {
        guard records > 0, valueSize > 0, partitions > 0, rounds > 0, timeout > 0 else {
            throw ValidationError("--records, --value-size, --partitions, --rounds and --timeout must be positive")
        }
        _ = try selectedVariants()
        _ = try keyValues(workerProperties, "--worker-property")
        _ = try keyValues(connectorProperties, "--connector-property")
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let settings = BenchSettings(
            records: records, valueSize: valueSize, partitions: partitions, rounds: rounds,
            variants: try selectedVariants(), workerBinary: try resolveWorkerBinary(),
            workerLogLevel: workerLogLevel, workerProperties: try keyValues(workerProperties, "--worker-property"),
            connectorProperties: try keyValues(connectorProperties, "--connector-property"),
            timeout: .seconds(timeout), keepWorkerLog: keepWorkerLog, progress: progress, logger: Logger(label: "mirror-bench"))
        let megabytes = Double(records) * Double(valueSize) / 1e6
        if megabytes > 80 {
            print("warning: \(String(format: "%.0f", megabytes)) MB of values; noida-db ignores fetch size limits and a fetch response over 100 MB fails (keep records × value size under ~80 MB)")
        }
        let signals = killChildrenOnSignal()
        defer { for source in signals { source.cancel() } }
        let results = try await withKafkaTestClusters(count: 2) { clusters in
            try await BenchRun(settings: settings, source: clusters[0], target: clusters[1]).run()
        }
        let report = Report(settings: settings, results: results)
        print(report.table())
        if let json {
            try report.json().write(to: URL(fileURLWithPath: json))
            print("results written to \(json)")
        }
    }

    private func selectedVariants() throws -> [Variant] {
        try variants.split(separator: ",").map { name in
            guard let variant = Variant(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("unknown variant '\(name)'; known: \(Variant.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return variant
        }
    }

    private func keyValues(_ entries: [String], _ option: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for entry in entries {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                throw ValidationError("\(option) expects NAME=VALUE, got '\(entry)'")
            }
            result[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        }
        return result
    }

    private func resolveWorkerBinary() throws -> URL? {
        if let workerBinary { return URL(fileURLWithPath: workerBinary) }
        if let path = ProcessInfo.processInfo.environment["CONNECT_WORKER_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let me = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        let candidate = me.deletingLastPathComponent().appendingPathComponent("connect-worker")
        return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
    }
}

/// What one benchmark run measures.
enum Variant: String, CaseIterable, Sendable {
    /// One bare librdkafka loop over every partition: the ceiling.
    case rdkafka
    /// Two bare librdkafka loops in parallel, each over half the partitions (the ceiling for
    /// two tasks).
    case rdkafkaX2 = "rdkafka-x2"
    /// The bare loop written on our Kafka layer.
    case kafkaLayer = "kafka-layer"
    /// MirrorSourceConnector with tasks.max=1 in a connect-worker process.
    case mirror1 = "mirror-1"
    /// MirrorSourceConnector with tasks.max=2.
    case mirror2 = "mirror-2"

    var isMirror: Bool { self == .mirror1 || self == .mirror2 }
}

struct BenchSettings: Sendable {
    var records: Int
    var valueSize: Int
    var partitions: Int
    var rounds: Int
    var variants: [Variant]
    var workerBinary: URL?
    var workerLogLevel: String
    var workerProperties: [String: String]
    var connectorProperties: [String: String]
    var timeout: Duration
    var keepWorkerLog: Bool
    var progress: Bool
    var logger: Logger
}

/// One timed run of one variant.
struct RunResult: Sendable {
    var variant: Variant
    var round: Int
    var records: Int
    /// The topic the run copied into (deleted after the run).
    var targetTopic = ""
    /// From the variant's start (loop start, or `POST /connectors`) to the first record on the
    /// target topic: client start-up, and for MirrorSource the connector and task start.
    var startLatency: Duration
    /// From the variant's start to the target topic holding every record.
    var total: Duration
    /// From the target topic holding half the records to holding all of them.
    var secondHalf: Duration
    /// Records on the target topic once it stopped growing.
    var settledRecords: Int64
    /// CPU seconds (user + system) the copying process used from the start to the last record:
    /// this tool for the loops, the connect-worker process for mirror-N.
    var cpuSeconds: Double

    /// For mirror-N: the part of ``cpuSeconds`` used by librdkafka threads that existed before
    /// the connector was created, i.e. the worker's own clients (config, offset and status
    /// stores), not the connector's.
    var workerClientCPUSeconds: Double = 0
    /// CPU seconds both brokers (source and target) used over the whole run.
    var brokerCPUSeconds: Double = 0
    /// CPU used over the second half of the records (the steady state the main rate measures).
    var steadyCPU: CPUReading

    /// CPU microseconds per record copied.
    var cpuMicrosecondsPerRecord: Double { cpuSeconds * 1e6 / Double(records) }
    /// CPU microseconds per record without ``workerClientCPUSeconds``.
    var netCPUMicrosecondsPerRecord: Double { (cpuSeconds - workerClientCPUSeconds) * 1e6 / Double(records) }
    /// Broker CPU microseconds per record copied.
    var brokerCPUMicrosecondsPerRecord: Double { brokerCPUSeconds * 1e6 / Double(records) }

    /// Over the second half of the records: CPU microseconds per record of the copying process
    /// and of the brokers, and how many of the machine's cores were busy on average (everything
    /// running on it). Busy cores near the core count mean the run was bound by CPU.
    var steadyCopierMicrosecondsPerRecord: Double { steadyCPU.copier * 1e6 / secondHalfRecords }
    var steadyBrokerMicrosecondsPerRecord: Double { steadyCPU.brokers * 1e6 / secondHalfRecords }
    var steadyBusyCores: Double { steadyCPU.machine / secondHalf.seconds }

    /// Records per second over the second half of the records: the steady state, free of
    /// start-up and of the burst of records a producer queued while it waited for metadata.
    var steadyRate: Double { secondHalfRecords / secondHalf.seconds }
    /// The records of the second half (the steady stretch).
    private var secondHalfRecords: Double { Double(records - records / 2) }
    /// Records per second from the variant's start.
    var rateFromStart: Double { Double(records) / total.seconds }

    init(variant: Variant, round: Int, records: Int, start: ContinuousClock.Instant,
         observation: TargetWatcher.Observation, settledRecords: Int64, cpuSeconds: Double) {
        self.variant = variant
        self.round = round
        self.records = records
        startLatency = observation.firstRecord - start
        total = observation.complete - start
        secondHalf = observation.complete - observation.half
        steadyCPU = observation.cpuUsed(from: observation.half, to: observation.complete)
        self.settledRecords = settledRecords
        self.cpuSeconds = cpuSeconds
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs a blocking body on a dedicated thread (never on Swift's cooperative pool).
func onDedicatedThread<T: Sendable>(name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
    }
}

/// CPU time (user + system, seconds) used so far by this process.
func ownCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// CPU time (seconds) every core of this machine spent busy so far (not idle, not waiting for
/// I/O), from /proc/stat (0 if unreadable).
func machineBusyCPUSeconds() -> Double {
    guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
          let line = stat.split(separator: "\n").first, line.hasPrefix("cpu ") else { return 0 }
    // user nice system idle iowait irq softirq steal (guest time is counted in user already).
    let ticks = line.split(separator: " ").dropFirst().prefix(8).compactMap { Double($0) }
    guard ticks.count == 8 else { return 0 }
    return (ticks.reduce(0, +) - ticks[3] - ticks[4]) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// CPU time (user + system, seconds) used so far by process `pid`, from /proc (0 if unreadable).
func processCPUSeconds(_ pid: Int32) -> Double {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return 0 }
    // Fields after "pid (comm)": state is field 3; utime and stime are fields 14 and 15.
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// On SIGINT or SIGTERM, kills this process's children (the brokers and connect-worker it
/// started, which would otherwise outlive it) and exits.
func killChildrenOnSignal() -> [any DispatchSourceSignal] {
    [SIGINT, SIGTERM].map { signo in
        signal(signo, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
        source.setEventHandler {
            let me = getpid()
            for child in childProcesses(of: me) { kill(child, SIGKILL) }
            print("mirror-bench: interrupted; killed its brokers and worker (their temp directories are left in \(NSTemporaryDirectory()))")
            exit(130)
        }
        source.resume()
        return source
    }
}

/// The direct children of `parent`, from /proc.
func childProcesses(of parent: Int32) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap(Int32.init).filter { pid in
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 && Int32(fields[1]) == parent
    }
}

/// CPU seconds (user + system) per thread of process `pid`, with the thread names, from /proc.
func threadCPUSeconds(_ pid: Int32) -> [Int32: (name: String, seconds: Double)] {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    var result: [Int32: (name: String, seconds: Double)] = [:]
    for entry in tasks {
        guard let tid = Int32(entry),
              let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/stat", encoding: .utf8),
              let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { continue }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
        result[tid] = (String(stat[stat.index(after: open)..<close]), (user + system) / ticks)
    }
    return result
}
