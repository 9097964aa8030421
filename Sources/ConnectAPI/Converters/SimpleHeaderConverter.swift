import Foundation

/// Kafka's `org.apache.kafka.connect.storage.SimpleHeaderConverter`, the default
/// `header.converter`: header values are written as UTF-8 text and read back with simple type
/// inference.
///
/// Writing: strings as they are, numbers and booleans as Java prints them, bytes as base64,
/// arrays `[a,b]`, maps `{k:v}` and structs `{"f":v}` with embedded strings quoted (Kafka's
/// `Values.convertToString`). Reading: `true`/`false` become booleans, integers the smallest of
/// int8…int64 that holds them, other decimal numbers float32 (float64 beyond float range),
/// the empty text an empty string, and anything else (including arrays, maps and dates, which
/// Kafka would parse further) a string.
public final class SimpleHeaderConverter: HeaderConverter {
    public static let className = "org.apache.kafka.connect.storage.SimpleHeaderConverter"

    public init() {}

    public func configure(_ props: [String: String]) throws {}

    public func fromConnectHeader(topic: String, headerKey: String, schema: Schema?, value: ConnectValue) throws -> [UInt8]? {
        if case .null = value { return nil }
        var text = ""
        Self.append(value, to: &text, embedded: false)
        return Array(text.utf8)
    }

    public func toConnectHeader(topic: String, headerKey: String, bytes: [UInt8]?) throws -> SchemaAndValue {
        guard let bytes else { return .null }
        let text = String(decoding: bytes, as: UTF8.self)
        return Self.parse(text)
    }

    /// Kafka's `Values.append`.
    static func append(_ value: ConnectValue, to text: inout String, embedded: Bool) {
        switch value {
        case .null: text += "null"
        case .string(let string):
            if embedded {
                let escaped = string.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                text += "\"\(escaped)\""
            } else {
                text += string
            }
        case .bytes(let bytes):
            let encoded = Data(bytes).base64EncodedString()
            text += embedded ? "\"\(encoded)\"" : encoded
        case .array(let elements):
            text += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { text += "," }
                append(element, to: &text, embedded: true)
            }
            text += "]"
        case .map(let entries):
            text += "{"
            for (index, entry) in entries.enumerated() {
                if index > 0 { text += "," }
                append(entry.key, to: &text, embedded: true)
                text += ":"
                append(entry.value, to: &text, embedded: true)
            }
            text += "}"
        case .struct(let structValue):
            text += "{"
            for field in structValue.schema.fields {
                if field.index > 0 { text += "," }
                append(.string(field.name), to: &text, embedded: true)
                text += ":"
                let fieldValue = structValue.values[field.index]
                append(fieldValue.isNull ? (field.schema.defaultValue ?? .null) : fieldValue, to: &text, embedded: true)
            }
            text += "}"
        default:
            text += value.description
        }
    }

    /// The subset of Kafka's `Values.parseString` described on the type.
    static func parse(_ text: String) -> SchemaAndValue {
        if text.isEmpty { return SchemaAndValue(schema: .string, value: .string(text)) }
        let token = ConfigDef.javaTrim(text)
        switch token {
        case "null": return .null
        case "true": return SchemaAndValue(schema: .boolean, value: .boolean(true))
        case "false": return SchemaAndValue(schema: .boolean, value: .boolean(false))
        default: break
        }
        if let first = token.unicodeScalars.first, first == "+" || first == "-" || ("0"..."9").contains(first),
           isDecimalNumber(token)
        {
            let digits = token.hasPrefix("+") ? String(token.dropFirst()) : token
            if let whole = Int64(digits) {
                if let small = Int8(exactly: whole) { return SchemaAndValue(schema: .int8, value: .int8(small)) }
                if let small = Int16(exactly: whole) { return SchemaAndValue(schema: .int16, value: .int16(small)) }
                if let small = Int32(exactly: whole) { return SchemaAndValue(schema: .int32, value: .int32(small)) }
                return SchemaAndValue(schema: .int64, value: .int64(whole))
            }
            if digits.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let number = Double(digits) {
                let narrow = Float(number)
                if narrow.isFinite { return SchemaAndValue(schema: .float32, value: .float32(narrow)) }
                if number.isFinite { return SchemaAndValue(schema: .float64, value: .float64(number)) }
            }
        }
        return SchemaAndValue(schema: .string, value: .string(text))
    }

    /// `[+-]digits[.digits][(e|E)[+-]digits]`, as Java's `BigDecimal(String)` accepts.
    private static func isDecimalNumber(_ token: String) -> Bool {
        var scalars = Substring(token).unicodeScalars[...]
        if let first = scalars.first, first == "+" || first == "-" { scalars = scalars.dropFirst() }
        let isDigit: (Unicode.Scalar) -> Bool = { ("0"..."9").contains($0) }
        let integerDigits = scalars.prefix(while: isDigit).count
        scalars = scalars.dropFirst(integerDigits)
        var fractionDigits = 0
        if scalars.first == "." {
            scalars = scalars.dropFirst()
            fractionDigits = scalars.prefix(while: isDigit).count
            scalars = scalars.dropFirst(fractionDigits)
        }
        guard integerDigits + fractionDigits > 0 else { return false }
        if let marker = scalars.first, marker == "e" || marker == "E" {
            scalars = scalars.dropFirst()
            if let sign = scalars.first, sign == "+" || sign == "-" { scalars = scalars.dropFirst() }
            let exponentDigits = scalars.prefix(while: isDigit).count
            guard exponentDigits > 0 else { return false }
            scalars = scalars.dropFirst(exponentDigits)
        }
        return scalars.isEmpty
    }
}
