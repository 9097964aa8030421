import Foundation
import Kafka
import KafkaTestSupport
import Testing

/// Runs the real `connect-worker` binary built next to the test bundle.
@Suite(.timeLimit(.minutes(2))) struct ClusterInfoEndToEndTests {
    @Test func describesARealCluster() async throws {
        try await withKafkaTestCluster { cluster in
            let admin = try KafkaAdminClient(configuration: ["bootstrap.servers": cluster.bootstrapServers])
            #expect(try await admin.createTopics([NewTopic(name: "orders", numPartitions: 3, replicationFactor: 1)]).isEmpty)
            await admin.close()

            let result = try await runConnectWorker(["cluster-info", "--bootstrap-servers", cluster.bootstrapServers])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("brokers: 1\n"))
            #expect(result.stdout.contains("  orders partitions=3 replication.factor=1\n"))
        }
    }

    @Test func readsClientSettingsFromAPropertiesFile() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("client-\(UUID().uuidString).properties")
        try "# Java client settings\nmax.block.ms = 1000\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try await runConnectWorker(["cluster-info", "--bootstrap-servers", "127.0.0.1:1", "--command-config", file.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("'max.block.ms' is a Java client property with no librdkafka equivalent"))
    }

    @Test func unreachableAndMalformedAddressesFailClearly() async throws {
        let unreachable = try await runConnectWorker(["cluster-info", "--bootstrap-servers", "127.0.0.1:1", "--timeout-ms", "1500"])
        #expect(unreachable.status != 0)
        #expect(unreachable.stderr.contains("timed out after"))
        #expect(unreachable.stderr.contains("Connection refused"))

        let malformed = try await runConnectWorker(["cluster-info", "--bootstrap-servers", "nonsense"])
        #expect(malformed.status != 0)
        #expect(malformed.stderr.contains("invalid 'bootstrap.servers' entry 'nonsense'"))
    }

    @Test func helpNamesTheAvailableCommands() async throws {
        let result = try await runConnectWorker(["--help"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        // The subcommand list documents each command with its abstract.
        #expect(lines.contains { $0.hasPrefix("distributed ") && $0.contains("Kafka Connect distributed worker") }, "\(result.stdout)")
        #expect(lines.contains { $0.hasPrefix("cluster-info ") }, "\(result.stdout)")
        #expect(lines.contains { $0.hasPrefix("mirror-client ") }, "\(result.stdout)")
        // The MM2 connectors are there, and the help says so.
        #expect(result.stdout.contains("MirrorSourceConnector"), "\(result.stdout)")
        #expect(!result.stdout.contains("not available"), "\(result.stdout)")

        let distributed = try await runConnectWorker(["distributed", "--help"])
        #expect(distributed.status == 0, "\(distributed.stderr)")
        #expect(distributed.stdout.contains("<worker-properties>"), "\(distributed.stdout)")
        #expect(distributed.stdout.contains("connect-distributed.sh"), "\(distributed.stdout)")
    }
}

struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// The `connect-worker` executable: `$CONNECT_WORKER_BIN`, or the one SwiftPM built beside
/// this test binary.
func connectWorkerExecutable() throws -> URL {
    if let path = ProcessInfo.processInfo.environment["CONNECT_WORKER_BIN"] { return URL(fileURLWithPath: path) }
    let testBinary = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
    var directory = testBinary.deletingLastPathComponent()
    while directory.path != "/" {
        let candidate = directory.appendingPathComponent("connect-worker")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        directory = directory.deletingLastPathComponent()
    }
    throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "connect-worker not built next to \(testBinary.path)"])
}

func runConnectWorker(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> ProcessResult {
    let process = Process()
    process.executableURL = try connectWorkerExecutable()
    process.arguments = arguments
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Drain both pipes concurrently so a chatty process never blocks on a full pipe.
    async let out = Task.detached { stdout.fileHandleForReading.readDataToEndOfFile() }.value
    async let err = Task.detached { stderr.fileHandleForReading.readDataToEndOfFile() }.value
    let deadline = ContinuousClock.now + timeout
    while process.isRunning {
        if ContinuousClock.now > deadline { process.terminate() }
        try await Task.sleep(for: .milliseconds(20))
    }
    return ProcessResult(
        status: process.terminationStatus,
        stdout: String(decoding: await out, as: UTF8.self),
        stderr: String(decoding: await err, as: UTF8.self)
    )
}
