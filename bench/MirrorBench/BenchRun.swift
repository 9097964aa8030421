import Foundation
import Kafka
import KafkaTestSupport
import Logging
import MirrorClient
import Synchronization

/// One benchmark run on two clusters: fills the source topic, then runs the variants round by
/// round, each into a fresh target topic.
struct BenchRun: Sendable {
    let settings: BenchSettings
    let source: KafkaTestCluster
    let target: KafkaTestCluster

    static let sourceTopic = "bench-source"

    /// The client settings the worker gives a source task's producer (Worker.startTask), so the
    /// ceiling loops run with the same acks and idempotence as the connector.
    static let producerProperties = ["acks": "all", "enable.idempotence": "true"]
    /// What MirrorSourceTask's consumer gets (Apache: no auto commit, from the earliest offset).
    static let consumerProperties = ["enable.auto.commit": "false", "auto.offset.reset": "earliest"]

    private var logger: Logger { settings.logger }
    private var watcher: TargetWatcher { TargetWatcher(bootstrap: target.bootstrapServers, logger: logger) }

    /// A watcher of the target cluster that also reads the CPU use of `copier` (seconds so far),
    /// of both brokers and of the machine at every poll.
    private func watcher(copier: @escaping @Sendable () -> Double) -> TargetWatcher {
        var watcher = watcher
        watcher.cpuProbe = { [self] in
            CPUReading(copier: copier(), brokers: brokerCPUSeconds(), machine: machineBusyCPUSeconds())
        }
        return watcher
    }

    func run() async throws -> [RunResult] {
        print("source cluster \(source.bootstrapServers), target cluster \(target.bootstrapServers)")
        let perPartition = try await fillSource()

        var worker: ConnectWorkerProcess?
        var variants = settings.variants
        if variants.contains(where: \.isMirror) {
            worker = try await startWorker()
            if worker == nil { variants.removeAll(where: \.isMirror) }
        }
        do {
            var results: [RunResult] = []
            for round in 1...settings.rounds {
                // Each round starts one variant later, so that no variant always runs first or last.
                let shift = (round - 1) % max(variants.count, 1)
                for variant in variants[shift...] + variants[..<shift] {
                    let brokerCPUBefore = brokerCPUSeconds()
                    var result = try await runVariant(variant, round: round, perPartition: perPartition, worker: worker)
                    result.brokerCPUSeconds = brokerCPUSeconds() - brokerCPUBefore
                    try await deleteTopic(result.targetTopic, on: target)
                    results.append(result)
                    let warning = result.settledRecords == Int64(settings.records)
                        ? "" : "  WARNING: the target topic holds \(result.settledRecords) records"
                    print("round \(round) \(variant.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0))"
                        + String(
                            format: "%9.0f records/s steady, %9.0f from start (first record after %.2f s, done after %.2f s), %.2f µs CPU/record, brokers %.2f",
                            result.steadyRate, result.rateFromStart, result.startLatency.seconds, result.total.seconds,
                            result.cpuMicrosecondsPerRecord, result.brokerCPUMicrosecondsPerRecord)
                        + (variant.isMirror
                            ? String(format: " (%.2f without the worker's own clients)", result.netCPUMicrosecondsPerRecord) : "")
                        + warning)
                    print(String(
                        format: "        steady half: copier %.2f µs CPU/record, brokers %.2f, machine %.2f of %d cores busy",
                        result.steadyCopierMicrosecondsPerRecord, result.steadyBrokerMicrosecondsPerRecord,
                        result.steadyBusyCores, ProcessInfo.processInfo.activeProcessorCount))
                }
            }
            if let worker {
                await worker.stop()
                if settings.keepWorkerLog {
                    print("connect-worker log kept: \(worker.logFile.path)")
                } else {
                    try? FileManager.default.removeItem(at: worker.directory)
                }
            }
            return results
        } catch {
            if let worker {
                print(worker.logTail(lines: 60))
                await worker.stop()
                print("connect-worker log kept: \(worker.logFile.path)")
            }
            throw error
        }
    }

    // MARK: Source data

