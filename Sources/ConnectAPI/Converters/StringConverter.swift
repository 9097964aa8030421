import Synchronization

/// Converts values to and from text: Kafka's `org.apache.kafka.connect.storage.StringConverter`.
///
/// Serializing writes the value's text form (strings as they are, numbers and booleans as Java
/// prints them, raw bytes unchanged) in `converter.encoding` (default UTF-8); deserializing
/// always yields an optional string.
public final class StringConverter: Converter, HeaderConverter {
    public static let className = "org.apache.kafka.connect.storage.StringConverter"
    /// The character set of the text (`UTF-8`, `UTF-16`, `UTF-16BE`, `UTF-16LE`, `US-ASCII`,
    /// `ISO-8859-1`; Java's alias spellings such as `UTF8` are accepted).
    public static let encodingConfig = "converter.encoding"
    public static let encodingDefault = "UTF-8"

    public static let stringConfigDef = ConverterConfig.baseConfigDef
        .define(encodingConfig, .string, defaultValue: .string(encodingDefault), importance: .high,
                documentation: "The name of the Java character set to use for encoding strings as byte arrays.",
                group: "Converter", orderInGroup: 0, width: .medium, displayName: "Encoding")

    private let encoding = Mutex(TextEncoding.utf8)

    public init() {}

    public var configDef: ConfigDef { Self.stringConfigDef }

    public func configure(_ props: [String: String], isKey: Bool) throws {
        try configure(ConverterConfig.withType(props, isKey: isKey))
    }

    public func configure(_ props: [String: String]) throws {
        var withType = props
        if withType[ConverterConfig.typeConfig] == nil { withType[ConverterConfig.typeConfig] = "header" }
        let config = try ConverterConfig.parse(withType, Self.stringConfigDef)
        let name = try config.string(Self.encodingConfig)
        guard let parsed = TextEncoding(javaName: name) else {
            throw ConnectError("Unsupported encoding \(name) for \(Self.encodingConfig)")
        }
        encoding.withLock { $0 = parsed }
    }

    public func fromConnectData(topic: String, schema: Schema?, value: ConnectValue) throws -> [UInt8]? {
        switch value {
        case .null: return nil
        case .bytes(let bytes): return bytes
        case .string(let text): return encoding.withLock { $0 }.encode(text)
        default: return encoding.withLock { $0 }.encode(value.description)
        }
    }

    public func toConnectData(topic: String, bytes: [UInt8]?) throws -> SchemaAndValue {
        guard let bytes else { return SchemaAndValue(schema: .optionalString, value: .null) }
        return SchemaAndValue(schema: .optionalString, value: .string(encoding.withLock { $0 }.decode(bytes)))
    }

    public func fromConnectHeader(topic: String, headerKey: String, schema: Schema?, value: ConnectValue) throws -> [UInt8]? {
        try fromConnectData(topic: topic, schema: schema, value: value)
    }

    public func toConnectHeader(topic: String, headerKey: String, bytes: [UInt8]?) throws -> SchemaAndValue {
        try toConnectData(topic: topic, bytes: bytes)
    }
}

/// The character sets ``StringConverter`` supports, encoded and decoded the way Java's
/// `String.getBytes` / `new String(bytes, charset)` do: unmappable characters become `?`,
/// malformed input becomes U+FFFD.
enum TextEncoding: Sendable, Hashable {
    case utf8, utf16, utf16BE, utf16LE, ascii, latin1

    init?(javaName: String) {
        switch javaName.uppercased() {
        case "UTF-8", "UTF8": self = .utf8
        case "UTF-16", "UTF16": self = .utf16
        case "UTF-16BE", "UTF_16BE", "X-UTF-16BE", "UNICODEBIGUNMARKED": self = .utf16BE
        case "UTF-16LE", "UTF_16LE", "X-UTF-16LE", "UNICODELITTLEUNMARKED": self = .utf16LE
        case "US-ASCII", "ASCII", "US", "ISO646-US", "ASCII7", "646": self = .ascii
        case "ISO-8859-1", "ISO8859_1", "ISO8859-1", "ISO_8859_1", "LATIN1", "L1", "8859_1", "CP819", "IBM819": self = .latin1
        default: return nil
        }
    }

    func encode(_ text: String) -> [UInt8] {
        switch self {
        case .utf8:
            return Array(text.utf8)
        case .utf16:
            // Java's UTF-16 encoder writes a big-endian byte-order mark first.
            return [0xFE, 0xFF] + Self.utf16Bytes(text, bigEndian: true)
        case .utf16BE:
            return Self.utf16Bytes(text, bigEndian: true)
        case .utf16LE:
            return Self.utf16Bytes(text, bigEndian: false)
        case .ascii:
            return text.unicodeScalars.map { $0.value < 0x80 ? UInt8($0.value) : UInt8(ascii: "?") }
        case .latin1:
            return text.unicodeScalars.map { $0.value < 0x100 ? UInt8($0.value) : UInt8(ascii: "?") }
        }
    }

    func decode(_ bytes: [UInt8]) -> String {
        switch self {
        case .utf8:
            return String(decoding: bytes, as: UTF8.self)
        case .utf16:
            if bytes.count >= 2, bytes[0] == 0xFF, bytes[1] == 0xFE {
                return Self.utf16String(bytes.dropFirst(2), bigEndian: false)
            }
            if bytes.count >= 2, bytes[0] == 0xFE, bytes[1] == 0xFF {
                return Self.utf16String(bytes.dropFirst(2), bigEndian: true)
            }
            return Self.utf16String(bytes[...], bigEndian: true)
        case .utf16BE:
            return Self.utf16String(bytes[...], bigEndian: true)
        case .utf16LE:
            return Self.utf16String(bytes[...], bigEndian: false)
        case .ascii:
            var scalars = String.UnicodeScalarView()
            for byte in bytes { scalars.append(byte < 0x80 ? Unicode.Scalar(byte) : "\u{FFFD}") }
            return String(scalars)
        case .latin1:
            var scalars = String.UnicodeScalarView()
            for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
            return String(scalars)
        }
    }

    private static func utf16Bytes(_ text: String, bigEndian: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf16.count * 2)
        for unit in text.utf16 {
            let (high, low) = (UInt8(unit >> 8), UInt8(unit & 0xFF))
            out.append(contentsOf: bigEndian ? [high, low] : [low, high])
        }
        return out
    }

    private static func utf16String(_ bytes: ArraySlice<UInt8>, bigEndian: Bool) -> String {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            let (first, second) = (UInt16(bytes[index]), UInt16(bytes[index + 1]))
            units.append(bigEndian ? first << 8 | second : second << 8 | first)
            index += 2
        }
        var text = String(decoding: units, as: UTF16.self)
        if index < bytes.endIndex { text.append("\u{FFFD}") }
        return text
    }
}
