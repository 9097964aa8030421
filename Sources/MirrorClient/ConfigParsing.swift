/// Parses `[String: String]` configuration values the way Kafka's `ConfigDef` does.
enum ConfigParsing {
    /// A `LIST` value: the whole value trimmed (Java `String.trim`), empty meaning no
    /// elements, otherwise split at commas with the whitespace around each comma removed.
    /// Empty elements are kept, as Kafka keeps them.
    static func list(_ value: String) -> [String] {
        let trimmed = trimJava(value)
        if trimmed.isEmpty { return [] }
        let pieces = trimmed.unicodeScalars.split(separator: ",", omittingEmptySubsequences: false)
        return pieces.indices.map { index in
            var piece = pieces[index]
            if index != pieces.startIndex { piece = piece.drop(while: isJavaWhitespace) }
            if index != pieces.index(before: pieces.endIndex) {
                while let last = piece.last, isJavaWhitespace(last) { piece = piece.dropLast() }
            }
            return String(String.UnicodeScalarView(piece))
        }
    }

    /// A `BOOLEAN` value: `true` or `false` in any case, surrounding blanks ignored.
    static func boolean(_ value: String, key: String) throws(MirrorClientError) -> Bool {
        switch trimJava(value).lowercased() {
        case "true": return true
        case "false": return false
        default:
            throw MirrorClientError(.invalidConfig, "\(key)=\"\(value)\": expected true or false")
        }
    }

    /// A `CLASS` value: the class name with surrounding blanks removed.
    static func className(_ value: String) -> String { trimJava(value) }

    /// Java's `String.trim()`: removes leading and trailing characters at or below U+0020.
    private static func trimJava(_ value: String) -> String {
        let scalars = value.unicodeScalars
        guard let first = scalars.firstIndex(where: { $0.value > 0x20 }),
              let last = scalars.lastIndex(where: { $0.value > 0x20 })
        else { return "" }
        return String(scalars[first...last])
    }

    /// Java regex `\s`: space, tab, newline, vertical tab, form feed, carriage return.
    private static func isJavaWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || ("\t"..."\r").contains(scalar)
    }
}
