/// Which cluster hosts the offset-syncs topic (`offset-syncs.topic.location`, KIP-716).
public enum OffsetSyncsTopicLocation: String, Sendable, Hashable, CaseIterable {
    case source
    case target
}
