import Foundation
import Synchronization

/// A throwaway single-broker Kafka cluster for tests, benchmarks and demos: a noida-db
/// process (see `../shared/docs/test-brokers.md`) on a free 127.0.0.1 port, with a fresh data
/// directory that is deleted when the cluster stops.
///
/// Prefer ``withKafkaTestCluster(_:)``, which stops the cluster even when the body throws.
/// Two clusters are two independent Kafka clusters (e.g. `primary` and `backup`).
public final class KafkaTestCluster: Sendable {
    /// `127.0.0.1:<port>`.
    public let bootstrapServers: String
    public let port: Int
    /// The broker's own output, kept for diagnosing failures.
    public let logFile: URL
    private let dataDirectory: URL
    private let pid: Int32
    /// The broker's process id (e.g. to read its CPU time).
    public var processIdentifier: Int32 { pid }
    private let stopped = Atomic<Bool>(false)

    /// Every data directory lives under this prefix, so `scripts/test` can kill leftovers of
    /// a crashed test run by pattern.
    public static let directoryPrefix = "swift-connect-kafka-test"

    private init(port: Int, pid: Int32, dataDirectory: URL, logFile: URL) {
        self.port = port
        self.pid = pid
        self.dataDirectory = dataDirectory
        self.logFile = logFile
        bootstrapServers = "127.0.0.1:\(port)"
    }

    deinit {
        // Safety net for a cluster that was never stopped: never leave a broker behind.
        if !stopped.load(ordering: .acquiring) {
            kill(pid, SIGKILL)
            try? FileManager.default.removeItem(at: dataDirectory)
        }
    }

    /// Starts a broker and waits until it accepts connections.
    ///
    /// - Throws: ``KafkaTestClusterError`` if noida-db is not installed or does not come up.
    public static func start(readyTimeout: Duration = .seconds(20)) async throws -> KafkaTestCluster {
        let binary = try NoidaBinary.path()
        var lastError: (any Error)?
        // A free port can be taken by someone else before the broker binds it: try again.
        for _ in 0..<3 {
            do {
                return try await launch(binary: binary, readyTimeout: readyTimeout)
            } catch {
                lastError = error
            }
        }
        throw lastError ?? KafkaTestClusterError("noida-db did not start")
    }

    private static func launch(binary: String, readyTimeout: Duration) async throws -> KafkaTestCluster {
        let port = try freeLoopbackPort()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("\(directoryPrefix)-\(UUID().uuidString)")
        let dataDirectory = root.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        let logFile = root.appendingPathComponent("broker.log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "start", "--data-dir", dataDirectory.path, "--only", "kafka",
            "--host", "127.0.0.1", "--kafka-port", String(port),
        ]
        let log = try FileHandle(forWritingTo: logFile)
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let cluster = KafkaTestCluster(port: port, pid: process.processIdentifier, dataDirectory: root, logFile: logFile)

        let clock = ContinuousClock()
        let deadline = clock.now + readyTimeout
        while clock.now < deadline {
            if !process.isRunning {
                await cluster.stop()
                throw KafkaTestClusterError("noida-db exited with status \(process.terminationStatus): \(tail(of: logFile))")
            }
            if canConnect(port: port) { return cluster }
            try await Task.sleep(for: .milliseconds(50))
        }
        await cluster.stop()
        throw KafkaTestClusterError("noida-db did not accept connections on port \(port) within \(readyTimeout): \(tail(of: logFile))")
    }

    /// Sends SIGTERM, then SIGKILL after `gracePeriod`, waits for the process to exit and
    /// deletes the data directory. Idempotent.
    public func stop(gracePeriod: Duration = .seconds(3)) async {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        kill(pid, SIGTERM)
        let clock = ContinuousClock()
        let deadline = clock.now + gracePeriod
        while clock.now < deadline, isAlive(pid) {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if isAlive(pid) {
            kill(pid, SIGKILL)
            while isAlive(pid) { try? await Task.sleep(for: .milliseconds(20)) }
        }
        try? FileManager.default.removeItem(at: dataDirectory)
    }
}

/// Runs `body` with a fresh cluster and stops it afterwards, also when `body` throws.
public func withKafkaTestCluster<T>(_ body: (KafkaTestCluster) async throws -> T) async throws -> T {
    try await withKafkaTestClusters(count: 1) { try await body($0[0]) }
}

/// Runs `body` with `count` independent clusters and stops them all afterwards.
public func withKafkaTestClusters<T>(count: Int, _ body: ([KafkaTestCluster]) async throws -> T) async throws -> T {
    var clusters: [KafkaTestCluster] = []
    do {
        for _ in 0..<count { clusters.append(try await KafkaTestCluster.start()) }
        let result = try await body(clusters)
        for cluster in clusters { await cluster.stop() }
        return result
    } catch {
        for cluster in clusters { await cluster.stop() }
        throw error
    }
}

/// A test broker could not be started.
public struct KafkaTestClusterError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Finds the noida-db server binary inside its Python package (or `$NOIDA_DB`).
enum NoidaBinary {
    private static let cached = Mutex<String?>(nil)

    static func path() throws -> String {
        if let path = cached.withLock({ $0 }) { return path }
        let path: String
        if let override = ProcessInfo.processInfo.environment["NOIDA_DB"], !override.isEmpty {
            path = override
        } else {
            let python = Process()
            python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            python.arguments = ["python3", "-c", "import noida_db,os;print(os.path.join(os.path.dirname(noida_db.__file__),'noida-db'))"]
            let output = Pipe()
            python.standardOutput = output
            python.standardError = FileHandle.nullDevice
            try python.run()
            python.waitUntilExit()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard python.terminationStatus == 0 else {
                throw KafkaTestClusterError("noida-db is not installed (pip install noida-db==0.2.3, or run ./scripts/setup)")
            }
        }
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw KafkaTestClusterError("noida-db binary not found or not executable at \(path)")
        }
        cached.withLock { $0 = path }
        return path
    }
}

private func isAlive(_ pid: Int32) -> Bool {
    // Reap it if it exited (it is our child), then ask whether it still exists.
    var status: Int32 = 0
    if waitpid(pid, &status, WNOHANG) == pid { return false }
    return kill(pid, 0) == 0
}

private func tail(of file: URL, lines: Int = 15) -> String {
    let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
    return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
}

/// A loopback TCP port nobody listens on right now.
public func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw KafkaTestClusterError("socket() failed: errno \(errno)") }
    defer { close(fd) }
    var address = loopbackAddress(port: 0)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw KafkaTestClusterError("bind() failed: errno \(errno)") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { throw KafkaTestClusterError("getsockname() failed: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
func canConnect(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = loopbackAddress(port: port)
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    } == 0
}

private func loopbackAddress(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
}