    /// Creates the source topic and writes `records` records round-robin over its partitions,
    /// with current timestamps. Returns the number of records per partition.
    private func fillSource() async throws -> [Int64] {
        try await createTopic(Self.sourceTopic, on: source)
        let producer = try KafkaProducer(
            configuration: ["bootstrap.servers": source.bootstrapServers, "acks": "all", "linger.ms": "20"],
            logger: logger)
        let failures = Mutex<(count: Int, first: KafkaError?)>((0, nil))
        let started = ContinuousClock.now
        do {
            let partitions = Int32(settings.partitions)
            // Distinct values: the record number in the first 8 bytes, a fixed pattern after.
            var value = (0..<settings.valueSize).map { UInt8(truncatingIfNeeded: $0) }
            for index in 0..<settings.records {
                withUnsafeBytes(of: UInt64(index).bigEndian) { bytes in
                    for (offset, byte) in bytes.prefix(value.count).enumerated() { value[offset] = byte }
                }
                let record = ProducerRecord(topic: Self.sourceTopic, partition: Int32(index) % partitions, value: value)
                while true {
                    do {
                        try producer.send(record) { result in
                            if case .failure(let error) = result {
                                failures.withLock { $0 = ($0.count + 1, $0.first ?? error) }
                            }
                        }
                        break
                    } catch let error as KafkaError where error.code == .queueFull {
                        try await Task.sleep(for: .milliseconds(2))
                    }
                }
            }
            try await producer.flush(timeout: .seconds(120))
            await producer.close()
        } catch {
            await producer.close(timeout: .seconds(1))
            throw error
        }
        let (failed, first) = failures.withLock { $0 }
        guard failed == 0 else { throw BenchError("filling the source topic: \(failed) sends failed, first: \(first.map { "\($0)" } ?? "?")") }
        let elapsed = ContinuousClock.now - started
        let counts = try await TargetWatcher(bootstrap: source.bootstrapServers, logger: logger)
            .settledCount(topic: Self.sourceTopic, partitions: settings.partitions)
        guard counts.reduce(0, +) == Int64(settings.records) else {
            throw BenchError("source topic holds \(counts.reduce(0, +)) records, expected \(settings.records): \(counts)")
        }
        print(String(
            format: "filled %@: %d records × %d bytes in %d partitions (%.1f s, %.0f records/s)",
            Self.sourceTopic as NSString, settings.records, settings.valueSize, settings.partitions,
            elapsed.seconds, Double(settings.records) / elapsed.seconds))
        return counts
    }

    /// CPU seconds used so far by both brokers.
    private func brokerCPUSeconds() -> Double {
        processCPUSeconds(source.processIdentifier) + processCPUSeconds(target.processIdentifier)
    }

    /// Deletes a run's target topic: noida-db's periodic saving costs CPU in proportion to the
    /// data it holds, so a broker that kept every earlier run's copy would slow later runs.
    private func deleteTopic(_ name: String, on cluster: KafkaTestCluster) async throws {
        try await topicOperation(name, on: cluster) { admin in try await admin.deleteTopics([name]) }
    }

    private func createTopic(_ name: String, on cluster: KafkaTestCluster) async throws {
        try await topicOperation(name, on: cluster) { admin in
            try await admin.createTopics([NewTopic(name: name, numPartitions: Int32(settings.partitions), replicationFactor: 1)])
        }
    }

    /// Runs one topic operation with a short-lived admin client on `cluster`, closes the client,
    /// and throws the failure the operation reported for topic `name`, if any.
    private func topicOperation(
        _ name: String, on cluster: KafkaTestCluster, _ operation: (KafkaAdminClient) async throws -> [String: KafkaError]
    ) async throws {
        let admin = try KafkaAdminClient(configuration: ["bootstrap.servers": cluster.bootstrapServers], logger: logger)
        let failures: [String: KafkaError]
        do {
            failures = try await operation(admin)
        } catch {
            await admin.close()
            throw error
        }
        await admin.close()
        if let failure = failures[name] { throw failure }
    }

    // MARK: Variants

