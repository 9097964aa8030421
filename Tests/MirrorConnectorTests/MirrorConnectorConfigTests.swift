import Testing
import ConnectAPI
import MirrorCommon

@Suite("MirrorConnectorConfig")
struct MirrorConnectorConfigTests {
    @Test func definitionIsSoundAndInApacheOrder() {
        let def = MirrorConnectorConfig.configDef
        #expect(def.definitionProblems.isEmpty)
        let names = def.names
        #expect(Array(names.prefix(15)) == ConnectorConfig.configDef.names)
        #expect(Array(names[15..<26]) == [
            "enabled", "source.cluster.alias", "target.cluster.alias", "admin.timeout.ms", "replication.policy.class",
            "replication.policy.separator", "replication.policy.internal.topic.separator.enabled",
            "forwarding.admin.class", "metric.reporters", "security.protocol", "auto.include.jmx.reporter",
        ])
        #expect(names.contains("ssl.truststore.password") && names.contains("sasl.jaas.config"))
        #expect(def["ssl.truststore.password"]?.type == .password)
    }

    @Test func defaultsMatchApacheKafka() throws {
        let config = try MirrorConnectorConfig(properties: makeProps())
        #expect(config.enabled)
        #expect(config.connectorName == "ConnectorName")
        #expect(config.tasksMax == 1)
        #expect(config.replicationPolicyClass == "org.apache.kafka.connect.mirror.DefaultReplicationPolicy")
        #expect(config.replicationPolicySeparator == ".")
        #expect(config.internalTopicSeparatorEnabled)
        #expect(config.adminTimeout == .milliseconds(60_000))
        #expect(config.forwardingAdminClass == "org.apache.kafka.clients.admin.ForwardingAdmin")
        #expect(config.metricReporters.isEmpty)
        #expect(config.securityProtocol == "PLAINTEXT")
        #expect(config.entityLabel == "source1->target2|ConnectorName")

        let def = MirrorConnectorConfig.configDef
        #expect(renderedDefault(def, "target.cluster.alias") == "target")
        #expect(renderedDefault(def, "ssl.enabled.protocols") == "TLSv1.2,TLSv1.3")
        #expect(renderedDefault(def, "sasl.kerberos.ticket.renew.window.factor") == "0.8")
        #expect(renderedDefault(def, "metric.reporters") == nil)
        #expect(ConfigKeyInfo(def["source.cluster.alias"]!).required)
        #expect(!ConfigKeyInfo(def["metric.reporters"]!).required)
    }

    @Test func sourceClusterAliasIsRequiredLikeApache() {
        var props = makeProps()
        props["source.cluster.alias"] = nil
        #expect(throws: ConfigException.missingRequired("source.cluster.alias")) {
            try MirrorConnectorConfig(properties: props)
        }
    }

    @Test func targetClusterAliasDefaultsToTarget() throws {
        var props = makeProps()
        props["target.cluster.alias"] = nil
        #expect(try MirrorConnectorConfig(properties: props).targetClusterAlias == "target")
    }

    @Test func securityProtocolIsCaseInsensitive() throws {
        #expect(try MirrorConnectorConfig(properties: makeProps(["security.protocol": "sasl_ssl"])).securityProtocol == "sasl_ssl")
        let error = #expect(throws: ConfigException.self) {
            try MirrorConnectorConfig(properties: makeProps(["security.protocol": "TLS"]))
        }
        #expect(error?.message.hasPrefix("Invalid value TLS for configuration security.protocol: String must be one of (case insensitive): ") == true)
    }
}

