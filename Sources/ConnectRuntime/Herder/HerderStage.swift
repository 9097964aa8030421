import Foundation

/// One step of the herder's request loop (Apache's `Stage`), reported in timeout messages so a
/// stuck worker says what it is stuck on.
public struct HerderStage: Hashable, Sendable {
    /// What the loop does, e.g. "writing a config for connector x to the config topic".
    public var description: String
    /// Milliseconds since the epoch when the step began.
    public var started: Int64
    /// Milliseconds since the epoch when the step finished; `nil` while it runs.
    public var completed: Int64?

    public init(description: String, started: Int64, completed: Int64? = nil) {
        self.description = description
        self.started = started
        self.completed = completed
    }

    /// Apache's `Stage.summarize()`: "The worker is currently <description>, which began at
    /// <ISO-8601 instant>." or "The last operation the worker completed was ...".
    public var summary: String {
        if let completed {
            return "The last operation the worker completed was \(description), which began at "
                + HerderStage.instantString(started) + " and completed at " + HerderStage.instantString(completed) + "."
        }
        return "The worker is currently \(description), which began at \(HerderStage.instantString(started))."
    }

    /// `java.time.Instant.toString()` for epoch milliseconds: UTC, seconds always printed,
    /// fraction only when non-zero, in groups of three digits.
    static func instantString(_ epochMillis: Int64) -> String {
        let seconds = epochMillis.floorDivided(by: 1000)
        let millis = Int(epochMillis - seconds * 1000)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second],
            from: Date(timeIntervalSince1970: TimeInterval(seconds))
        )
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var text = "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))T"
            + "\(pad(parts.hour, 2)):\(pad(parts.minute, 2)):\(pad(parts.second, 2))"
        if millis != 0 { text += "." + pad(millis, 3) }
        return text + "Z"
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
