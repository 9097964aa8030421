import Foundation

/// A list of Java regular expressions that must match a *whole* name, as MirrorMaker 2's
/// topic and group filters use them (Apache's `MirrorUtils.compilePatternList`).
///
/// The patterns are joined with `|` into one expression, which a name must match entirely
/// (Java's `Matcher.matches()`). An empty list matches nothing. Expressions are compiled by
/// ICU, whose syntax follows `java.util.regex` (lookarounds, possessive quantifiers, `\Q…\E`,
/// inline flags, class intersections). One known difference: POSIX classes such as
/// `\p{Lower}` or `\p{Alpha}` are ASCII-only in Java but cover all of Unicode in ICU.
public struct PatternList: Sendable, CustomStringConvertible {
    /// The patterns as configured, before joining.
    public let patterns: [String]
    /// The joined expression anchored at both ends; `nil` for an empty list.
    private let regex: NSRegularExpression?

    /// Compiles `patterns`; `property` names the configuration key in error messages.
    /// - Throws: ``MirrorClientError/Code/invalidPattern`` naming the property and the pattern.
    public init(_ patterns: [String], property: String) throws(MirrorClientError) {
        self.patterns = patterns
        guard !patterns.isEmpty else {
            regex = nil
            return
        }
        let joined = patterns.joined(separator: "|")
        guard (try? NSRegularExpression(pattern: joined)) != nil || joined.isEmpty else {
            let culprit = patterns.first { (try? NSRegularExpression(pattern: $0)) == nil } ?? joined
            throw MirrorClientError(
                .invalidPattern,
                "\(property): \"\(culprit)\" is not a valid regular expression (in \"\(patterns.joined(separator: ","))\")"
            )
        }
        // Anchoring alone breaks when the pattern's tail swallows the closing `)\z`: an
        // unterminated `\Q` quote or a `#` comment in `(?x)` mode. Closing those first fixes it.
        let anchored = ["", "\\E", "\n", "\\E\n"].lazy.compactMap { closing in
            try? NSRegularExpression(pattern: "\\A(?:" + joined + closing + ")\\z")
        }.first
        guard let anchored else {
            throw MirrorClientError(.invalidPattern, "\(property): cannot anchor \"\(joined)\" for whole-name matching")
        }
        regex = anchored
    }

    /// Parses `value` as a Kafka `LIST` (comma-separated, blanks around commas ignored) and compiles it.
    /// - Throws: ``MirrorClientError/Code/invalidPattern`` naming the property and the pattern.
    public init(parsing value: String, property: String) throws(MirrorClientError) {
        try self.init(ConfigParsing.list(value), property: property)
    }

    /// Whether `name` matches one of the patterns in full.
    public func matches(_ name: String) -> Bool {
        guard let regex else { return false }
        return regex.firstMatch(in: name, range: NSRange(location: 0, length: name.utf16.count)) != nil
    }

    public var description: String { patterns.joined(separator: ",") }
}

extension PatternList {
    /// Compiles the list configured under `key`, or under its deprecated `alias` when only
    /// that is set (Kafka's `translateDeprecatedConfigs`), or else `defaultValue`.
    init(config: [String: String], key: String, alias: String? = nil, defaultValue: String) throws(MirrorClientError) {
        if let value = config[key] {
            try self.init(parsing: value, property: key)
        } else if let alias, let value = config[alias] {
            try self.init(parsing: value, property: alias)
        } else {
            try self.init(parsing: defaultValue, property: key)
        }
    }
}
