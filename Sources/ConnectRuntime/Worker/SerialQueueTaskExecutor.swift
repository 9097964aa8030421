import Dispatch

/// A task executor backed by its own serial dispatch queue: the equivalent of Java's
/// thread-per-task. Work that prefers it runs there instead of on Swift's cooperative pool, so
/// a connector or task that blocks its thread (a plugin calling a blocking API) slows only
/// itself, never the herder, the group heartbeats or the other tasks.
final class SerialQueueTaskExecutor: TaskExecutor {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
