/// An ordered table of ``ConfigKey``s that parses and validates string properties with the rules
/// and error wording of Kafka's `ConfigDef`.
///
/// Build it by chaining ``define(_:_:defaultValue:validator:importance:documentation:group:orderInGroup:width:displayName:dependents:)``.
/// Mistakes in a definition (duplicate names, defaults of the wrong type or failing their
/// validator) never trap; ``definitionProblems`` lists them so tests can assert there are none.
public struct ConfigDef: Sendable {
    public private(set) var keys: [ConfigKey] = []
    /// Group names in first-definition order.
    public private(set) var groups: [String] = []
    /// Problems found while defining keys; a sound definition has none.
    public private(set) var definitionProblems: [String] = []
    private var indexByName: [String: Int] = [:]

    public init() {}

    /// The names of all keys in definition order.
    public var names: [String] { keys.map(\.name) }

    public subscript(name: String) -> ConfigKey? {
        indexByName[name].map { keys[$0] }
    }

    /// A copy with `key` appended. A name defined twice keeps its first definition.
    public func define(_ key: ConfigKey) -> ConfigDef {
        var copy = self
        copy.add(key)
        return copy
    }

    /// A copy with a new key appended; see ``ConfigKey/init(name:type:defaultValue:validator:importance:documentation:group:orderInGroup:width:displayName:dependents:)``.
    public func define(
        _ name: String,
        _ type: ConfigType,
        defaultValue: ConfigKey.DefaultValue = .required,
        validator: ConfigValidator? = nil,
        importance: ConfigKey.Importance,
        documentation: String,
        group: String? = nil,
        orderInGroup: Int = -1,
        width: ConfigKey.Width = .none,
        displayName: String? = nil,
        dependents: [String] = []
    ) -> ConfigDef {
        define(ConfigKey(
            name: name, type: type, defaultValue: defaultValue, validator: validator,
            importance: importance, documentation: documentation, group: group,
            orderInGroup: orderInGroup, width: width, displayName: displayName, dependents: dependents))
    }

    /// A copy with `keys` appended in order.
    public func define(_ keys: [ConfigKey]) -> ConfigDef {
        var copy = self
        for key in keys { copy.add(key) }
        return copy
    }

    /// A copy with every key of `other` appended (keys already defined here are kept).
    public func merging(_ other: ConfigDef) -> ConfigDef {
        var copy = self
        for key in other.keys { copy.add(key) }
        return copy
    }

    /// Appends `key`, recording a definition problem instead of trapping on mistakes.
    public mutating func add(_ key: ConfigKey) {
        guard indexByName[key.name] == nil else {
            definitionProblems.append("Configuration \(key.name) is defined twice.")
            return
        }
        if let value = key.defaultParsedValue {
            if value.type != key.type {
                definitionProblems.append(
                    "Default of \(key.name) is a \(value.type.rawValue), but the key is \(key.type.rawValue)")
            } else if let validator = key.validator {
                do throws(ConfigException) {
                    try validator.ensureValid(name: key.name, value: value)
                } catch {
                    definitionProblems.append(error.message)
                }
            }
        }
        if let group = key.group, !groups.contains(group) {
            groups.append(group)
        }
        indexByName[key.name] = keys.count
        keys.append(key)
    }

    // MARK: Parsing

    /// Parses every defined key, stopping at the first error like Kafka's `ConfigDef.parse`:
    /// set values are parsed by type, unset ones take their default, and validators run on both.
    public func parse(_ properties: [String: String]) throws(ConfigException) -> ParsedConfig {
        let undefined = undefinedDependents()
        if !undefined.isEmpty {
            throw ConfigException(
                "Some configurations in are referred in the dependents, but not defined: "
                    + undefined.joined(separator: ","))
        }
        var values: [String: ConfigValueType] = [:]
        var types: [String: ConfigType] = [:]
        for key in keys {
            types[key.name] = key.type
            let value: ConfigValueType?
            if let raw = properties[key.name] {
                value = try Self.parseType(name: key.name, value: raw, type: key.type)
            } else if key.defaultValue == .required {
                throw .missingRequired(key.name)
            } else {
                value = key.defaultParsedValue
            }
            try key.validator?.ensureValid(name: key.name, value: value)
            values[key.name] = value
        }
        return ParsedConfig(originals: properties, values: values, types: types)
    }

