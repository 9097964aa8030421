import KafkaProtocol

/// Identifies one task of a connector, printed `<connector>-<task>` like Java's `ConnectorTaskId`.
///
/// Task numbers are non-negative; the group protocol reserves `-1` to mean "the Connector
/// instance itself" (see ``WorkerAssignment``).
public struct ConnectorTaskId: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let connector: String
    public let task: Int32

    /// - Throws: ``ConnectRuntimeError`` with code `invalidArgument` if `task` is negative or
    ///   the connector name is longer than a Kafka protocol STRING can hold (32767 UTF-8 bytes).
    public init(connector: String, task: Int32) throws(ConnectRuntimeError) {
        guard task >= 0 else {
            throw ConnectRuntimeError(.invalidArgument, "task number of connector '\(connector)' must not be negative, got \(task)")
        }
        try ConnectorTaskId.validateProtocolString(connector, "connector name")
        self.init(validatedConnector: connector, task: task)
    }

    init(validatedConnector connector: String, task: Int32) {
        self.connector = connector
        self.task = task
    }

    public var description: String { "\(connector)-\(task)" }

    /// Orders by connector name, then task number.
    public static func < (lhs: ConnectorTaskId, rhs: ConnectorTaskId) -> Bool {
        (lhs.connector, lhs.task) < (rhs.connector, rhs.task)
    }

    /// Parses the `<connector>-<task>` tail of an internal-topic key (`task-…`, `status-task-…`).
    /// The task number follows the last `-`, so connector names may contain dashes.
    static func parseKeySuffix(_ suffix: Substring) -> ConnectorTaskId? {
        guard let dash = suffix.lastIndex(of: "-"),
              let task = Int32(suffix[suffix.index(after: dash)...]), task >= 0
        else { return nil }
        return try? ConnectorTaskId(connector: String(suffix[..<dash]), task: task)
    }

    /// Strings in Connect's group protocol are Kafka STRINGs; checking at construction
    /// reports an oversized name when it is given, not later when it is encoded.
    static func validateProtocolString(_ value: String, _ name: String) throws(ConnectRuntimeError) {
        guard value.utf8.count <= KafkaBinaryWriter.maxStringLength else {
            throw ConnectRuntimeError(.invalidArgument, "\(name) is \(value.utf8.count) UTF-8 bytes; the group protocol allows at most \(KafkaBinaryWriter.maxStringLength)")
        }
    }
}
