/// Metadata keys of the group client's log messages (dotted, as swift-log recommends).
enum KafkaGroupLoggingKeys {
    static let groupId = "kafka.group.id"
    static let memberId = "kafka.group.member_id"
    static let generation = "kafka.group.generation"
    static let coordinator = "kafka.group.coordinator"
    static let leader = "kafka.group.leader"
    static let members = "kafka.group.members"
    static let broker = "kafka.broker"
    static let error = "kafka.error"
}
