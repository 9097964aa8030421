/// A configuration parsed against a ``ConfigDef``: typed getters (which throw rather than trap)
/// plus the original string properties, like Kafka's `AbstractConfig`.
public struct ParsedConfig: Sendable {
    /// The properties as given, including ones the definition does not know.
    public let originals: [String: String]
    private let values: [String: ConfigValueType]
    private let types: [String: ConfigType]

    init(originals: [String: String], values: [String: ConfigValueType], types: [String: ConfigType]) {
        self.originals = originals
        self.values = values
        self.types = types
    }

    /// The names the definition declares.
    public var names: Set<String> { Set(types.keys) }

    /// The parsed value, or `nil` when the property is unknown or has no value.
    public func value(_ name: String) -> ConfigValueType? {
        values[name]
    }

    /// The parsed values of every declared property that has one.
    public var parsedValues: [String: ConfigValueType] { values }

    public func bool(_ name: String) throws(ConfigException) -> Bool {
        if case .boolean(let value) = try lookup(name, .boolean) { return value }
        throw mismatch(name, .boolean)
    }

    public func string(_ name: String) throws(ConfigException) -> String {
        if case .string(let value) = try lookup(name, .string) { return value }
        throw mismatch(name, .string)
    }

    public func int(_ name: String) throws(ConfigException) -> Int32 {
        if case .int(let value) = try lookup(name, .int) { return value }
        throw mismatch(name, .int)
    }

    public func short(_ name: String) throws(ConfigException) -> Int16 {
        if case .short(let value) = try lookup(name, .short) { return value }
        throw mismatch(name, .short)
    }

    public func long(_ name: String) throws(ConfigException) -> Int64 {
        if case .long(let value) = try lookup(name, .long) { return value }
        throw mismatch(name, .long)
    }

    public func double(_ name: String) throws(ConfigException) -> Double {
        if case .double(let value) = try lookup(name, .double) { return value }
        throw mismatch(name, .double)
    }

    public func list(_ name: String) throws(ConfigException) -> [String] {
        if case .list(let value) = try lookup(name, .list) { return value }
        throw mismatch(name, .list)
    }

    /// The class (plugin) name of a `CLASS` property.
    public func className(_ name: String) throws(ConfigException) -> String {
        if case .class(let value) = try lookup(name, .class) { return value }
        throw mismatch(name, .class)
    }

    public func password(_ name: String) throws(ConfigException) -> Password {
        if case .password(let value) = try lookup(name, .password) { return value }
        throw mismatch(name, .password)
    }

    /// The list value of a `LIST` property, or `[]` when it has no value (null default).
    public func listOrEmpty(_ name: String) throws(ConfigException) -> [String] {
        guard types[name] != nil else { throw .unknown(name) }
        guard values[name] != nil else { return [] }
        return try list(name)
    }

    /// Original properties whose name starts with `prefix` (and is longer than it), with the
    /// prefix removed unless `strip` is false.
    public func originalsWithPrefix(_ prefix: String, strip: Bool = true) -> [String: String] {
        Self.entriesWithPrefix(originals, prefix, strip: strip)
    }

    /// Entries of `properties` whose key starts with `prefix` and is longer than it, like Kafka's
    /// `Utils.entriesWithPrefix`.
    public static func entriesWithPrefix(
        _ properties: [String: String], _ prefix: String, strip: Bool = true
    ) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in properties where key.hasPrefix(prefix) && key.count > prefix.count {
            result[strip ? String(key.dropFirst(prefix.count)) : key] = value
        }
        return result
    }

    private func lookup(_ name: String, _ type: ConfigType) throws(ConfigException) -> ConfigValueType {
        guard let declared = types[name] else { throw .unknown(name) }
        guard declared == type else { throw mismatch(name, type) }
        guard let value = values[name] else {
            throw ConfigException("Configuration '\(name)' has no value", name: name)
        }
        return value
    }

    private func mismatch(_ name: String, _ requested: ConfigType) -> ConfigException {
        let declared = types[name]?.rawValue ?? "unknown"
        return ConfigException("Configuration '\(name)' is of type \(declared), not \(requested.rawValue)", name: name)
    }
}
