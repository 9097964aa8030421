/// Decides which topics MirrorSourceConnector replicates, like Apache's `DefaultTopicFilter`:
/// a topic is replicated when it matches `topics` and does not match `topics.exclude`.
///
/// Both properties are comma-separated lists of Java regular expressions matched against
/// the whole topic name (see ``PatternList``); an empty list matches nothing.
public struct TopicFilter: Sendable {
    public static let topicsIncludeConfig = "topics"
    public static let topicsIncludeDefault = ".*"
    public static let topicsExcludeConfig = "topics.exclude"
    /// The deprecated name of ``topicsExcludeConfig``, read when that is absent.
    public static let topicsExcludeConfigAlias = "topics.blacklist"
    public static let topicsExcludeDefault = #".*[\-\.]internal, .*\.replica, __.*"#

    public let include: PatternList
    public let exclude: PatternList

    public init(include: PatternList, exclude: PatternList) {
        self.include = include
        self.exclude = exclude
    }

    /// Reads `topics` and `topics.exclude` (or `topics.blacklist`), using Apache's defaults
    /// for absent keys; `[:]` gives the default filter.
    /// - Throws: ``MirrorClientError/Code/invalidPattern`` naming the property and the pattern.
    public init(config: [String: String] = [:]) throws(MirrorClientError) {
        self.init(
            include: try PatternList(config: config, key: Self.topicsIncludeConfig, defaultValue: Self.topicsIncludeDefault),
            exclude: try PatternList(
                config: config,
                key: Self.topicsExcludeConfig,
                alias: Self.topicsExcludeConfigAlias,
                defaultValue: Self.topicsExcludeDefault
            )
        )
    }

    public func shouldReplicateTopic(_ topic: String) -> Bool {
        include.matches(topic) && !exclude.matches(topic)
    }
}
