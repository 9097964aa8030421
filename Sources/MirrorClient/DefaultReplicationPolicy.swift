/// MirrorMaker 2's default naming: a remote topic is `<source alias><separator><topic>`
/// (`us-west.orders`), like Apache's `DefaultReplicationPolicy`.
///
/// The separator (`replication.policy.separator`, default `.`) also appears in the
/// offset-syncs and checkpoints topic names unless
/// `replication.policy.internal.topic.separator.enabled` is `false` (KIP-949), in which case
/// those names use `.` whatever the separator.
public struct DefaultReplicationPolicy: ReplicationPolicy, Hashable {
    public static let separatorConfig = "replication.policy.separator"
    public static let separatorDefault = "."
    public static let internalTopicSeparatorEnabledConfig = "replication.policy.internal.topic.separator.enabled"
    public static let internalTopicSeparatorEnabledDefault = true

    public let separator: String
    public let isInternalTopicSeparatorEnabled: Bool

    public init(
        separator: String = DefaultReplicationPolicy.separatorDefault,
        isInternalTopicSeparatorEnabled: Bool = DefaultReplicationPolicy.internalTopicSeparatorEnabledDefault
    ) {
        self.separator = separator
        self.isInternalTopicSeparatorEnabled = isInternalTopicSeparatorEnabled
    }

    /// Reads ``separatorConfig`` (used verbatim, as Apache does) and
    /// ``internalTopicSeparatorEnabledConfig``; other keys are ignored.
    /// - Throws: ``MirrorClientError/Code/invalidConfig`` for a non-boolean enabled flag.
    public init(config: [String: String]) throws(MirrorClientError) {
        let key = Self.internalTopicSeparatorEnabledConfig
        self.init(
            separator: config[Self.separatorConfig] ?? Self.separatorDefault,
            isInternalTopicSeparatorEnabled: try config[key].map { value throws(MirrorClientError) in
                try ConfigParsing.boolean(value, key: key)
            } ?? Self.internalTopicSeparatorEnabledDefault
        )
    }

    public func formatRemoteTopic(sourceClusterAlias: String, topic: String) -> String {
        sourceClusterAlias + separator + topic
    }

    public func topicSource(_ topic: String) -> String? {
        sourceEnd(topic).map { String(decoding: topic.utf8.prefix($0), as: UTF8.self) }
    }

    public func upstreamTopic(_ topic: String) -> String? {
        sourceEnd(topic).map { String(decoding: topic.utf8.dropFirst($0 + separator.utf8.count), as: UTF8.self) }
    }

    public func offsetSyncsTopic(clusterAlias: String) -> String {
        "mm2-offset-syncs" + internalSeparator + clusterAlias + internalSuffix
    }

    public func checkpointsTopic(clusterAlias: String) -> String {
        clusterAlias + checkpointsTopicSuffix
    }

    public func isCheckpointsTopic(_ topic: String) -> Bool {
        topic.hasSuffix(checkpointsTopicSuffix)
    }

    public func isMM2InternalTopic(_ topic: String) -> Bool {
        topic.hasSuffix(internalSuffix)
    }

    private var internalSeparator: String { isInternalTopicSeparatorEnabled ? separator : "." }
    private var internalSuffix: String { internalSeparator + "internal" }
    private var checkpointsTopicSuffix: String { internalSeparator + "checkpoints" + internalSuffix }

    /// UTF-8 length of the source alias in `topic`, or `nil` if `topic` is not remote.
    ///
    /// Apache splits the name with `Pattern.split` and calls it remote when at least two parts
    /// remain after Java drops trailing empty parts. So the alias is everything before the
    /// first separator (possibly empty, as in `.orders`), and `orders.` or `a..` are not
    /// remote. An empty separator splits between characters, so the alias is the first one.
    private func sourceEnd(_ topic: String) -> Int? {
        let name = Array(topic.utf8)
        let sep = Array(separator.utf8)
        guard !sep.isEmpty else {
            let scalars = topic.unicodeScalars
            guard let first = scalars.first, scalars.count >= 2 else { return nil }
            return first.utf8.count
        }
        guard name.count >= sep.count,
              let first = (0...(name.count - sep.count)).first(where: { name[$0...].starts(with: sep) })
        else { return nil }
        // A second part survives Java's trimming iff something other than back-to-back
        // separators follows the first one.
        var position = first + sep.count
        while position < name.count {
            guard name[position...].starts(with: sep) else { return first }
            position += sep.count
        }
        return nil
    }
}