    /// Validates every defined key, collecting all errors instead of stopping, like Kafka's
    /// `ConfigDef.validate`. Results follow definition order; dependents that are referred to
    /// but not defined come last, invisible and with an error.
    public func validate(_ properties: [String: String]) -> [ConfigValue] {
        var results: [ConfigValue] = keys.map { key in
            var result = ConfigValue(name: key.name)
            var value: ConfigValueType?
            if let raw = properties[key.name] {
                do throws(ConfigException) {
                    value = try Self.parseType(name: key.name, value: raw, type: key.type)
                } catch {
                    result.addErrorMessage(error.message)
                }
            } else if key.defaultValue == .required {
                result.addErrorMessage(ConfigException.missingRequired(key.name).message)
            } else {
                value = key.defaultParsedValue
            }
            // Like Kafka, the validator also runs when parsing failed (seeing no value).
            do throws(ConfigException) {
                try key.validator?.ensureValid(name: key.name, value: value)
            } catch {
                result.addErrorMessage(error.message)
            }
            result.value = value
            return result
        }
        for name in undefinedDependents() {
            results.append(ConfigValue(
                name: name, errors: ["\(name) is referred in the dependents, but not defined."], visible: false))
        }
        return results
    }

    private func undefinedDependents() -> [String] {
        var missing: [String] = []
        for key in keys {
            for dependent in key.dependents where indexByName[dependent] == nil && !missing.contains(dependent) {
                missing.append(dependent)
            }
        }
        return missing
    }

    // MARK: Type parsing

    /// Parses one string by Kafka's rules: the value is trimmed; booleans are `true`/`false` in
    /// any case; lists split on commas with surrounding whitespace removed (`""` is `[]`).
    public static func parseType(name: String, value: String, type: ConfigType) throws(ConfigException) -> ConfigValueType {
        let trimmed = javaTrim(value)
        func notA(_ reason: String) -> ConfigException {
            ConfigException(name: name, value: value, reason: reason)
        }
        switch type {
        case .boolean:
            switch trimmed.lowercased() {
            case "true": return .boolean(true)
            case "false": return .boolean(false)
            default: throw notA("Expected value to be either true or false")
            }
        case .password:
            return .password(Password(trimmed))
        case .string:
            return .string(trimmed)
        case .int:
            guard let number = Int32(trimmed) else { throw notA("Not a number of type INT") }
            return .int(number)
        case .short:
            guard let number = Int16(trimmed) else { throw notA("Not a number of type SHORT") }
            return .short(number)
        case .long:
            guard let number = Int64(trimmed) else { throw notA("Not a number of type LONG") }
            return .long(number)
        case .double:
            guard let number = javaParseDouble(trimmed) else { throw notA("Not a number of type DOUBLE") }
            return .double(number)
        case .list:
            if trimmed.isEmpty { return .list([]) }
            let items = trimmed.split(separator: ",", omittingEmptySubsequences: false)
            return .list(items.map(trimRegexSpace))
        case .class:
            guard !trimmed.isEmpty else { throw notA("Class \(value) could not be found.") }
            return .class(trimmed)
        }
    }

    /// Java's `String.trim()`: strips leading and trailing characters at or below U+0020.
    static func javaTrim(_ value: String) -> String {
        let scalars = value.unicodeScalars
        guard let first = scalars.firstIndex(where: { $0.value > 0x20 }),
              let last = scalars.lastIndex(where: { $0.value > 0x20 }) else { return "" }
        return String(scalars[first...last])
    }

    /// Strips Java regex `\s` characters (space, tab, newline, vertical tab, form feed, carriage
    /// return) from both ends, as splitting on `\s*,\s*` does to list elements.
    private static func trimRegexSpace(_ item: Substring) -> String {
        let isSpace: (Character) -> Bool = { [" ", "\t", "\n", "\u{0B}", "\u{0C}", "\r", "\r\n"].contains($0) }
        guard let first = item.firstIndex(where: { !isSpace($0) }),
              let last = item.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(item[first...last])
    }

    /// `Double.parseDouble` for decimal input: an optional `f`/`d` suffix, and only Java's
    /// spellings `NaN` and `Infinity` for the special values.
    private static func javaParseDouble(_ text: String) -> Double? {
        var body = Substring(text)
        let sign: Double = body.first == "-" ? -1 : 1
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        if body == "NaN" { return .nan }
        if body == "Infinity" { return sign * .infinity }
        if let last = body.last, "fFdD".contains(last), body.count > 1 { body = body.dropLast() }
        guard let first = body.first, first.isASCII, first.isNumber || first == "." else { return nil }
        guard body.allSatisfy({ $0.isASCII && ($0.isNumber || ".eE+-".contains($0)) }) else { return nil }
        return Double(body).map { sign * $0 }
    }
}
