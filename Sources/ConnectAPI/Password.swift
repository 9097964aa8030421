/// A sensitive configuration value; its descriptions print `[hidden]`, as Kafka's `Password` does.
public struct Password: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What Kafka prints in place of a password.
    public static let hidden = "[hidden]"

    /// The actual secret. Never log it.
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    public var description: String { Self.hidden }
    public var debugDescription: String { Self.hidden }
}
