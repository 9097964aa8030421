import Testing
import ConnectAPI
import MirrorClient
import MirrorCommon
import MirrorSourceConnector

@Suite("MirrorSourceConfig")
struct MirrorSourceConfigTests {
    @Test func defaultsMatchApacheKafka() throws {
        let config = try MirrorSourceConfig(makeProps())
        #expect(config.topics == [".*"])
        #expect(config.topicsExclude == [#".*[\-\.]internal"#, #".*\.replica"#, "__.*"])
        #expect(config.configPropertiesExclude == [
            #"follower\.replication\.throttled\.replicas"#, #"leader\.replication\.throttled\.replicas"#,
            #"message\.timestamp\.difference\.max\.ms"#, #"message\.timestamp\.type"#,
            #"unclean\.leader\.election\.enable"#, #"min\.insync\.replicas"#,
        ])
        #expect(config.topicFilterClass == "org.apache.kafka.connect.mirror.DefaultTopicFilter")
        #expect(config.configPropertyFilterClass == "org.apache.kafka.connect.mirror.DefaultConfigPropertyFilter")
        #expect(config.useDefaultsFrom == "target")
        #expect(config.consumerPollTimeout == .seconds(1))
        #expect(config.refreshTopicsInterval == .seconds(600))
        #expect(config.syncTopicConfigsInterval == .seconds(600))
        #expect(config.syncTopicAclsInterval == .seconds(600))
        #expect(config.useIncrementalAlterConfigs == .requested)
        #expect(config.replicationFactor == 2)
        #expect(config.offsetSyncsTopicReplicationFactor == 3)
        #expect(config.offsetLagMax == 100)
        #expect(config.offsetSyncsTopicLocation == .source)
        #expect(!config.addSourceAliasToMetrics)
        #expect(config.emitOffsetSyncsEnabled)
        #expect(config.heartbeatsReplicationEnabled)

        let def = MirrorSourceConfig.configDef
        #expect(def.definitionProblems.isEmpty)
        #expect(renderedDefault(def, "topics.exclude") == #".*[\-\.]internal,.*\.replica,__.*"#)
        #expect(renderedDefault(def, "topics.blacklist") == nil)
        #expect(def["replication.factor"]?.type == .int)
        #expect(def["offset-syncs.topic.replication.factor"]?.type == .short)
        #expect(Array(def.names.suffix(22)) == [
            "topics", "topics.exclude", "topics.blacklist", "config.properties.exclude", "config.properties.blacklist",
            "topic.filter.class", "config.property.filter.class", "consumer.poll.timeout.ms",
            "refresh.topics.enabled", "refresh.topics.interval.seconds", "sync.topic.configs.enabled",
            "sync.topic.configs.interval.seconds", "use.incremental.alter.configs", "sync.topic.acls.enabled",
            "sync.topic.acls.interval.seconds", "replication.factor", "offset-syncs.topic.replication.factor",
            "offset.lag.max", "offset-syncs.topic.location", "add.source.alias.to.metrics", "emit.offset-syncs.enabled",
            "heartbeats.replication.enabled",
        ])
        #expect(renderedDefault(def, "heartbeats.replication.enabled") == "true")
    }

    /// KIP-1089: heartbeats topics bypass the topic filter unless heartbeats.replication.enabled=false.
    @Test func heartbeatsReplicationFollowsItsSetting() throws {
        let policy = DefaultReplicationPolicy()
        let excluding = ["topics": "orders", "topics.exclude": "heartbeats,.*\\.heartbeats"]
        let byDefault = try MirrorSourceConfig(makeProps(excluding)).topicRules(policy: policy)
        #expect(byDefault.shouldReplicateTopic("heartbeats"))
        #expect(byDefault.shouldReplicateTopic("upstream.heartbeats"))

        let disabled = try MirrorSourceConfig(makeProps(excluding.merging(["heartbeats.replication.enabled": "false"]) { $1 }))
        #expect(!disabled.heartbeatsReplicationEnabled)
        let rules = try disabled.topicRules(policy: policy)
        #expect(!rules.shouldReplicateTopic("heartbeats"))
        #expect(!rules.shouldReplicateTopic("upstream.heartbeats"))
        #expect(rules.shouldReplicateTopic("orders"))

        // Disabled, but the topic filter lets them through: replicated like any topic.
        let allowed = try MirrorSourceConfig(makeProps(["heartbeats.replication.enabled": "false"])).topicRules(policy: policy)
        #expect(allowed.shouldReplicateTopic("heartbeats"))
        #expect(allowed.shouldReplicateTopic("upstream.heartbeats"))

        #expect(throws: ConfigException.self) { try MirrorSourceConfig(makeProps(["heartbeats.replication.enabled": "sometimes"])) }
    }

    @Test func disabledFeaturesHaveNoInterval() throws {
        let config = try MirrorSourceConfig(makeProps([
            "refresh.topics.enabled": "false",
            "sync.topic.configs.enabled": "FALSE",
            "sync.topic.acls.interval.seconds": "30",
        ]))
        #expect(config.refreshTopicsInterval == nil)
        #expect(config.syncTopicConfigsInterval == nil)
        #expect(config.syncTopicAclsInterval == .seconds(30))
    }

    @Test func deprecatedAliasesAreHonoured() throws {
        let config = try MirrorSourceConfig(makeProps([
            "topics.blacklist": "secret-.*, tmp",
            "config.properties.blacklist": "retention\\.ms",
        ]))
        #expect(config.topicsExclude == ["secret-.*", "tmp"])
        #expect(config.configPropertiesExclude == [#"retention\.ms"#])
        #expect(config.common.originals["topics.blacklist"] == nil)
        #expect(config.common.originals["topics.exclude"] == "secret-.*, tmp")

        let both = try MirrorSourceConfig(makeProps(["topics.blacklist": "old", "topics.exclude": "new"]))
        #expect(both.topicsExclude == ["new"])
    }

    @Test func negativeIntervalsAreRejected() {
        let props = makeProps(["refresh.topics.interval.seconds": "-1", "sync.topic.acls.interval.seconds": "-5"])
        let errors = errorsByName(MirrorSourceConfig.validate(props))
        #expect(errors == [
            "refresh.topics.interval.seconds": [
                "Invalid value -1 for configuration refresh.topics.interval.seconds: Value must be at least 0; set refresh.topics.enabled=false to disable instead",
            ],
            "sync.topic.acls.interval.seconds": [
                "Invalid value -5 for configuration sync.topic.acls.interval.seconds: Value must be at least 0; set sync.topic.acls.enabled=false to disable instead",
            ],
        ])
        let error = #expect(throws: ConfigException.self) { try MirrorSourceConfig(props) }
        #expect(error?.name == "refresh.topics.interval.seconds")
    }

    @Test func invalidRegexesAreRejected() {
        let props = makeProps(["topics": "orders, foo(", "topics.exclude": "[abc", "config.properties.exclude": "*bad"])
        let errors = errorsByName(MirrorSourceConfig.validate(props))
        #expect(errors == [
            "topics": ["Invalid value foo( for configuration topics: Not a valid regular expression"],
            "topics.exclude": ["Invalid value [abc for configuration topics.exclude: Not a valid regular expression"],
            "config.properties.exclude": ["Invalid value *bad for configuration config.properties.exclude: Not a valid regular expression"],
        ])
        #expect(throws: ConfigException(name: "topics", value: "foo(", reason: "Not a valid regular expression")) {
            try MirrorSourceConfig(props)
        }
        // A deprecated alias is checked under its own name.
        #expect(errorsByName(MirrorSourceConfig.validate(makeProps(["topics.blacklist": "a)"]))) == [
            "topics.blacklist": ["Invalid value a) for configuration topics.blacklist: Not a valid regular expression"],
        ])
    }

    @Test func validateCollectsTypeAndEnumErrors() {
        let values = MirrorSourceConfig.validate([
            "connector.class": "MirrorSourceConnector",
            "replication.factor": "two",
            "offset-syncs.topic.location": "middle",
            "use.incremental.alter.configs": "sometimes",
        ])
        #expect(errorsByName(values) == [
            "name": [#"Missing required configuration "name" which has no default value."#],
            "source.cluster.alias": [#"Missing required configuration "source.cluster.alias" which has no default value."#],
            "replication.factor": ["Invalid value two for configuration replication.factor: Not a number of type INT"],
            "offset-syncs.topic.location": ["Invalid value middle for configuration offset-syncs.topic.location: String must be one of: source, target"],
            "use.incremental.alter.configs": ["Invalid value sometimes for configuration use.incremental.alter.configs: String must be one of: requested, required, never"],
        ])
        let infos = ConfigInfos(name: "org.apache.kafka.connect.mirror.MirrorSourceConnector", configDef: MirrorSourceConfig.configDef, values: values)
        #expect(infos.errorCount == 5)
        #expect(infos.configs.count == MirrorSourceConfig.configDef.keys.count)
        #expect(infos.configs.first?.definition?.name == "name")
        #expect(infos.groups == ["Common", "Transforms", "Predicates", "Error Handling"])
    }

    @Test func offsetSyncsSettingsWhileDisabledAreRejected() {
        let props = makeProps(["emit.offset-syncs.enabled": "false", "offset-syncs.topic.location": "target"])
        #expect(errorsByName(MirrorSourceConfig.validate(props)) == [
            "emit.offset-syncs.enabled": ["MirrorSourceConnector can't setup offset-syncs feature while emit.offset-syncs.enabled set to false"],
        ])
        #expect(errorsByName(MirrorSourceConfig.validate(makeProps(["emit.offset-syncs.enabled": "false"]))).isEmpty)
    }

    @Test func exactlyOnceNeedsReadCommitted() {
        let required = makeProps(["exactly.once.support": "required"])
        #expect(errorsByName(MirrorSourceConfig.validate(required))["exactly.once.support"]?.count == 1)
        #expect(!MirrorSourceConfig.consumerUsesReadCommitted(required))
        let readCommitted = required.merging(["source.consumer.isolation.level": "read_committed"]) { $1 }
        #expect(MirrorSourceConfig.consumerUsesReadCommitted(readCommitted))
        #expect(errorsByName(MirrorSourceConfig.validate(readCommitted)).isEmpty)
    }

    @Test func offsetSyncsClientsFollowTheTopicLocation() throws {
        let props = makeProps(["source.cluster.bootstrap.servers": "src:9092", "target.cluster.bootstrap.servers": "tgt:9092"])
        let onSource = try MirrorSourceConfig(props)
        #expect(onSource.offsetSyncsTopicProducerConfig == [
            "bootstrap.servers": "src:9092", "client.id": "source1->target2|ConnectorName|offset-syncs-source-producer",
        ])
        let onTarget = try MirrorSourceConfig(props.merging(["offset-syncs.topic.location": "target"]) { $1 })
        #expect(onTarget.offsetSyncsTopicLocation == .target)
        #expect(onTarget.offsetSyncsTopicAdminConfig == [
            "bootstrap.servers": "tgt:9092", "client.id": "source1->target2|ConnectorName|offset-syncs-target-admin",
        ])
    }
}
