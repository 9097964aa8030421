import ConnectAPI

/// What the worker asks of a running connector or task: its target state, whether it should
/// stop (gracefully: commit, then call the plugin's `stop`), and whether it was abandoned
/// after not stopping within `task.shutdown.graceful.timeout.ms` (then it is cancelled).
struct TaskControl: Sendable, Equatable {
    var target: TargetState
    var stopping = false
    var abandoned = false
}

/// A connector or task the ``Worker`` runs as one child of its task group.
protocol WorkerJob: AnyObject, Sendable {
    var control: WatchedValue<TaskControl> { get }
    /// Runs until the job stops (gracefully or by failing). Status changes go to the listener.
    func execute() async
}

extension WorkerJob {
    /// Runs `operation` until it finishes or the job is asked to stop; in the latter case
    /// `operation` is cancelled and `nil` is returned.
    func untilStopped<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask { [control] in
                try await control.wait { $0.stopping }
                return nil
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                return result
            }
            return nil
        }
    }
}
