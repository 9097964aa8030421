import KafkaProtocol

/// The one error type of the group client.
///
/// ``code`` says what kind of failure it is (extensible: match with `==`, not `switch`);
/// ``brokerErrorCode`` keeps the broker's error code when a broker reported the error, and
/// ``broker`` names the `host:port` the error is about when there is one.
public struct KafkaGroupClientError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Sendable {
            case configuration, brokerUnreachable, network, timedOut, malformedResponse
            case unsupportedVersion, broker, cancelled
        }
        private let kind: Kind

        /// The configuration is invalid (e.g. an empty or malformed `bootstrap.servers`).
        public static let configuration = Code(kind: .configuration)
        /// No TCP connection could be made (name resolution failed, refused, connect timeout).
        public static let brokerUnreachable = Code(kind: .brokerUnreachable)
        /// An established connection failed (reset, closed by the broker, send error).
        public static let network = Code(kind: .network)
        /// No response arrived within the request timeout.
        public static let timedOut = Code(kind: .timedOut)
        /// The broker's response did not follow the protocol (or a correlation id mismatched).
        public static let malformedResponse = Code(kind: .malformedResponse)
        /// The broker supports none of the versions of an API this client implements.
        public static let unsupportedVersion = Code(kind: .unsupportedVersion)
        /// The broker answered with an error code; see ``KafkaGroupClientError/brokerErrorCode``.
        public static let broker = Code(kind: .broker)
        /// The operation was interrupted by ``ClassicGroupMember/leave(reason:)`` or task cancellation.
        public static let cancelled = Code(kind: .cancelled)

        public var description: String { kind.rawValue }
    }

    public var code: Code
    public var message: String
    /// The error code of the broker's response, for ``Code/broker``.
    public var brokerErrorCode: KafkaProtocolErrorCode?
    /// The `host:port` of the broker involved, when there is one.
    public var broker: String?
    /// The same operation may succeed if retried.
    public var isRetriable: Bool
    public var file: String
    public var line: UInt

    public init(
        _ code: Code,
        _ message: String,
        brokerErrorCode: KafkaProtocolErrorCode? = nil,
        broker: String? = nil,
        isRetriable: Bool = false,
        file: String = #fileID,
        line: UInt = #line
    ) {
        self.code = code
        self.message = message
        self.brokerErrorCode = brokerErrorCode
        self.broker = broker
        self.isRetriable = isRetriable
        self.file = file
        self.line = line
    }

    /// An error response from a broker.
    static func broker(
        _ errorCode: KafkaProtocolErrorCode, _ context: String, errorMessage: String? = nil, broker: String? = nil,
        file: String = #fileID, line: UInt = #line
    ) -> KafkaGroupClientError {
        var message = "\(context) failed: \(errorCode.nameAndCode)"
        if let errorMessage, !errorMessage.isEmpty { message += ": \(errorMessage)" }
        return KafkaGroupClientError(
            .broker, message, brokerErrorCode: errorCode, broker: broker, isRetriable: errorCode.isRetriable,
            file: file, line: line)
    }

    public var description: String {
        var text = "KafkaGroupClientError.\(code): \(message)"
        if isRetriable { text += " (retriable)" }
        return text
    }
}
