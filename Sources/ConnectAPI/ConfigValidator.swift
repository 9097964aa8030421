import Foundation

/// A single-property check run on the parsed value (or `nil` when the property has no value),
/// with Kafka's stock validators as static factories and Kafka's error wording.
public struct ConfigValidator: Sendable, CustomStringConvertible {
    public typealias Check = @Sendable (_ name: String, _ value: ConfigValueType?) throws(ConfigException) -> Void

    private let check: Check
    /// How the valid values are described in generated documentation, e.g. `[1,...]`.
    public let description: String

    public init(description: String, check: @escaping Check) {
        self.description = description
        self.check = check
    }

    /// Throws a ``ConfigException`` when `value` is not acceptable for `name`.
    public func ensureValid(name: String, value: ConfigValueType?) throws(ConfigException) {
        try check(name, value)
    }
}

// MARK: - Ranges

extension ConfigValidator {
    /// Accepts numbers greater than or equal to `min`.
    public static func atLeast(_ min: Int) -> ConfigValidator {
        range(min: (Double(min), String(min)), max: nil)
    }

    /// Accepts numbers greater than or equal to `min`.
    public static func atLeast(_ min: Double) -> ConfigValidator {
        range(min: (min, JavaCompat.doubleString(min)), max: nil)
    }

    /// Accepts numbers in `min...max`.
    public static func between(_ min: Int, _ max: Int) -> ConfigValidator {
        range(min: (Double(min), String(min)), max: (Double(max), String(max)))
    }

    /// Accepts numbers in `min...max`.
    public static func between(_ min: Double, _ max: Double) -> ConfigValidator {
        range(min: (min, JavaCompat.doubleString(min)), max: (max, JavaCompat.doubleString(max)))
    }

    private static func range(min: (Double, String), max: (Double, String)?) -> ConfigValidator {
        let description = max.map { "[\(min.1),...,\($0.1)]" } ?? "[\(min.1),...]"
        return ConfigValidator(description: description) { name, value throws(ConfigException) in
            guard let value else {
                throw ConfigException(name: name, value: nil, reason: "Value must be non-null")
            }
            guard let number = value.numericValue else {
                throw ConfigException(name: name, value: value.javaDescription, reason: "Value must be a number")
            }
            if number < min.0 {
                throw ConfigException(name: name, value: value.javaDescription, reason: "Value must be at least \(min.1)")
            }
            if let max, number > max.0 {
                throw ConfigException(name: name, value: value.javaDescription, reason: "Value must be no more than \(max.1)")
            }
        }
    }
}

// MARK: - Strings

extension ConfigValidator {
    /// Accepts exactly one of `validStrings` (case-sensitive), like Kafka's `ValidString.in`.
    public static func `in`(_ validStrings: String...) -> ConfigValidator {
        validString(validStrings)
    }

    static func validString(_ validStrings: [String]) -> ConfigValidator {
        ConfigValidator(description: "[" + validStrings.joined(separator: ", ") + "]") { name, value throws(ConfigException) in
            guard case .string(let string)? = value, validStrings.contains(string) else {
                throw ConfigException(
                    name: name, value: value?.javaDescription,
                    reason: "String must be one of: " + validStrings.joined(separator: ", "))
            }
        }
    }

    /// Accepts one of `validStrings` ignoring case, like Kafka's `CaseInsensitiveValidString.in`.
    /// The listing in messages follows the order Java's `HashSet` of upper-cased names iterates in.
    public static func caseInsensitiveIn(_ validStrings: String...) -> ConfigValidator {
        let upper = JavaCompat.hashSetOrder(validStrings.map { $0.uppercased() })
        let listing = upper.joined(separator: ", ")
        return ConfigValidator(description: "(case insensitive) [\(listing)]") { name, value throws(ConfigException) in
            guard case .string(let string)? = value, upper.contains(string.uppercased()) else {
                throw ConfigException(
                    name: name, value: value?.javaDescription,
                    reason: "String must be one of (case insensitive): \(listing)")
            }
        }
    }

    /// Accepts lists whose every element is one of `validStrings`, like Kafka's `ValidList.in`.
    public static func validList(_ validStrings: String...) -> ConfigValidator {
        let element = validString(validStrings)
        return ConfigValidator(description: element.description) { name, value throws(ConfigException) in
            guard case .list(let values)? = value else { return }
            for item in values {
                try element.ensureValid(name: name, value: .string(item))
            }
        }
    }

    /// Rejects the empty string; absent values pass.
    public static let nonEmptyString = ConfigValidator(description: "non-empty string") { name, value throws(ConfigException) in
        if case .string("")? = value {
            throw ConfigException(name: name, value: "", reason: "String must be non-empty")
        }
    }

    /// Rejects empty strings and strings containing ISO control characters; absent values pass
    /// (a missing required value is reported separately).
    public static let nonEmptyStringWithoutControlChars = ConfigValidator(
        description: "non-empty string without ISO control characters"
    ) { name, value throws(ConfigException) in
        guard case .string(let string)? = value else { return }
        if string.isEmpty {
            throw ConfigException(name: name, value: string, reason: "String may not be empty")
        }
        let controls = string.unicodeScalars
            .filter { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
            .map { String($0.value) }
        if !controls.isEmpty {
            throw ConfigException(
                name: name, value: string,
                reason: "String may not contain control sequences but had the following ASCII chars: "
                    + controls.joined(separator: ", "))
        }
    }

    /// Rejects absent (null) values.
    public static let nonNull = ConfigValidator(description: "non-null string") { name, value throws(ConfigException) in
        if value == nil {
            throw ConfigException(name: name, value: "null", reason: "entry must be non null")
        }
    }

    /// Runs `validators` in order; the first failure wins.
    public static func composite(_ validators: ConfigValidator...) -> ConfigValidator {
        ConfigValidator(description: validators.map(\.description).joined(separator: ", ")) { name, value throws(ConfigException) in
            for validator in validators {
                try validator.ensureValid(name: name, value: value)
            }
        }
    }
}

// MARK: - Regular expressions

extension ConfigValidator {
    /// Accepts lists of regular expressions. Like MirrorMaker 2, the elements are matched as one
    /// alternation (`a|b|...`), so the joined pattern must compile; the error names the first
    /// element that does not compile on its own (or the joined pattern if each element does).
    public static let regexList = ConfigValidator(description: "list of regular expressions") { name, value throws(ConfigException) in
        guard case .list(let patterns)? = value, !patterns.isEmpty else { return }
        let joined = patterns.joined(separator: "|")
        guard !isValidRegex(joined) else { return }
        let culprit = patterns.first { !isValidRegex($0) } ?? joined
        throw ConfigException(name: name, value: culprit, reason: "Not a valid regular expression")
    }

    /// Whether `pattern` compiles as an ICU regular expression (the dialect closest to Java's).
    static func isValidRegex(_ pattern: String) -> Bool {
        (try? NSRegularExpression(pattern: pattern)) != nil
    }
}