    private func runVariant(_ variant: Variant, round: Int, perPartition: [Int64], worker: ConnectWorkerProcess?) async throws -> RunResult {
        let expected = Int64(settings.records)
        switch variant {
        case .rdkafka, .rdkafkaX2, .kafkaLayer:
            let targetTopic = "\(variant.rawValue)-r\(round)"
            try await createTopic(targetTopic, on: target)
            let loops: [[Int32]] = variant == .rdkafkaX2
                ? [
                    (0..<settings.partitions).filter { $0 % 2 == 0 }.map(Int32.init),
                    (0..<settings.partitions).filter { $0 % 2 == 1 }.map(Int32.init),
                ].filter { !$0.isEmpty }
                : [(0..<settings.partitions).map(Int32.init)]
            let loopFailure = FirstFailure()
            let cpuBefore = ownCPUSeconds()
            let start = ContinuousClock.now
            let observation = try await withThrowingTaskGroup(of: TargetWatcher.Observation?.self) { group in
                for (index, partitions) in loops.enumerated() {
                    let loopExpected = partitions.reduce(0) { $0 + Int(perPartition[Int($1)]) }
                    group.addTask {
                        do {
                            let acknowledged = try await runLoop(
                                variant, partitions: partitions, targetTopic: targetTopic, expected: loopExpected, index: index)
                            guard acknowledged == loopExpected else {
                                throw BenchError("\(variant.rawValue) loop \(index): \(acknowledged) acknowledged, expected \(loopExpected)")
                            }
                        } catch {
                            loopFailure.record("\(variant.rawValue) loop failed: \(error)")
                        }
                        return nil
                    }
                }
                group.addTask {
                    try await watcher(copier: ownCPUSeconds).waitFor(
                        topic: targetTopic, partitions: settings.partitions, expected: expected, timeout: settings.timeout,
                        failure: { loopFailure.message })
                }
                var observation: TargetWatcher.Observation?
                for try await result in group { if let result { observation = result } }
                return observation
            }
            let cpu = ownCPUSeconds() - cpuBefore
            if settings.progress, let observation { print("  progress: \(observation.progress(from: start))") }
            if let failure = loopFailure.message { throw BenchError(failure) }
            guard let observation else { throw BenchError("\(variant.rawValue): no observation") }
            let settled = try await watcher.settledCount(topic: targetTopic, partitions: settings.partitions).reduce(0, +)
            var result = RunResult(
                variant: variant, round: round, records: settings.records, start: start, observation: observation,
                settledRecords: settled, cpuSeconds: cpu)
            result.targetTopic = targetTopic
            return result

        case .mirror1, .mirror2:
            guard let worker else { throw BenchError("no connect-worker for \(variant.rawValue)") }
            return try await runMirror(variant, round: round, tasks: variant == .mirror1 ? 1 : 2, worker: worker)
        }
    }

    private func runLoop(_ variant: Variant, partitions: [Int32], targetTopic: String, expected: Int, index: Int) async throws -> Int {
        if variant == .kafkaLayer {
            return try await KafkaLayerLoop(
                sourceBootstrap: source.bootstrapServers, targetBootstrap: target.bootstrapServers,
                sourceTopic: Self.sourceTopic, partitions: partitions, targetTopic: targetTopic, expected: expected,
                consumerProperties: Self.consumerProperties, producerProperties: Self.producerProperties,
                timeout: settings.timeout, logger: logger
            ).run()
        }
        let loop = RawLibrdkafkaLoop(
            sourceBootstrap: source.bootstrapServers, targetBootstrap: target.bootstrapServers,
            sourceTopic: Self.sourceTopic, partitions: partitions, targetTopic: targetTopic, expected: expected,
            consumerProperties: Self.consumerProperties.merging([
                // librdkafka needs a group id to consume; it is never joined (assign only).
                "group.id": "mirror-bench-raw", "enable.auto.offset.store": "false",
            ]) { $1 },
            producerProperties: Self.producerProperties,
            timeout: settings.timeout)
        return try await onDedicatedThread(name: "mirror-bench.raw-loop-\(index)") { try loop.run() }
    }

    // MARK: MirrorSource

    /// Starts the connect-worker process against the target cluster, or returns `nil` (after
    /// saying why) when there is no binary or it has no MirrorSourceConnector plugin.
    private func startWorker() async throws -> ConnectWorkerProcess? {
        guard let binary = settings.workerBinary, FileManager.default.isExecutableFile(atPath: binary.path) else {
            print("mirror variants skipped: no connect-worker binary (build it with -c release, or pass --worker-binary)")
            return nil
        }
        let worker = try await ConnectWorkerProcess.start(
            binary: binary, bootstrap: target.bootstrapServers, overrides: settings.workerProperties,
            logLevel: settings.workerLogLevel)
        let plugins = try await worker.request("GET", "/connector-plugins")
        guard plugins.text.contains(Self.mirrorSourceClass) else {
            print("mirror variants skipped: \(binary.path) has no \(Self.mirrorSourceClass) plugin")
            await worker.stop()
            try? FileManager.default.removeItem(at: worker.directory)
            return nil
        }
        print("connect-worker \(binary.path) at \(worker.url), log \(worker.logFile.path)")
        // What the worker burns with no connector (its stores' consumers, group heartbeats):
        // part of every mirror-N run's CPU.
        let idleBefore = worker.cpuSeconds
        try await Task.sleep(for: .seconds(3))
        print(String(
            format: "connect-worker idle CPU: %.0f%% of a core (its three store readers only check end offsets while idle)",
            (worker.cpuSeconds - idleBefore) / 3 * 100))
        return worker
    }

    static let mirrorSourceClass = "org.apache.kafka.connect.mirror.MirrorSourceConnector"

