/// The one error type of the Kafka client layer.
///
/// ``code`` says what kind of failure it is (extensible: match with `==`, not `switch`);
/// ``rdKafkaCode`` keeps librdkafka's numeric `rd_kafka_resp_err_t` when librdkafka reported
/// it (positive values are broker error codes, negative ones librdkafka's own).
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Sendable {
            case configuration, clientClosed, timedOut, queueFull, unknownTopicOrPartition
            case topicAlreadyExists, transaction, fatal, invalidArgument, broker
        }
        private let kind: Kind

        /// A client property is unknown, has no librdkafka equivalent, or has an invalid value.
        public static let configuration = Code(kind: .configuration)
        /// The client was closed; create a new one.
        public static let clientClosed = Code(kind: .clientClosed)
        /// The operation did not complete within its timeout.
        public static let timedOut = Code(kind: .timedOut)
        /// The producer's local queue is full; retry after deliveries complete.
        public static let queueFull = Code(kind: .queueFull)
        /// The topic or partition does not exist.
        public static let unknownTopicOrPartition = Code(kind: .unknownTopicOrPartition)
        /// A topic to create already exists.
        public static let topicAlreadyExists = Code(kind: .topicAlreadyExists)
        /// A transactional operation failed; see ``KafkaError/transactionRequiresAbort``.
        public static let transaction = Code(kind: .transaction)
        /// The client hit an unrecoverable error (e.g. fenced producer) and must be recreated.
        public static let fatal = Code(kind: .fatal)
        /// The caller passed something the API cannot accept.
        public static let invalidArgument = Code(kind: .invalidArgument)
        /// Any other error reported by a broker or by librdkafka; see ``KafkaError/rdKafkaCode``.
        public static let broker = Code(kind: .broker)

        public var description: String { kind.rawValue }
    }

    public var code: Code
    public var message: String
    /// librdkafka's `rd_kafka_resp_err_t`, when the error came from librdkafka.
    public var rdKafkaCode: Int32?
    /// librdkafka's symbolic name for ``rdKafkaCode`` (e.g. `UNKNOWN_TOPIC_OR_PART`, `_TRANSPORT`).
    public var rdKafkaName: String?
    /// The same operation may succeed if retried.
    public var isRetriable: Bool
    /// The client instance is unusable and must be closed and recreated.
    public var isFatal: Bool
    /// The current transaction must be aborted before the producer can continue.
    public var transactionRequiresAbort: Bool
    public var file: String
    public var line: UInt

    public init(
        _ code: Code,
        _ message: String,
        rdKafkaCode: Int32? = nil,
        rdKafkaName: String? = nil,
        isRetriable: Bool = false,
        isFatal: Bool = false,
        transactionRequiresAbort: Bool = false,
        file: String = #fileID,
        line: UInt = #line
    ) {
        self.code = code
        self.message = message
        self.rdKafkaCode = rdKafkaCode
        self.rdKafkaName = rdKafkaName
        self.isRetriable = isRetriable
        self.isFatal = isFatal
        self.transactionRequiresAbort = transactionRequiresAbort
        self.file = file
        self.line = line
    }

    public var description: String {
        var text = "KafkaError.\(code): \(message)"
        if let rdKafkaName { text += " [\(rdKafkaName)]" }
        if isFatal { text += " (fatal)" } else if isRetriable { text += " (retriable)" }
        return text
    }
}
