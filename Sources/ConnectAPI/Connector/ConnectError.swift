/// An error raised by a connector, task, converter or the Connect data layer, like Kafka's
/// `ConnectException` (and its `DataException` subclass for conversion problems).
///
/// Throwing it from a task fails the task; the runtime records ``message`` as the failure.
public struct ConnectError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in words meant for an operator.
    public var message: String
    /// The error that caused this one, if any.
    public var underlying: (any Error)?

    public init(_ message: String, underlying: (any Error)? = nil) {
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        guard let underlying else { return message }
        return "\(message): \(underlying)"
    }
}

/// An error after which the failed operation may be retried, like Kafka's `RetriableException`.
///
/// A source task throwing it from ``SourceTask/poll()`` or a sink task throwing it from
/// ``SinkTask/put(_:)`` is not failed: the runtime calls the method again (for `put`, with
/// the same records) after a back-off.
public struct RetriableError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var underlying: (any Error)?

    public init(_ message: String, underlying: (any Error)? = nil) {
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        guard let underlying else { return message }
        return "\(message): \(underlying)"
    }
}
