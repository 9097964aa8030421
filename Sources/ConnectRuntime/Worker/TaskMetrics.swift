import Synchronization

/// Counters and timings of one running task, read by the metrics endpoint to come
/// (Apache's `source-task-metrics` / `sink-task-metrics` groups).
final class TaskMetrics: Sendable {
    /// A consistent copy of the counters.
    struct Snapshot: Sendable, Equatable {
        var records = 0
        var bytes = 0
        var batches = 0
        var batchTime: Duration = .zero
        var offsetCommitSuccesses = 0
        var offsetCommitFailures = 0
        var offsetCommitTime: Duration = .zero
    }

    private let state = Mutex(Snapshot())

    var snapshot: Snapshot { state.withLock { $0 } }

    /// Records were written (source) or delivered to the task (sink).
    func recordSent(records: Int = 1, bytes: Int) {
        state.withLock {
            $0.records += records
            $0.bytes += bytes
        }
    }

    /// A batch was polled and handed on, taking `duration`.
    func recordBatch(_ count: Int, duration: Duration) {
        state.withLock {
            $0.batches += 1
            $0.batchTime += duration
        }
    }

    func recordOffsetCommit(success: Bool, duration: Duration) {
        state.withLock {
            if success { $0.offsetCommitSuccesses += 1 } else { $0.offsetCommitFailures += 1 }
            $0.offsetCommitTime += duration
        }
    }
}
