import KafkaProtocol

/// An error from the MirrorClient module: a malformed MirrorMaker 2 record, an unsupported
/// record version, or an invalid replication-policy or filter configuration.
public struct MirrorClientError: Error, Sendable, CustomStringConvertible {
    /// What kind of problem occurred. New codes may be added in later versions.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case malformedRecord = "malformed record"
            case unsupportedVersion = "unsupported version"
            case unknownReplicationPolicy = "unknown replication policy"
            case invalidConfig = "invalid config"
            case invalidPattern = "invalid pattern"
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A record key or value does not follow its schema (truncated, trailing bytes, bad UTF-8).
        public static let malformedRecord = Code(.malformedRecord)
        /// A record value carries a version header this implementation does not know.
        public static let unsupportedVersion = Code(.unsupportedVersion)
        /// `replication.policy.class` names a class with no Swift implementation.
        public static let unknownReplicationPolicy = Code(.unknownReplicationPolicy)
        /// A configuration value cannot be parsed (for example a boolean that is neither true nor false).
        public static let invalidConfig = Code(.invalidConfig)
        /// A topic or group filter contains a regular expression that does not compile.
        public static let invalidPattern = Code(.invalidPattern)

        public var description: String { value.rawValue }
    }

    public var code: Code
    public var message: String
    /// The low-level decoding failure, for ``Code/malformedRecord``.
    public var decodingError: KafkaProtocolDecodingError?
    public var file: String
    public var line: Int

    public init(
        _ code: Code,
        _ message: String,
        decodingError: KafkaProtocolDecodingError? = nil,
        file: String = #fileID,
        line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.decodingError = decodingError
        self.file = file
        self.line = line
    }

    public var description: String { "\(code): \(message)" }
}
