/// A parsed configuration value, typed per ``ConfigType``.
public enum ConfigValueType: Sendable, Hashable {
    case boolean(Bool)
    case string(String)
    case int(Int32)
    case short(Int16)
    case long(Int64)
    case double(Double)
    case list([String])
    /// A class (plugin) name; Swift has no class loading, so it stays a name.
    case `class`(String)
    case password(Password)

    /// The ``ConfigType`` this value belongs to.
    public var type: ConfigType {
        switch self {
        case .boolean: .boolean
        case .string: .string
        case .int: .int
        case .short: .short
        case .long: .long
        case .double: .double
        case .list: .list
        case .class: .class
        case .password: .password
        }
    }

    /// Kafka's `ConfigDef.convertToString`: lists comma-joined without spaces, passwords as
    /// `[hidden]`. This is the form the REST API reports.
    public var kafkaString: String {
        switch self {
        case .boolean(let value): value ? "true" : "false"
        case .string(let value), .class(let value): value
        case .int(let value): String(value)
        case .short(let value): String(value)
        case .long(let value): String(value)
        case .double(let value): JavaCompat.doubleString(value)
        case .list(let values): values.joined(separator: ",")
        case .password: Password.hidden
        }
    }

    /// Like ``kafkaString`` but with the password revealed; use only to hand values to clients.
    public var unmaskedString: String {
        if case .password(let password) = self { return password.value }
        return kafkaString
    }

    /// How Java prints the value inside error messages (`[a, b]` for lists).
    var javaDescription: String {
        switch self {
        case .list(let values): JavaCompat.listString(values)
        case .class(let name): "class \(name)"
        default: kafkaString
        }
    }

    /// The numeric value, for range checks.
    var numericValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .short(let value): Double(value)
        case .long(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }
}
