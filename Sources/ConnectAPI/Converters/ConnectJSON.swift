/// A parsed JSON value as Connect's internal `JsonConverter` (with `schemas.enable=false`)
/// sees it: integral numbers stay integers (Java `Long`), other numbers are doubles, and
/// object members keep the order they were written in.
package enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The value's JSON type with an article, for error messages ("an object", "null").
    package var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer: "an integer"
        case .double: "a floating-point number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A JSON object whose members keep their written order; lookups see the last duplicate,
/// as Jackson's `ObjectNode` does.
package struct JSONObject: Hashable, Sendable {
    package struct Member: Hashable, Sendable {
        package var key: String
        package var value: JSONValue

        package init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    package var members: [Member]

    package init(_ members: [Member] = []) { self.members = members }

    package init(_ pairs: KeyValuePairs<String, JSONValue>) {
        members = pairs.map { Member(key: $0.key, value: $0.value) }
    }

    package subscript(key: String) -> JSONValue? {
        members.last { $0.key == key }?.value
    }
}

/// The one JSON reader/writer of the package: behind `JsonConverter`, the offset maps, and
/// (through ConnectRuntime's record codecs) every internal-topic record.
///
/// The writer produces the bytes Jackson's default `ObjectMapper` produces for the same tree:
/// compact, members in the given order, only `"`, `\` and control characters escaped
/// (`\b \t \n \f \r` short forms, otherwise `\u00XX` with upper-case hex), non-ASCII text as
/// raw UTF-8, and doubles formatted like Java's `Double.toString`.
package enum ConnectJSON {
    package static let maximumDepth = 64

    // MARK: Writing

    package static func serialize(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        write(value, to: &out)
        return out
    }

    package static func serialize(_ object: JSONObject) -> [UInt8] { serialize(.object(object)) }

    private static func write(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .integer(let number): out.append(contentsOf: String(number).utf8)
        case .double(let number):
            if number.isFinite {
                out.append(contentsOf: javaDoubleString(number).utf8)
            } else {
                // Jackson quotes non-finite numbers by default (QUOTE_NON_NUMERIC_NUMBERS).
                writeString(number.isNaN ? "NaN" : (number < 0 ? "-Infinity" : "Infinity"), to: &out)
            }
        case .string(let text): writeString(text, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                write(element, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (index, member) in object.members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                writeString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                write(member.value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ text: String, to out: inout [UInt8]) {
        let hexDigits = Array("0123456789ABCDEF".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), byte])
            case 0x08: out.append(contentsOf: Array("\\b".utf8))
            case 0x09: out.append(contentsOf: Array("\\t".utf8))
            case 0x0A: out.append(contentsOf: Array("\\n".utf8))
            case 0x0C: out.append(contentsOf: Array("\\f".utf8))
            case 0x0D: out.append(contentsOf: Array("\\r".utf8))
            case 0x00..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Formats a finite double as Java's `Double.toString` does (see ``JavaCompat``).
    package static func javaDoubleString(_ number: Double) -> String {
        JavaCompat.doubleString(number)
    }

    // MARK: Reading

    /// Parses one JSON document (RFC 8259, no extensions). `what` names the record in errors.
    package static func parse(_ bytes: [UInt8], what: String) throws(ConnectError) -> JSONValue {
        var parser = Parser(bytes: bytes, what: what)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else {
            throw parser.failure("unexpected trailing data")
        }
        return value
    }

    /// Parses a document that must be a JSON object.
    package static func parseObject(_ bytes: [UInt8], what: String) throws(ConnectError) -> JSONObject {
        let value = try parse(bytes, what: what)
        guard case .object(let object) = value else {
            throw ConnectError("\(what) must be a JSON object but is \(value.typeName)")
        }
        return object
    }

    private struct Parser {
        let bytes: [UInt8]
        let what: String
        var index = 0

        init(bytes: [UInt8], what: String) {
            self.bytes = bytes
            self.what = what
        }

        func failure(_ problem: String) -> ConnectError {
            ConnectError("\(what) is not valid JSON: \(problem) at byte \(index)")
        }

        mutating func skipWhitespace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func parseValue(depth: Int) throws(ConnectError) -> JSONValue {
            guard depth < ConnectJSON.maximumDepth else { throw failure("nesting deeper than \(ConnectJSON.maximumDepth)") }
            guard index < bytes.count else { throw failure("unexpected end of input") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return .object(try parseObject(depth: depth))
            case UInt8(ascii: "["): return .array(try parseArray(depth: depth))
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
            case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
            case UInt8(ascii: "n"): try expectLiteral("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
            default: throw failure("unexpected character '\(Character(Unicode.Scalar(bytes[index])))'")
            }
        }

        private mutating func expectLiteral(_ literal: String) throws(ConnectError) {
            let expected = Array(literal.utf8)
            guard bytes.count - index >= expected.count, Array(bytes[index..<index + expected.count]) == expected else {
                throw failure("invalid literal")
            }
            index += expected.count
        }

        private mutating func parseObject(depth: Int) throws(ConnectError) -> JSONObject {
            index += 1
            var object = JSONObject()
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return object
            }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a member name") }
                let key = try parseString()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':'") }
                index += 1
                skipWhitespace()
                let value = try parseValue(depth: depth + 1)
                object.members.append(.init(key: key, value: value))
                skipWhitespace()
                guard index < bytes.count else { throw failure("unterminated object") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return object
                } else {
                    throw failure("expected ',' or '}'")
                }
            }
        }

        private mutating func parseArray(depth: Int) throws(ConnectError) -> [JSONValue] {
            index += 1
            var elements: [JSONValue] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return elements
            }
            while true {
                skipWhitespace()
                elements.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                guard index < bytes.count else { throw failure("unterminated array") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return elements
                } else {
                    throw failure("expected ',' or ']'")
                }
            }
        }

        private mutating func parseString() throws(ConnectError) -> String {
            index += 1
            var utf16: [UInt16] = []
            var runStart = index
            func flushRun(upTo end: Int, into utf16: inout [UInt16]) throws(ConnectError) {
                guard runStart < end else { return }
                guard let run = String(validating: bytes[runStart..<end], as: UTF8.self) else {
                    throw ConnectError("\(what) is not valid JSON: invalid UTF-8 in string")
                }
                utf16.append(contentsOf: run.utf16)
            }
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    try flushRun(upTo: index, into: &utf16)
                    index += 1
                    return String(decoding: utf16, as: UTF16.self)
                case UInt8(ascii: "\\"):
                    try flushRun(upTo: index, into: &utf16)
                    index += 1
                    guard index < bytes.count else { throw failure("unterminated escape") }
                    let escaped = bytes[index]
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf16.append(UInt16(escaped))
                    case UInt8(ascii: "b"): utf16.append(0x08)
                    case UInt8(ascii: "f"): utf16.append(0x0C)
                    case UInt8(ascii: "n"): utf16.append(0x0A)
                    case UInt8(ascii: "r"): utf16.append(0x0D)
                    case UInt8(ascii: "t"): utf16.append(0x09)
                    case UInt8(ascii: "u"):
                        guard bytes.count - index >= 4,
                              bytes[index..<index + 4].allSatisfy({ $0 < 0x80 && Character(Unicode.Scalar($0)).isHexDigit }),
                              let unit = UInt16(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
                        else { throw failure("malformed \\u escape") }
                        index += 4
                        // Lone surrogates decode to U+FFFD rather than failing the record.
                        utf16.append(unit)
                    default: throw failure("invalid escape '\\\(Character(Unicode.Scalar(escaped)))'")
                    }
                    runStart = index
                case 0x00..<0x20:
                    throw failure("unescaped control character in string")
                default:
                    index += 1
                }
            }
            throw failure("unterminated string")
        }

        private mutating func parseNumber() throws(ConnectError) -> JSONValue {
            let start = index
            var isIntegral = true
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            let integerStart = index
            let integerDigits = consumeDigits()
            guard integerDigits > 0 else { throw failure("invalid number") }
            guard integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else { throw failure("leading zero in number") }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                isIntegral = false
                index += 1
                guard consumeDigits() > 0 else { throw failure("invalid number") }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                isIntegral = false
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard consumeDigits() > 0 else { throw failure("invalid number") }
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if isIntegral {
                guard let integer = Int64(text) else {
                    throw ConnectError("\(what) holds integer \(text), which does not fit in 64 bits")
                }
                return .integer(integer)
            }
            guard let double = Double(text), double.isFinite else {
                throw ConnectError("\(what) holds number \(text), which does not fit in a double")
            }
            return .double(double)
        }

        private mutating func consumeDigits() -> Int {
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - start
        }
    }
}

