@testable import Kafka
import Testing

@Suite struct KafkaConfigurationTests {
    private func translated(_ properties: [String: String]) throws -> [String: String] {
        let result = try KafkaConfiguration(properties).translated()
        return Dictionary(uniqueKeysWithValues: result.librdkafka.map { ($0.name, $0.value) })
    }

    @Test func sharedNamesPassThroughAndJavaNamesAreTranslated() throws {
        let output = try translated([
            "bootstrap.servers": "a:9092,b:9092",
            "acks": "all",
            "fetch.max.wait.ms": "250",
            "receive.buffer.bytes": "-1",
            "buffer.memory": "33554432",
            "max.request.size": "2097152",
            "sasl.mechanism": "SCRAM-SHA-512",
            "auto.offset.reset": "none",
            "ssl.endpoint.identification.algorithm": "",
            "partition.assignment.strategy": "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
            "key.serializer": "org.apache.kafka.common.serialization.ByteArraySerializer",
        ])
        #expect(output == [
            "bootstrap.servers": "a:9092,b:9092",
            "acks": "all",
            "fetch.wait.max.ms": "250",
            "socket.receive.buffer.bytes": "0",
            "queue.buffering.max.kbytes": "32768",
            "message.max.bytes": "2097152",
            "sasl.mechanisms": "SCRAM-SHA-512",
            "auto.offset.reset": "error",
            "ssl.endpoint.identification.algorithm": "none",
            "partition.assignment.strategy": "cooperative-sticky",
        ])
    }

    @Test func producersGetJavasDefaultsWhereTheConfigurationIsSilent() {
        func defaults(_ properties: [String: String]) -> [String: String] {
            KafkaProducer.withJavaDefaults(KafkaConfiguration(properties)).properties
        }
        #expect(defaults(["bootstrap.servers": "a:1"]) == [
            "bootstrap.servers": "a:1", "partitioner": "murmur2_random", "enable.idempotence": "true",
        ])
        // Explicit settings win.
        #expect(defaults(["partitioner": "consistent", "enable.idempotence": "false"]) == [
            "partitioner": "consistent", "enable.idempotence": "false",
        ])
        #expect(defaults(["acks": "all", "retries": "5", "max.in.flight.requests.per.connection": "5"])["enable.idempotence"] == "true")
        #expect(defaults(["acks": "-1"])["enable.idempotence"] == "true")
        // Settings idempotence cannot work with leave it off, as Java's producer does.
        for conflicting in [["acks": "1"], ["acks": "0"], ["request.required.acks": "1"], ["retries": "0"],
                            ["message.send.max.retries": "0"], ["max.in.flight.requests.per.connection": "6"], ["max.in.flight": "100"]] {
            #expect(defaults(conflicting)["enable.idempotence"] == nil, "\(conflicting)")
        }
    }

    @Test func clientLayerSettingsAreConsumedNotPassedOn() throws {
        let result = try KafkaConfiguration([
            "bootstrap.servers": "a:1", "default.api.timeout.ms": "1500", "max.poll.records": "42",
        ]).translated()
        #expect(result.defaultAPITimeout == .milliseconds(1500))
        #expect(result.maxPollRecords == 42)
        #expect(result.librdkafka.map(\.name) == ["bootstrap.servers"])
    }

    @Test func jaasPlainAndScramBecomeUsernameAndPassword() throws {
        let output = try translated([
            "sasl.jaas.config": #"org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="s3cr=t";"#,
        ])
        #expect(output == ["sasl.username": "alice", "sasl.password": "s3cr=t"])

        let scram = try translated([
            "sasl.jaas.config": "org.apache.kafka.common.security.scram.ScramLoginModule required username=bob password=pw;",
        ])
        #expect(scram == ["sasl.username": "bob", "sasl.password": "pw"])
    }

    @Test func storesMapOnlyWhenLibrdkafkaCanReadThem() throws {
        #expect(try translated(["ssl.truststore.location": "/ca.pem", "ssl.truststore.type": "PEM"]) == ["ssl.ca.location": "/ca.pem"])
        #expect(try translated([
            "ssl.keystore.location": "/k.p12", "ssl.keystore.type": "PKCS12", "ssl.keystore.password": "pw",
        ]) == ["ssl.keystore.location": "/k.p12", "ssl.keystore.password": "pw"])

        let jks = #expect(throws: KafkaError.self) { try translated(["ssl.truststore.location": "/ts.jks"]) }
        #expect(jks?.code == .configuration)
        #expect(jks?.message.contains("ssl.truststore.type=JKS") == true)
    }

    @Test func javaOnlyPropertiesAreRejectedByNameWithAReason() {
        let error = #expect(throws: KafkaError.self) {
            try translated(["max.block.ms": "1000", "interceptor.classes": "com.example.Audit", "acks": "1"])
        }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("'interceptor.classes'") == true)
        #expect(error?.message.contains("'max.block.ms'") == true)

        let serializer = #expect(throws: KafkaError.self) {
            try translated(["value.serializer": "org.apache.kafka.common.serialization.StringSerializer"])
        }
        #expect(serializer?.message.contains("raw bytes") == true)

        let jaas = #expect(throws: KafkaError.self) {
            try translated(["sasl.jaas.config": "com.sun.security.auth.module.Krb5LoginModule required;"])
        }
        #expect(jaas?.message.contains("Krb5LoginModule") == true)
    }

    @Test func unknownPropertiesAndBadBootstrapFailWhenTheClientIsCreated() {
        let unknown = #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(configuration: ["bootstrap.servers": "127.0.0.1:9092", "no.such.property": "1"])
        }
        #expect(unknown?.code == .configuration)
        #expect(unknown?.message == "unknown Kafka client property 'no.such.property'")

        let badValue = #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(configuration: ["bootstrap.servers": "127.0.0.1:9092", "acks": "sometimes"])
        }
        #expect(badValue?.code == .configuration)
        #expect(badValue?.message.contains("'acks'") == true)

        for servers in ["not-an-address", "host:99999", ":9092", ""] {
            let error = #expect(throws: KafkaError.self) {
                _ = try KafkaAdminClient(configuration: ["bootstrap.servers": servers])
            }
            #expect(error?.code == .configuration, "bootstrap.servers=\(servers)")
        }
        let missing = #expect(throws: KafkaError.self) { _ = try KafkaConsumer(configuration: [:]) }
        #expect(missing?.message == "'bootstrap.servers' is required")
    }
}
