import Testing

@testable import KafkaGroupClient

@Suite struct KafkaBrokerAddressTests {
    @Test func parsesBootstrapLists() throws {
        let brokers = try KafkaBrokerAddress.parseList(" k1:9092, k2.example.com:19092 ,,[::1]:9093 ")
        #expect(
            brokers == [
                KafkaBrokerAddress(host: "k1", port: 9092), KafkaBrokerAddress(host: "k2.example.com", port: 19092),
                KafkaBrokerAddress(host: "::1", port: 9093),
            ])
        #expect(brokers.map(\.description) == ["k1:9092", "k2.example.com:19092", "[::1]:9093"])
    }

    @Test func rejectsMalformedEntries() {
        for bad in ["", " , ", "k1", "k1:", ":9092", "k1:0", "k1:65536", "k1:port", "[::1]9092", "[::1"] {
            let error = #expect(throws: KafkaGroupClientError.self, "\(bad)") { try KafkaBrokerAddress.parseList(bad) }
            #expect(error?.code == .configuration)
        }
    }

    @Test func configurationIsValidated() {
        let good = ClassicGroupMember.Configuration(bootstrapServers: "k:1", groupId: "g")
        #expect(throws: Never.self) { try good.validated() }
        var variants: [ClassicGroupMember.Configuration] = []
        var emptyGroup = good
        emptyGroup.groupId = ""
        variants.append(emptyGroup)
        var slowHeartbeat = good
        slowHeartbeat.heartbeatInterval = .seconds(20)
        variants.append(slowHeartbeat)
        var zeroTimeout = good
        zeroTimeout.requestTimeout = .zero
        variants.append(zeroTimeout)
        var badBootstrap = good
        badBootstrap.bootstrapServers = "nope"
        variants.append(badBootstrap)
        for variant in variants {
            let error = #expect(throws: KafkaGroupClientError.self) { try ClassicGroupMember(configuration: variant, logger: testLogger("t")) }
            #expect(error?.code == .configuration)
        }
    }
}