@Suite("Mirror client config derivation")
struct MirrorClientConfigDerivationTests {
    @Test func sourceConsumerForcesAutoCommitOffAndEarliest() throws {
        let config = try MirrorConnectorConfig(properties: makeProps([
            "source.cluster.bootstrap.servers": "src:9092",
            "source.cluster.security.protocol": "SSL",
            "source.cluster.max.poll.records": "7",
            "source.consumer.max.poll.records": "500",
            "source.consumer.enable.auto.commit": "true",
            "target.cluster.bootstrap.servers": "tgt:9092",
        ]))
        #expect(config.sourceConsumerConfig(role: "replication-consumer") == [
            "bootstrap.servers": "src:9092",
            "security.protocol": "SSL",
            "max.poll.records": "500",
            "enable.auto.commit": "false",
            "auto.offset.reset": "earliest",
            "client.id": "source1->target2|ConnectorName|replication-consumer",
        ])
        #expect(config.sourceConsumerConfig() == [
            "bootstrap.servers": "src:9092",
            "security.protocol": "SSL",
            "max.poll.records": "500",
            "enable.auto.commit": "false",
            "auto.offset.reset": "earliest",
        ])
    }

    @Test func userAutoOffsetResetLatestIsKept() throws {
        // Apache's MirrorConnectorConfigTest: consumer.* applies; auto.offset.reset=latest survives (KAFKA-13988).
        let config = try MirrorConnectorConfig(properties: makeProps([
            "consumer.auto.offset.reset": "latest",
            "source.cluster.bootstrap.servers": "localhost:2345",
        ]))
        #expect(config.sourceConsumerConfig(role: "test") == [
            "enable.auto.commit": "false",
            "auto.offset.reset": "latest",
            "client.id": "source1->target2|ConnectorName|test",
            "bootstrap.servers": "localhost:2345",
        ])
    }

    @Test func sidePrefixOverridesClientPrefix() throws {
        let config = try MirrorConnectorConfig(properties: makeProps([
            "consumer.max.poll.interval.ms": "120000",
            "source.consumer.max.poll.interval.ms": "100",
            "target.consumer.max.poll.interval.ms": "200",
        ]))
        #expect(config.sourceConsumerConfig(role: "test")["max.poll.interval.ms"] == "100")
        #expect(config.targetConsumerConfig(role: "test")["max.poll.interval.ms"] == "200")
        #expect(config.targetConsumerConfig(role: "test")["enable.auto.commit"] == "false")
    }

    @Test func producersAndAdminsUseTheirOwnPrefixes() throws {
        let config = try MirrorConnectorConfig(properties: makeProps([
            "source.cluster.bootstrap.servers": "src:9092",
            "target.cluster.bootstrap.servers": "tgt:9092",
            "target.cluster.sasl.mechanism": "PLAIN",
            "target.cluster.acks": "1",
            "producer.linger.ms": "5",
            "target.producer.acks": "all",
            "admin.request.timeout.ms": "1000",
            "target.admin.client.id": "mine",
            "source.admin.retries": "3",
        ]))
        #expect(config.targetProducerConfig(role: "p") == [
            "bootstrap.servers": "tgt:9092",
            "sasl.mechanism": "PLAIN",
            "linger.ms": "5",
            "acks": "all",
            "client.id": "source1->target2|ConnectorName|p",
        ])
        #expect(config.sourceProducerConfig() == ["bootstrap.servers": "src:9092", "linger.ms": "5"])
        #expect(config.targetAdminConfig(role: "a") == [
            "bootstrap.servers": "tgt:9092",
            "sasl.mechanism": "PLAIN",
            "request.timeout.ms": "1000",
            "client.id": "mine|source1->target2|ConnectorName|a",
        ])
        #expect(config.sourceAdminConfig() == ["bootstrap.servers": "src:9092", "request.timeout.ms": "1000", "retries": "3"])
    }

    @Test func connectorKeysUnderClientPrefixesStayOutOfClientConfigs() throws {
        // consumer.poll.timeout.ms and admin.timeout.ms configure the connector. Apache copies
        // them into client configs as poll.timeout.ms / timeout.ms, where Java clients only warn;
        // librdkafka would refuse them, so they stay out.
        let config = try MirrorConnectorConfig(properties: makeProps([
            "consumer.poll.timeout.ms": "250", "admin.timeout.ms": "5000", "consumer.fetch.min.bytes": "10",
        ]))
        #expect(config.sourceConsumerConfig()["poll.timeout.ms"] == nil)
        #expect(config.sourceConsumerConfig()["fetch.min.bytes"] == "10")
        #expect(config.sourceAdminConfig()["timeout.ms"] == nil)
        // Connect's worker-client overrides are not MirrorMaker client settings.
        let overrides = try MirrorConnectorConfig(properties: makeProps([
            "producer.override.linger.ms": "5", "consumer.override.fetch.min.bytes": "1", "producer.acks": "all",
        ]))
        #expect(overrides.targetProducerConfig() == ["acks": "all"])
        #expect(overrides.sourceConsumerConfig()["override.fetch.min.bytes"] == nil)
        #expect(config.targetAdminConfig()["timeout.ms"] == nil)
    }
}
