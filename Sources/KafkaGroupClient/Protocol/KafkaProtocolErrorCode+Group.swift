import KafkaProtocol

// Group-membership error codes that KafkaProtocol does not name (yet). If KafkaProtocol
// gains the same names, delete these.
extension KafkaProtocolErrorCode {
    static let unknownServerError = KafkaProtocolErrorCode(rawValue: -1)
    static let invalidGroupId = KafkaProtocolErrorCode(rawValue: 24)
    static let invalidSessionTimeout = KafkaProtocolErrorCode(rawValue: 26)
    static let unsupportedVersion = KafkaProtocolErrorCode(rawValue: 35)
    static let groupMaxSizeReached = KafkaProtocolErrorCode(rawValue: 81)
    static let fencedInstanceId = KafkaProtocolErrorCode(rawValue: 82)

    /// Kafka's name for the code (`NOT_COORDINATOR`), or `ERROR_<n>` for codes we don't list.
    var name: String {
        Self.names[rawValue] ?? "ERROR_\(rawValue)"
    }

    /// `NAME (n)`, for messages.
    var nameAndCode: String { "\(name) (\(rawValue))" }

    private static let names: [Int16: String] = [
        -1: "UNKNOWN_SERVER_ERROR", 0: "NONE", 7: "REQUEST_TIMED_OUT", 13: "NETWORK_EXCEPTION",
        14: "COORDINATOR_LOAD_IN_PROGRESS", 15: "COORDINATOR_NOT_AVAILABLE", 16: "NOT_COORDINATOR",
        22: "ILLEGAL_GENERATION", 23: "INCONSISTENT_GROUP_PROTOCOL", 24: "INVALID_GROUP_ID",
        25: "UNKNOWN_MEMBER_ID", 26: "INVALID_SESSION_TIMEOUT", 27: "REBALANCE_IN_PROGRESS",
        28: "INVALID_COMMIT_OFFSET_SIZE", 29: "TOPIC_AUTHORIZATION_FAILED", 30: "GROUP_AUTHORIZATION_FAILED",
        31: "CLUSTER_AUTHORIZATION_FAILED", 35: "UNSUPPORTED_VERSION", 42: "INVALID_REQUEST",
        69: "GROUP_ID_NOT_FOUND", 79: "MEMBER_ID_REQUIRED", 81: "GROUP_MAX_SIZE_REACHED",
        82: "FENCED_INSTANCE_ID",
    ]
}
