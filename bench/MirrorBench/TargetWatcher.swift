import Foundation
import Kafka
import Logging

/// When a topic received its first record and when it held `expected` records: polls the end
/// offsets (high watermarks) of its partitions every `interval`. Every variant is timed by this
/// same watcher, so the numbers compare like for like.
struct TargetWatcher {
    var bootstrap: String
    var interval: Duration = .milliseconds(20)
    var logger: Logger
    /// Read at every poll, so that CPU use can be told for any stretch of the run (e.g. the
    /// steady second half).
    var cpuProbe: @Sendable () -> CPUReading = { CPUReading() }

    struct Observation {
        /// When the topic received its first record (interpolated between polls).
        var firstRecord: ContinuousClock.Instant
        /// When it held half of the expected records.
        var half: ContinuousClock.Instant
        /// When it held every expected record.
        var complete: ContinuousClock.Instant
        var records: Int64
        /// Every poll that saw the record count change: (time, records).
        var samples: [(at: ContinuousClock.Instant, records: Int64)]
        /// The CPU probe at every poll.
        var cpu: [(at: ContinuousClock.Instant, reading: CPUReading)] = []

        /// CPU used between two instants, each end interpolated between the polls around it.
        func cpuUsed(from start: ContinuousClock.Instant, to end: ContinuousClock.Instant) -> CPUReading {
            reading(at: end) - reading(at: start)
        }

        private func reading(at instant: ContinuousClock.Instant) -> CPUReading {
            guard let after = cpu.firstIndex(where: { $0.at >= instant }) else { return cpu.last?.reading ?? CPUReading() }
            guard after > 0 else { return cpu[after].reading }
            let (before, next) = (cpu[after - 1], cpu[after])
            let fraction = (instant - before.at) / (next.at - before.at)
            return before.reading + (next.reading - before.reading) * fraction
        }

        /// The record count every `step` from `start`, as "seconds: records" pairs.
        func progress(from start: ContinuousClock.Instant, step: Duration = .milliseconds(500)) -> String {
            var lines: [String] = []
            var next = start
            var index = 0
            var count: Int64 = 0
            while next <= complete + step {
                while index < samples.count, samples[index].at <= next { count = samples[index].records; index += 1 }
                lines.append(String(format: "%.1fs:%lld", (next - start).seconds, count))
                next += step
            }
            return lines.joined(separator: " ")
        }
    }

    /// Waits until `topic` exists with `partitions` partitions and holds `expected` records.
    /// The topic may not exist yet (a connector creates it).
    ///
    /// - Parameter failure: polled each round; a non-nil message aborts the wait (e.g. the
    ///   variant's own loop failed, or the connector's task FAILED).
    func waitFor(
        topic: String, partitions: Int, expected: Int64, timeout: Duration,
        failure: @Sendable () async -> String? = { nil }
    ) async throws -> Observation {
        let admin = try KafkaAdminClient(configuration: ["bootstrap.servers": bootstrap], logger: logger)
        let consumer: KafkaConsumer
        do {
            consumer = try KafkaConsumer(configuration: ["bootstrap.servers": bootstrap], logger: logger)
        } catch {
            await admin.close()
            throw error
        }
        do {
            let observation = try await poll(
                admin: admin, consumer: consumer, topic: topic, partitions: partitions, expected: expected,
                timeout: timeout, failure: failure)
            await admin.close()
            await consumer.close()
            return observation
        } catch {
            await admin.close()
            await consumer.close()
            throw error
        }
    }

