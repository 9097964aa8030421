import Kafka
import KafkaProtocol
import MirrorClient
import Testing

/// ``MirrorClientConfig``'s client properties and policy, and the `mirror-client` answers' rendering.
@Suite struct MirrorClientConfigTests {
    @Test func clientConfigsKeepConnectionPropertiesWithPrefixOverrides() throws {
        let config = try MirrorClientConfig([
            "bootstrap.servers": "a:9092",
            "security.protocol": "SASL_SSL",
            "sasl.mechanism": "PLAIN",
            "ssl.truststore.location": "/t.jks",
            "client.id": "dropped",
            "consumer.bootstrap.servers": "b:9092",
            "consumer.client.id": "dropped-too",
            "admin.sasl.mechanism": "SCRAM-SHA-512",
            "replication.policy.separator": "_",
        ])
        #expect(config.adminConfig == [
            "bootstrap.servers": "a:9092", "security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512",
            "ssl.truststore.location": "/t.jks",
        ])
        #expect(config.consumerConfig == [
            "bootstrap.servers": "b:9092", "security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN",
            "ssl.truststore.location": "/t.jks",
        ])
        #expect(config.producerConfig["bootstrap.servers"] == "a:9092")
        #expect(config.replicationPolicy.formatRemoteTopic(sourceClusterAlias: "us", topic: "t") == "us_t")
        #expect(config.replicationPolicy.checkpointsTopic(clusterAlias: "us") == "us_checkpoints_internal")
    }

    @Test func policySettingsAreValidated() throws {
        #expect(throws: MirrorClientError.self) { try MirrorClientConfig(["replication.policy.class": "com.example.Nope"]) }
        #expect(throws: MirrorClientError.self) {
            try MirrorClientConfig(["replication.policy.internal.topic.separator.enabled": "maybe"])
        }
        let identity = try MirrorClientConfig(["replication.policy.class": "IdentityReplicationPolicy"])
        #expect(identity.replicationPolicy.formatRemoteTopic(sourceClusterAlias: "us", topic: "t") == "t")
    }

    @Test func answersRenderAsJSONAndText() {
        let names = MirrorClientQuery.Answer.names(field: "heartbeatTopics", ["heartbeats", "primary.heartbeats"])
        #expect(names.renderJSON() == #"{"heartbeatTopics":["heartbeats","primary.heartbeats"]}"# + "\n")
        #expect(names.renderText() == "heartbeats\nprimary.heartbeats\n")
        #expect(MirrorClientQuery.Answer.names(field: "remoteTopics", []).renderText() == "")

        let hops = MirrorClientQuery.Answer.replicationHops(upstreamClusterAlias: "primary", hops: -1)
        #expect(hops.renderJSON() == #"{"hops":-1,"upstreamClusterAlias":"primary"}"# + "\n")
        #expect(hops.renderText() == "-1\n")

        let offsets = MirrorClientQuery.Answer.offsets(groupId: "g/1", remoteClusterAlias: "primary", [
            .init(TopicPartition(topic: "primary.t", partition: 0), OffsetAndMetadata(offset: 42, metadata: "m\"x")),
            .init(TopicPartition(topic: "primary.t", partition: 1), OffsetAndMetadata(offset: 7)),
        ])
        #expect(offsets.renderJSON() == #"{"groupId":"g/1","offsets":[{"metadata":"m\"x","offset":42,"partition":0,"topic":"primary.t"},{"metadata":"","offset":7,"partition":1,"topic":"primary.t"}],"remoteClusterAlias":"primary"}"# + "\n")
        #expect(offsets.renderText() == "primary.t 0 42\nprimary.t 1 7\n")
    }
}
