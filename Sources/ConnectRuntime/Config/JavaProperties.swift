/// A Java `.properties` document, parsed with `java.util.Properties.load` semantics.
///
/// - A logical line may span physical lines ending in an odd number of backslashes; leading
///   whitespace (space, tab, form feed) of each continuation line is dropped, and a blank
///   continuation line ends the logical line.
/// - Blank lines and lines whose first non-whitespace character is `#` or `!` are skipped.
/// - The key ends at the first unescaped `=`, `:` or whitespace; whitespace and at most one
///   `=`/`:` are then skipped and the rest of the line is the value.
/// - Escapes `\t \n \r \f \uXXXX` are decoded; any other escaped character stands for
///   itself (so `\=`, `\:`, `\ ` and `\\` work in keys).
/// - A repeated key keeps its first position but takes the last value.
public struct JavaProperties: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public var key: String
        public var value: String

        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    /// The properties in order of first appearance, each with its last value.
    public private(set) var entries: [Entry]
    /// The properties by key.
    public private(set) var dictionary: [String: String]

    public subscript(key: String) -> String? { dictionary[key] }

    /// Parses text as `Properties.load(Reader)` does.
    /// - Throws: ``ConnectRuntimeError`` with code `malformedProperties` for a `\u` escape that
    ///   is not followed by four hex digits.
    public init(parsing text: String) throws(ConnectRuntimeError) {
        try self.init(utf16: Array(text.utf16))
    }

    /// Parses bytes as ISO-8859-1, as `Properties.load(InputStream)` does; Kafka's
    /// `Utils.loadProps` reads worker and MirrorMaker config files this way, so non-ASCII
    /// characters must be written as `\uXXXX` escapes.
    public init(latin1Bytes bytes: [UInt8]) throws(ConnectRuntimeError) {
        try self.init(utf16: bytes.map(UInt16.init))
    }

    private init(utf16 units: [UInt16]) throws(ConnectRuntimeError) {
        entries = []
        dictionary = [:]
        var positions: [String: Int] = [:]
        for line in Self.logicalLines(units) {
            let (key, value) = try Self.split(line.units, lineNumber: line.number)
            if let position = positions[key] {
                entries[position].value = value
            } else {
                positions[key] = entries.count
                entries.append(Entry(key: key, value: value))
            }
            dictionary[key] = value
        }
    }

    // MARK: Lines

    private static let space: UInt16 = 0x20, tab: UInt16 = 0x09, formFeed: UInt16 = 0x0C
    private static let lineFeed: UInt16 = 0x0A, carriageReturn: UInt16 = 0x0D
    private static let backslash: UInt16 = 0x5C

    private static func isWhitespace(_ unit: UInt16) -> Bool { unit == space || unit == tab || unit == formFeed }

    /// Splits on `\n`, `\r` and `\r\n`, numbering lines from 1.
    private static func physicalLines(_ units: [UInt16]) -> [(number: Int, units: ArraySlice<UInt16>)] {
        var lines: [(number: Int, units: ArraySlice<UInt16>)] = []
        var start = 0
        var index = 0
        while index < units.count {
            let unit = units[index]
            if unit == lineFeed || unit == carriageReturn {
                lines.append((lines.count + 1, units[start..<index]))
                if unit == carriageReturn, index + 1 < units.count, units[index + 1] == lineFeed { index += 1 }
                start = index + 1
            }
            index += 1
        }
        if start < units.count { lines.append((lines.count + 1, units[start...])) }
        return lines
    }

    private static func logicalLines(_ units: [UInt16]) -> [(number: Int, units: [UInt16])] {
        var result: [(number: Int, units: [UInt16])] = []
        var pending: [UInt16] = []
        var pendingStart = 0
        var continuing = false
        for (number, physical) in physicalLines(units) {
            let content = physical.drop(while: isWhitespace)
            if continuing && content.isEmpty && !pending.isEmpty {
                // A blank continuation line ends the logical line.
                result.append((pendingStart, pending))
                pending = []
                continuing = false
                continue
            }
            if pending.isEmpty {
                // Start of a logical line (also after a continuation of nothing but "\").
                guard let first = content.first, first != 0x23, first != 0x21 else {  // '#', '!'
                    continuing = false
                    continue
                }
                pendingStart = number
            }
            pending.append(contentsOf: content)
            let trailingBackslashes = content.reversed().prefix { $0 == backslash }.count
            continuing = trailingBackslashes % 2 == 1
            if continuing {
                pending.removeLast()
            } else if !pending.isEmpty {
                result.append((pendingStart, pending))
                pending = []
            }
        }
        if !pending.isEmpty { result.append((pendingStart, pending)) }
        return result
    }

    // MARK: Keys and values

    private static func split(_ line: [UInt16], lineNumber: Int) throws(ConnectRuntimeError) -> (String, String) {
        var keyEnd = line.count
        var valueStart = line.count
        var hasSeparator = false
        var escaped = false
        for (index, unit) in line.enumerated() {
            if !escaped && (unit == 0x3D || unit == 0x3A) {  // '=', ':'
                keyEnd = index
                valueStart = index + 1
                hasSeparator = true
                break
            }
            if !escaped && isWhitespace(unit) {
                keyEnd = index
                valueStart = index + 1
                break
            }
            escaped = unit == backslash ? !escaped : false
        }
        while valueStart < line.count {
            let unit = line[valueStart]
            if !isWhitespace(unit) {
                guard !hasSeparator && (unit == 0x3D || unit == 0x3A) else { break }
                hasSeparator = true
            }
            valueStart += 1
        }
        let key = try unescape(line[..<keyEnd], lineNumber: lineNumber)
        let value = try unescape(line[valueStart...], lineNumber: lineNumber)
        return (key, value)
    }

    private static func unescape(_ units: ArraySlice<UInt16>, lineNumber: Int) throws(ConnectRuntimeError) -> String {
        var output: [UInt16] = []
        output.reserveCapacity(units.count)
        var index = units.startIndex
        while index < units.endIndex {
            let unit = units[index]
            index += 1
            guard unit == backslash else {
                output.append(unit)
                continue
            }
            guard index < units.endIndex else { break }  // a lone trailing backslash is dropped
            let escaped = units[index]
            index += 1
            switch escaped {
            case 0x74: output.append(tab)  // t
            case 0x6E: output.append(lineFeed)  // n
            case 0x72: output.append(carriageReturn)  // r
            case 0x66: output.append(formFeed)  // f
            case 0x75:  // u
                guard units.endIndex - index >= 4,
                      units[index..<index + 4].allSatisfy({ $0 < 0x80 && Character(Unicode.Scalar(UInt8($0))).isHexDigit }),
                      let scalar = UInt16(String(decoding: units[index..<index + 4], as: UTF16.self), radix: 16)
                else {
                    let found = String(decoding: units[index..<min(index + 4, units.endIndex)], as: UTF16.self)
                    throw ConnectRuntimeError(
                        .malformedProperties,
                        "malformed \\uXXXX escape '\\u\(found)' in the logical line starting at line \(lineNumber)"
                    )
                }
                output.append(scalar)
                index += 4
            default: output.append(escaped)
            }
        }
        // Surrogate pairs written as two \u escapes combine here; lone surrogates become U+FFFD.
        return String(decoding: output, as: UTF16.self)
    }
}