    /// Creates a MirrorSourceConnector with a fresh source alias (so a fresh target topic
    /// `<alias>.bench-source` and fresh source offsets), times it until the target topic holds
    /// every record, then deletes it.
    private func runMirror(_ variant: Variant, round: Int, tasks: Int, worker: ConnectWorkerProcess) async throws -> RunResult {
        let alias = "primary-\(variant.rawValue)-r\(round)"
        let name = "mirror-source-\(variant.rawValue)-r\(round)"
        let policy = DefaultReplicationPolicy()
        let targetTopic = policy.formatRemoteTopic(sourceClusterAlias: alias, topic: Self.sourceTopic)
        let config = [
            "connector.class": Self.mirrorSourceClass,
            "source.cluster.alias": alias,
            "target.cluster.alias": "backup",
            "source.cluster.bootstrap.servers": source.bootstrapServers,
            "target.cluster.bootstrap.servers": target.bootstrapServers,
            "topics": Self.sourceTopic,
            "tasks.max": String(tasks),
            "replication.factor": "1",
            "offset-syncs.topic.replication.factor": "1",
            // Offset syncs go where the copies go. On the source cluster (Apache's default) they
            // are the only write a run makes there, and noida-db answers any write by saving the
            // cluster's whole data set again, the 80 MB source topic included, at a full core,
            // right during the copy: a broker cost the bare loops never trigger.
            "offset-syncs.topic.location": "target",
            "sync.topic.configs.enabled": "false",
            "sync.topic.acls.enabled": "false",
            "refresh.topics.interval.seconds": "600",
            "key.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
            "value.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
        ].merging(settings.connectorProperties) { _, override in override }

        // Apache names the offset-syncs topic after the cluster it does not live on.
        let syncsOnTarget = config["offset-syncs.topic.location"] == "target"
        let syncsTopic = policy.offsetSyncsTopic(clusterAlias: syncsOnTarget ? alias : "backup")
        let syncsWatcher = TargetWatcher(bootstrap: (syncsOnTarget ? target : source).bootstrapServers, logger: logger)
        let syncsBefore = (try? await syncsWatcher.settledCount(topic: syncsTopic, partitions: 1).reduce(0, +)) ?? 0
        let cpuBefore = worker.cpuSeconds
        let threadsBefore = worker.threadCPUSeconds.filter { $0.value.name.hasPrefix("rdk:") }
        let start = ContinuousClock.now
        try await worker.createConnector(name: name, config: config)
        let checks = Atomic<Int>(0)
        let observation: TargetWatcher.Observation
        do {
            observation = try await watcher(copier: { worker.cpuSeconds }).waitFor(
                topic: targetTopic, partitions: settings.partitions, expected: Int64(settings.records),
                timeout: settings.timeout,
                failure: {
                    // Ask the worker about failed tasks twice a second, not on every poll.
                    guard checks.add(1, ordering: .relaxed).newValue % 25 == 0 else { return nil }
                    if !worker.isRunning { return "connect-worker exited" }
                    return await worker.failure(of: name)
                })
        } catch {
            try? await worker.deleteConnector(name)
            throw error
        }
        let cpu = worker.cpuSeconds - cpuBefore
        let threadsAfter = worker.threadCPUSeconds
        let workerClientCPU = threadsBefore.reduce(0.0) { sum, entry in
            sum + max(0, (threadsAfter[entry.key]?.seconds ?? entry.value.seconds) - entry.value.seconds)
        }
        if settings.progress { print("  progress: \(observation.progress(from: start))") }
        let runningTasks = await worker.runningTasks(of: name)
        let settled = try await watcher.settledCount(topic: targetTopic, partitions: settings.partitions).reduce(0, +)
        try await worker.deleteConnector(name)
        if settings.progress {
            let syncsAfter = (try? await syncsWatcher.settledCount(topic: syncsTopic, partitions: 1).reduce(0, +)) ?? 0
            print("  offset syncs written: \(syncsAfter - syncsBefore)")
        }
        if runningTasks != tasks {
            print("note: \(name) had \(runningTasks) RUNNING tasks at the end, expected \(tasks)")
        }
        var result = RunResult(
            variant: variant, round: round, records: settings.records, start: start, observation: observation,
            settledRecords: settled, cpuSeconds: cpu)
        result.workerClientCPUSeconds = workerClientCPU
        result.targetTopic = targetTopic
        return result
    }
}

/// The first failure of concurrent loops, read by the watcher to stop waiting.
final class FirstFailure: Sendable {
    private let state = Mutex<String?>(nil)

    func record(_ message: String) { state.withLock { $0 = $0 ?? message } }

    var message: String? { state.withLock { $0 } }
}
