/// An error code carried in a Kafka protocol response (0 means none).
///
/// The numbering is the broker's; librdkafka uses the same numbers for broker errors.
/// Only codes swift-connect reacts to are named.
public struct KafkaProtocolErrorCode: RawRepresentable, Hashable, Sendable {
    public var rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    public static let none = KafkaProtocolErrorCode(rawValue: 0)
    public static let offsetOutOfRange = KafkaProtocolErrorCode(rawValue: 1)
    public static let unknownTopicOrPartition = KafkaProtocolErrorCode(rawValue: 3)
    public static let leaderNotAvailable = KafkaProtocolErrorCode(rawValue: 5)
    public static let notLeaderOrFollower = KafkaProtocolErrorCode(rawValue: 6)
    public static let requestTimedOut = KafkaProtocolErrorCode(rawValue: 7)
    public static let messageTooLarge = KafkaProtocolErrorCode(rawValue: 10)
    public static let networkException = KafkaProtocolErrorCode(rawValue: 13)
    public static let coordinatorLoadInProgress = KafkaProtocolErrorCode(rawValue: 14)
    public static let coordinatorNotAvailable = KafkaProtocolErrorCode(rawValue: 15)
    public static let notCoordinator = KafkaProtocolErrorCode(rawValue: 16)
    public static let notEnoughReplicas = KafkaProtocolErrorCode(rawValue: 19)
    public static let notEnoughReplicasAfterAppend = KafkaProtocolErrorCode(rawValue: 20)
    public static let illegalGeneration = KafkaProtocolErrorCode(rawValue: 22)
    public static let inconsistentGroupProtocol = KafkaProtocolErrorCode(rawValue: 23)
    public static let unknownMemberId = KafkaProtocolErrorCode(rawValue: 25)
    public static let rebalanceInProgress = KafkaProtocolErrorCode(rawValue: 27)
    public static let topicAuthorizationFailed = KafkaProtocolErrorCode(rawValue: 29)
    public static let groupAuthorizationFailed = KafkaProtocolErrorCode(rawValue: 30)
    public static let clusterAuthorizationFailed = KafkaProtocolErrorCode(rawValue: 31)
    public static let topicAlreadyExists = KafkaProtocolErrorCode(rawValue: 36)
    public static let outOfOrderSequenceNumber = KafkaProtocolErrorCode(rawValue: 45)
    public static let invalidProducerEpoch = KafkaProtocolErrorCode(rawValue: 47)
    public static let memberIdRequired = KafkaProtocolErrorCode(rawValue: 79)
    public static let producerFenced = KafkaProtocolErrorCode(rawValue: 90)

    /// Whether Kafka documents the error as transient: the same request may succeed later.
    public var isRetriable: Bool {
        Self.retriable.contains(rawValue)
    }

    // The broker errors Kafka's Java client marks as RetriableException.
    private static let retriable: Set<Int16> = [
        2, 3, 5, 6, 7, 8, 13, 14, 15, 16, 19, 20, 56, 70, 73, 74, 75, 78, 80, 89, 100,
    ]
}
