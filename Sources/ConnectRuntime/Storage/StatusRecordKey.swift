/// The key of a status-topic record (`status.storage.topic`).
///
/// `status-connector-<name>` and `status-task-<name>-<n>` map to ``StatusRecord`` values;
/// `status-topic-<topic>:connector-<name>` maps to ``TopicStatusRecord`` values (KIP-558).
/// As in Apache's `KafkaStatusBackingStore`, the task number follows the last `-`, and a topic
/// key splits at the first `:` (topic names cannot contain one).
public enum StatusRecordKey: Hashable, Sendable, CustomStringConvertible {
    case connector(String)
    case task(ConnectorTaskId)
    case topic(topic: String, connector: String)

    private static let connectorPrefix = "status-connector-"
    private static let taskPrefix = "status-task-"
    private static let topicPrefix = "status-topic-"
    private static let topicSeparator = ":connector-"

    /// - Throws: ``ConnectRuntimeError`` with code `malformedRecord` for a key Apache would
    ///   discard (unknown prefix, empty names, missing task number or separator).
    public init(parsing key: String) throws(ConnectRuntimeError) {
        func invalid(_ reason: String) -> ConnectRuntimeError {
            ConnectRuntimeError(.malformedRecord, "invalid status topic key '\(key)': \(reason)")
        }
        if key.hasPrefix(Self.connectorPrefix) {
            let connector = String(key.dropFirst(Self.connectorPrefix.count))
            guard !connector.isEmpty else { throw invalid("empty connector name") }
            self = .connector(connector)
        } else if key.hasPrefix(Self.taskPrefix) {
            guard let task = ConnectorTaskId.parseKeySuffix(key.dropFirst(Self.taskPrefix.count)) else {
                throw invalid("expected status-task-<connector>-<task number>")
            }
            self = .task(task)
        } else if key.hasPrefix(Self.topicPrefix) {
            let rest = key.dropFirst(Self.topicPrefix.count)
            guard let colon = rest.firstIndex(of: ":"), rest[colon...].hasPrefix(Self.topicSeparator) else {
                throw invalid("expected status-topic-<topic>:connector-<connector>")
            }
            let topic = String(rest[..<colon])
            let connector = String(rest[colon...].dropFirst(Self.topicSeparator.count))
            guard !topic.isEmpty else { throw invalid("empty topic name") }
            guard !connector.isEmpty else { throw invalid("empty connector name") }
            self = .topic(topic: topic, connector: connector)
        } else {
            throw invalid("unknown prefix")
        }
    }

    /// The record key string.
    public var key: String {
        switch self {
        case .connector(let name): Self.connectorPrefix + name
        case .task(let id): Self.taskPrefix + id.description
        case .topic(let topic, let connector): Self.topicPrefix + topic + Self.topicSeparator + connector
        }
    }

    public var description: String { key }
}
