/// Renderings that must match what the Java runtime prints, so messages and REST output stay
/// byte-compatible with Apache Kafka.
public enum JavaCompat {
    /// `Double.toString` as Java prints it: plain notation for 1e-3 <= |d| < 1e7 (always with a
    /// fractional digit), otherwise `d.dddE<exp>`; `NaN`, `Infinity`, `-Infinity`.
    public static func doubleString(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        let magnitude = abs(value)
        return layout(negative: value.sign == .minus, text: "\(magnitude)", plain: magnitude >= 1e-3 && magnitude < 1e7)
    }

    /// `Float.toString` as Java prints it: the layout of ``doubleString(_:)`` with the
    /// shortest digits that round-trip through a float.
    public static func floatString(_ value: Float) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        let magnitude = abs(value)
        return layout(negative: value.sign == .minus, text: "\(magnitude)", plain: magnitude >= 1e-3 && magnitude < 1e7)
    }

    /// Lays out Swift's shortest rendering `text` of a magnitude in Java's notation.
    private static func layout(negative: Bool, text: String, plain: Bool) -> String {
        let sign = negative ? "-" : ""
        var (digits, point) = shortestDigits(text: text)
        if digits.isEmpty { return sign + "0.0" }
        if plain {
            if point <= 0 {
                return sign + "0." + String(repeating: "0", count: -point) + digits
            }
            if point >= digits.count {
                return sign + digits + String(repeating: "0", count: point - digits.count) + ".0"
            }
            let split = digits.index(digits.startIndex, offsetBy: point)
            return sign + digits[..<split] + "." + digits[split...]
        }
        let first = digits.removeFirst()
        return sign + String(first) + "." + (digits.isEmpty ? "0" : digits) + "E\(point - 1)"
    }

    /// The shortest round-trip decimal digits in Swift's rendering `text` of a finite,
    /// non-negative value (no leading or trailing zeros) and the position of the decimal point
    /// relative to the first digit.
    private static func shortestDigits(text: String) -> (digits: String, point: Int) {
        let parts = text.split(separator: "e", maxSplits: 1)
        let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        let mantissa = parts[0].split(separator: ".", maxSplits: 1)
        let integerPart = String(mantissa[0])
        let fractionPart = mantissa.count > 1 ? String(mantissa[1]) : ""
        var digits = Substring(integerPart + fractionPart)
        var point = integerPart.count + exponent
        while digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        return (String(digits), point)
    }

    /// Java's `List.toString`: `[a, b]`.
    public static func listString(_ values: [String]) -> String {
        "[" + values.joined(separator: ", ") + "]"
    }

    /// `String.hashCode()` over UTF-16 code units.
    public static func stringHash(_ value: String) -> Int32 {
        var hash: Int32 = 0
        for unit in value.utf16 {
            hash = hash &* 31 &+ Int32(unit)
        }
        return hash
    }

    /// The iteration order of a default-sized `java.util.HashSet` filled with `values` in order:
    /// by bucket (after the table has grown to fit), then by insertion within a bucket.
    public static func hashSetOrder(_ values: [String]) -> [String] {
        var unique: [String] = []
        for value in values where !unique.contains(value) {
            unique.append(value)
        }
        var capacity = 16
        while Double(unique.count) > Double(capacity) * 0.75 {
            capacity *= 2
        }
        func bucket(_ value: String) -> Int {
            let hash = UInt32(bitPattern: stringHash(value))
            return Int((hash ^ (hash >> 16)) & UInt32(capacity - 1))
        }
        return unique.enumerated()
            .sorted { lhs, rhs in
                let (left, right) = (bucket(lhs.element), bucket(rhs.element))
                return left != right ? left < right : lhs.offset < rhs.offset
            }
            .map(\.element)
    }
}
