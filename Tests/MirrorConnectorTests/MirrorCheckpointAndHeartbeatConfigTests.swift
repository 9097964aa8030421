import Testing
import ConnectAPI
import MirrorCommon
import MirrorCheckpointConnector
import MirrorHeartbeatConnector

@Suite("MirrorCheckpointConfig")
struct MirrorCheckpointConfigTests {
    @Test func defaultsMatchApacheKafka() throws {
        let config = try MirrorCheckpointConfig(makeProps())
        #expect(config.groups == [".*"])
        #expect(config.groupsExclude == ["console-consumer-.*", "connect-.*", "__.*"])
        #expect(config.groupFilterClass == "org.apache.kafka.connect.mirror.DefaultGroupFilter")
        #expect(config.topicFilterClass == "org.apache.kafka.connect.mirror.DefaultTopicFilter")
        #expect(config.topics == [".*"])
        #expect(config.topicsExclude == [#".*[\-\.]internal"#, #".*\.replica"#, "__.*"])
        #expect(config.consumerPollTimeout == .milliseconds(1000))
        #expect(config.refreshGroupsInterval == .seconds(600))
        #expect(config.emitCheckpointsInterval == .seconds(60))
        #expect(config.syncGroupOffsetsInterval == nil)
        #expect(config.checkpointsTopicReplicationFactor == 3)
        #expect(config.offsetSyncsTopicLocation == .source)
        let def = MirrorCheckpointConfig.configDef
        #expect(def.definitionProblems.isEmpty)
        #expect(def["topics"] == nil)
        #expect(renderedDefault(def, "groups.exclude") == "console-consumer-.*,connect-.*,__.*")
        #expect(renderedDefault(def, "sync.group.offsets.enabled") == "false")
        #expect(renderedDefault(def, "sync.group.offsets.interval.seconds") == "60")
    }

    @Test func syncGroupOffsetsCanBeEnabled() throws {
        let config = try MirrorCheckpointConfig(makeProps(["sync.group.offsets.enabled": "true", "sync.group.offsets.interval.seconds": "5"]))
        #expect(config.syncGroupOffsetsInterval == .seconds(5))
    }

    @Test func deprecatedAliasesAreHonoured() throws {
        let config = try MirrorCheckpointConfig(makeProps(["groups.blacklist": "old-.*", "topics.blacklist": "skip"]))
        #expect(config.groupsExclude == ["old-.*"])
        #expect(config.topicsExclude == ["skip"])
        #expect(config.common.originals["groups.blacklist"] == nil)
    }

    @Test func negativeIntervalsAndBadRegexesAreRejected() {
        let props = makeProps([
            "emit.checkpoints.interval.seconds": "-1",
            "groups": "team-(a",
            "topics.exclude": "x[",
        ])
        #expect(errorsByName(MirrorCheckpointConfig.validate(props)) == [
            "emit.checkpoints.interval.seconds": [
                "Invalid value -1 for configuration emit.checkpoints.interval.seconds: Value must be at least 0; set emit.checkpoints.enabled=false to disable instead",
            ],
            "groups": ["Invalid value team-(a for configuration groups: Not a valid regular expression"],
            "topics.exclude": ["Invalid value x[ for configuration topics.exclude: Not a valid regular expression"],
        ])
        #expect(throws: ConfigException.self) { try MirrorCheckpointConfig(makeProps(["topics": "("])) }
    }

    @Test func connectorLevelChecksMatchApache() {
        let props = makeProps(["emit.checkpoints.enabled": "false", "emit.offset-syncs.enabled": "false"])
        #expect(errorsByName(MirrorCheckpointConfig.validate(props)) == [
            "emit.checkpoints.enabled": ["MirrorCheckpointConnector can't run with emit.checkpoints.enabled set to false"],
            "emit.offset-syncs.enabled": ["MirrorCheckpointConnector can't run without offset syncs"],
        ])
        let disabled = props.merging(["enabled": "false"]) { $1 }
        #expect(errorsByName(MirrorCheckpointConfig.validate(disabled)).isEmpty)
    }

    @Test func offsetSyncsConsumerFollowsTheTopicLocation() throws {
        let config = try MirrorCheckpointConfig(makeProps([
            "offset-syncs.topic.location": "target", "target.cluster.bootstrap.servers": "tgt:9092",
        ]))
        #expect(config.offsetSyncsTopicConsumerConfig == [
            "bootstrap.servers": "tgt:9092",
            "enable.auto.commit": "false",
            "auto.offset.reset": "earliest",
            "client.id": "source1->target2|ConnectorName|offset-syncs-target-consumer",
        ])
    }
}

@Suite("MirrorHeartbeatConfig")
struct MirrorHeartbeatConfigTests {
    @Test func defaultsMatchApacheKafka() throws {
        let config = try MirrorHeartbeatConfig(makeProps())
        #expect(config.emitHeartbeatsInterval == .seconds(1))
        #expect(config.heartbeatsTopicReplicationFactor == 3)
        #expect(MirrorHeartbeatConfig.configDef.definitionProblems.isEmpty)
        #expect(Array(MirrorHeartbeatConfig.configDef.names.suffix(3)) == [
            "emit.heartbeats.enabled", "emit.heartbeats.interval.seconds", "heartbeats.topic.replication.factor",
        ])
        #expect(try MirrorHeartbeatConfig(makeProps(["emit.heartbeats.enabled": "false"])).emitHeartbeatsInterval == nil)
    }

    @Test func negativeIntervalIsRejected() {
        let props = makeProps(["emit.heartbeats.interval.seconds": "-2"])
        #expect(errorsByName(MirrorHeartbeatConfig.validate(props)) == [
            "emit.heartbeats.interval.seconds": [
                "Invalid value -2 for configuration emit.heartbeats.interval.seconds: Value must be at least 0; set emit.heartbeats.enabled=false to disable instead",
            ],
        ])
        #expect(throws: ConfigException.self) { try MirrorHeartbeatConfig(props) }
    }

    @Test func replicationFactorMustFitAShort() {
        let errors = errorsByName(MirrorHeartbeatConfig.validate(makeProps(["heartbeats.topic.replication.factor": "70000"])))
        #expect(errors == ["heartbeats.topic.replication.factor": [
            "Invalid value 70000 for configuration heartbeats.topic.replication.factor: Not a number of type SHORT",
        ]])
    }
}