    private func poll(
        admin: KafkaAdminClient, consumer: KafkaConsumer, topic: String, partitions: Int, expected: Int64,
        timeout: Duration, failure: @Sendable () async -> String?
    ) async throws -> Observation {
        let deadline = ContinuousClock.now + timeout
        var exists = false
        // (time, records) at every poll that saw the count change, starting from the last 0.
        var samples: [(at: ContinuousClock.Instant, records: Int64)] = []
        var cpu: [(at: ContinuousClock.Instant, reading: CPUReading)] = []
        var last: Int64 = 0
        while true {
            let now = ContinuousClock.now
            cpu.append((now, cpuProbe()))
            if !exists {
                let description = try? await admin.describeTopics([topic], timeout: .seconds(5))
                exists = (description?.first?.partitionCount ?? 0) >= partitions
            }
            if exists {
                let total = try await endOffsetSum(consumer, topic: topic, partitions: partitions)
                let at = ContinuousClock.now
                if total == 0 {
                    samples = [(at, 0)]
                } else if total != last || samples.isEmpty {
                    samples.append((at, total))
                }
                last = total
                if total >= expected {
                    cpu.append((ContinuousClock.now, cpuProbe()))
                    return Observation(
                        firstRecord: Self.crossing(1, in: samples), half: Self.crossing(expected / 2, in: samples),
                        complete: Self.crossing(expected, in: samples), records: total, samples: samples, cpu: cpu)
                }
            }
            if let message = await failure() { throw BenchError(message) }
            guard ContinuousClock.now < deadline else {
                throw BenchError("\(topic) holds \(last) of \(expected) records after \(timeout)\(exists ? "" : " (topic not created)")")
            }
            try await Task.sleep(until: now + interval)
        }
    }

    /// The sum of the end offsets of every partition of `topic`, once it stopped moving
    /// (noida-db's high watermark can lag acknowledged records a little).
    func settledCount(topic: String, partitions: Int) async throws -> [Int64] {
        let consumer = try KafkaConsumer(configuration: ["bootstrap.servers": bootstrap], logger: logger)
        do {
            var previous = try await endOffsets(consumer, topic: topic, partitions: partitions)
            for _ in 0..<40 {
                try await Task.sleep(for: .milliseconds(250))
                let current = try await endOffsets(consumer, topic: topic, partitions: partitions)
                if current == previous { break }
                previous = current
            }
            await consumer.close()
            return previous
        } catch {
            await consumer.close()
            throw error
        }
    }

    /// When the record count reached `threshold`, interpolated linearly between the poll before
    /// and the poll that first saw it.
    static func crossing(_ threshold: Int64, in samples: [(at: ContinuousClock.Instant, records: Int64)]) -> ContinuousClock.Instant {
        guard let index = samples.firstIndex(where: { $0.records >= threshold }) else { return samples.last?.at ?? .now }
        guard index > 0 else { return samples[index].at }
        let (before, after) = (samples[index - 1], samples[index])
        let fraction = Double(threshold - before.records) / Double(after.records - before.records)
        return before.at + (after.at - before.at) * fraction
    }

    private func endOffsetSum(_ consumer: KafkaConsumer, topic: String, partitions: Int) async throws -> Int64 {
        try await endOffsets(consumer, topic: topic, partitions: partitions).reduce(0, +)
    }

    private func endOffsets(_ consumer: KafkaConsumer, topic: String, partitions: Int) async throws -> [Int64] {
        try await withThrowingTaskGroup(of: (Int, Int64).self) { group in
            for partition in 0..<partitions {
                group.addTask {
                    let tp = TopicPartition(topic: topic, partition: Int32(partition))
                    return (partition, try await consumer.watermarks(tp, timeout: .seconds(10)).high)
                }
            }
            var result = [Int64](repeating: 0, count: partitions)
            for try await (partition, high) in group { result[partition] = high }
            return result
        }
    }
}

/// CPU seconds (user + system) used so far: by the process doing the copying, by both brokers,
/// and by the whole machine (every process, every core).
struct CPUReading: Sendable {
    var copier = 0.0
    var brokers = 0.0
    var machine = 0.0

    static func - (lhs: CPUReading, rhs: CPUReading) -> CPUReading {
        CPUReading(copier: lhs.copier - rhs.copier, brokers: lhs.brokers - rhs.brokers, machine: lhs.machine - rhs.machine)
    }

    static func + (lhs: CPUReading, rhs: CPUReading) -> CPUReading {
        CPUReading(copier: lhs.copier + rhs.copier, brokers: lhs.brokers + rhs.brokers, machine: lhs.machine + rhs.machine)
    }

    static func * (reading: CPUReading, factor: Double) -> CPUReading {
        CPUReading(copier: reading.copier * factor, brokers: reading.brokers * factor, machine: reading.machine * factor)
    }
}
