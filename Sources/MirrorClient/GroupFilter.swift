/// Decides which consumer groups MirrorCheckpointConnector checkpoints, like Apache's
/// `DefaultGroupFilter`: a group is included when it matches `groups` and does not match
/// `groups.exclude`.
///
/// Both properties are comma-separated lists of Java regular expressions matched against
/// the whole group id (see ``PatternList``); an empty list matches nothing.
public struct GroupFilter: Sendable {
    public static let groupsIncludeConfig = "groups"
    public static let groupsIncludeDefault = ".*"
    public static let groupsExcludeConfig = "groups.exclude"
    /// The deprecated name of ``groupsExcludeConfig``, read when that is absent.
    public static let groupsExcludeConfigAlias = "groups.blacklist"
    public static let groupsExcludeDefault = "console-consumer-.*, connect-.*, __.*"

    public let include: PatternList
    public let exclude: PatternList

    public init(include: PatternList, exclude: PatternList) {
        self.include = include
        self.exclude = exclude
    }

    /// Reads `groups` and `groups.exclude` (or `groups.blacklist`), using Apache's defaults
    /// for absent keys; `[:]` gives the default filter.
    /// - Throws: ``MirrorClientError/Code/invalidPattern`` naming the property and the pattern.
    public init(config: [String: String] = [:]) throws(MirrorClientError) {
        self.init(
            include: try PatternList(config: config, key: Self.groupsIncludeConfig, defaultValue: Self.groupsIncludeDefault),
            exclude: try PatternList(
                config: config,
                key: Self.groupsExcludeConfig,
                alias: Self.groupsExcludeConfigAlias,
                defaultValue: Self.groupsExcludeDefault
            )
        )
    }

    public func shouldReplicateGroup(_ group: String) -> Bool {
        include.matches(group) && !exclude.matches(group)
    }
}
