/// Helpers for handling property maps, after Kafka's `ConfigUtils`.
public enum ConfigUtils {
    /// Replaces deprecated alias keys with their current key, like Kafka's
    /// `ConfigUtils.translateDeprecatedConfigs`: the current key wins when both are set; otherwise
    /// the first alias (in `aliasGroups` order) that is set supplies the value. Alias keys never
    /// appear in the result.
    ///
    /// - Parameter aliasGroups: each current key with its deprecated aliases.
    public static func translateDeprecatedConfigs(
        _ properties: [String: String], aliasGroups: [(key: String, aliases: [String])]
    ) -> [String: String] {
        let aliasNames = Set(aliasGroups.flatMap { [$0.key] + $0.aliases })
        var result = properties.filter { !aliasNames.contains($0.key) }
        for group in aliasGroups {
            if let current = properties[group.key] {
                result[group.key] = current
            } else if let alias = group.aliases.first(where: { properties[$0] != nil }) {
                result[group.key] = properties[alias]
            }
        }
        return result
    }
}
