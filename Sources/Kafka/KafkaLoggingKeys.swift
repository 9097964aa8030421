/// Metadata keys of the client layer's log messages (dotted, as swift-log recommends).
enum KafkaLoggingKeys {
    static let rdKafkaError = "kafka.rdkafka.error"
    static let rdKafkaFacility = "kafka.rdkafka.facility"
}
