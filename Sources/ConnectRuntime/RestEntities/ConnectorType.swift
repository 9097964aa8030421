/// A connector's kind as the REST API reports it (`"source"`, `"sink"`, `"unknown"`).
public enum ConnectorType: String, Sendable, Hashable, CaseIterable {
    case source
    case sink
    case unknown
}
