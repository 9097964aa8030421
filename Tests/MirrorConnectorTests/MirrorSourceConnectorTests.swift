import Testing
import ConnectAPI
import Kafka
import KafkaProtocol
import MirrorClient
import MirrorCommon
import MirrorSourceConnector

private func tp(_ topic: String, _ partition: Int32) -> TopicPartition {
    TopicPartition(topic: topic, partition: partition)
}

private func rules(
    source: String = "source", target: String = "target", policy: any ReplicationPolicy = DefaultReplicationPolicy(),
    topics: [String] = [".*"], exclude: [String] = MirrorConnectorConfig.Defaults.topicsExclude,
    configExclude: [String] = MirrorSourceConfig.Defaults.configPropertiesExclude, useDefaultsFrom: String = "target"
) throws -> MirrorSourceTopicRules {
    MirrorSourceTopicRules(
        sourceClusterAlias: source, targetClusterAlias: target, policy: policy,
        topicFilter: TopicFilter(include: try PatternList(topics, property: "topics"),
                                 exclude: try PatternList(exclude, property: "topics.exclude")),
        configPropertyFilter: try ConfigPropertyFilter(exclude: configExclude, useDefaultsFrom: useDefaultsFrom))
}

private func entry(
    _ name: String, _ value: String?, isDefault: Bool = false, staticBroker: Bool = false,
    readOnly: Bool = false, sensitive: Bool = false
) -> TopicConfigEntry {
    TopicConfigEntry(name: name, value: value, isDefault: isDefault, isReadOnly: readOnly, isSensitive: sensitive,
                     isStaticBrokerConfig: staticBroker)
}

@Suite("MirrorSourceConnector rules")
struct MirrorSourceConnectorRulesTests {
    @Test func noCycles() throws {
        let rules = try rules()
        #expect(!rules.shouldReplicateTopic("target.topic1"))
        #expect(!rules.shouldReplicateTopic("target.source.topic1"))
        #expect(!rules.shouldReplicateTopic("source.target.topic1"))
        #expect(!rules.shouldReplicateTopic("target.source.target.topic1"))
        #expect(!rules.shouldReplicateTopic("source.target.source.topic1"))
        #expect(rules.shouldReplicateTopic("topic1"))
        #expect(rules.shouldReplicateTopic("othersource.topic1"))
        #expect(rules.shouldReplicateTopic("othertarget.topic1"))
        #expect(rules.shouldReplicateTopic("other.another.topic1"))
        #expect(rules.isCycle("x.target.topic1"))
        #expect(!rules.isCycle("x.y.topic1"))
    }

    @Test func identityPolicyCannotDetectCycles() throws {
        let rules = try rules(policy: IdentityReplicationPolicy(sourceClusterAlias: "source"))
        #expect(rules.shouldReplicateTopic("topic1"))
        #expect(!rules.isCycle("target.topic1"))
        #expect(rules.formatRemoteTopic("topic1") == "topic1")
    }

    @Test func heartbeatsAreReplicatedDespiteTheFilter() throws {
        let rules = try rules(topics: ["orders"], exclude: ["heartbeats", ".*"])
        #expect(rules.shouldReplicateTopic("heartbeats"))
        #expect(rules.shouldReplicateTopic("other.heartbeats"))
        #expect(!rules.shouldReplicateTopic("target.heartbeats"), "a cycle wins over the heartbeat exception")
        #expect(!rules.shouldReplicateTopic("orders"), "exclusion wins over inclusion")
        let off = MirrorSourceTopicRules(
            sourceClusterAlias: "source", targetClusterAlias: "target", policy: DefaultReplicationPolicy(),
            topicFilter: rules.topicFilter, configPropertyFilter: rules.configPropertyFilter, heartbeatsReplicationEnabled: false)
        #expect(!off.shouldReplicateTopic("heartbeats"))
    }

    @Test func internalTopicsAreNeverReplicated() throws {
        let rules = try rules(exclude: [])
        for topic in ["__consumer_offsets", ".hidden", "mm2-offset-syncs.target.internal", "connect-configs-internal",
                      "source.checkpoints.internal", "mm2-configs.source.internal"] {
            #expect(!rules.shouldReplicateTopic(topic), "\(topic)")
        }
        #expect(rules.shouldReplicateTopic("orders.replica"))
        #expect(try !Self.defaultRules().shouldReplicateTopic("orders.replica"))
    }

    static func defaultRules() throws -> MirrorSourceTopicRules { try rules() }

    @Test func remoteTopicsOfThisFlow() throws {
        let rules = try rules()
        #expect(rules.isRemoteTopicOfThisFlow("source.orders", checkpointsTopic: "source.checkpoints.internal"))
        #expect(!rules.isRemoteTopicOfThisFlow("source.checkpoints.internal", checkpointsTopic: "source.checkpoints.internal"))
        #expect(!rules.isRemoteTopicOfThisFlow("orders", checkpointsTopic: "source.checkpoints.internal"))
        #expect(!rules.isRemoteTopicOfThisFlow("other.orders", checkpointsTopic: "source.checkpoints.internal"))
    }

    @Test func aclFilteringAndTransformation() throws {
        let rules = try rules()
        let allowAll = AclBinding(resourceType: .topic, resourceName: "test_topic", principal: "User:alice", operation: .all, permissionType: .allow)
        let allowWrite = AclBinding(resourceType: .topic, resourceName: "test_topic", principal: "User:alice", operation: .write, permissionType: .allow)
        let denyWrite = AclBinding(resourceType: .topic, resourceName: "test_topic", principal: "User:bob", operation: .write, permissionType: .deny)
        let prefixed = AclBinding(resourceType: .topic, resourceName: "test_", patternType: .prefixed, principal: "User:alice", operation: .read, permissionType: .allow)
        let group = AclBinding(resourceType: .group, resourceName: "g", principal: "User:alice", operation: .read, permissionType: .allow)
        let internalTopic = AclBinding(resourceType: .topic, resourceName: "__consumer_offsets", principal: "User:alice", operation: .read, permissionType: .allow)
        #expect(!rules.shouldReplicateAcl(allowWrite))
        #expect(rules.shouldReplicateAcl(denyWrite))
        #expect(rules.shouldReplicateAcl(allowAll))

        let result = rules.targetAclBindings([allowAll, allowWrite, denyWrite, prefixed, group, internalTopic])
        #expect(result == [
            AclBinding(resourceType: .topic, resourceName: "source.test_topic", principal: "User:alice", operation: .read, permissionType: .allow),
            AclBinding(resourceType: .topic, resourceName: "source.test_topic", principal: "User:bob", operation: .write, permissionType: .deny),
        ])
    }

    /// librdkafka reports an empty ACL list, not SECURITY_DISABLED, from a broker without an
    /// authorizer; the broker's `authorizer.class.name` tells the two apart when it is reported.
    @Test func authorizerAbsenceFromBrokerConfig() {
        #expect(MirrorSourceTopicRules.authorizerAbsent(brokerConfig: ["authorizer.class.name": ""]) == true)
        #expect(MirrorSourceTopicRules.authorizerAbsent(brokerConfig: ["authorizer.class.name": String?.none]) == true)
        #expect(MirrorSourceTopicRules.authorizerAbsent(
            brokerConfig: ["authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer"]) == false)
        #expect(MirrorSourceTopicRules.authorizerAbsent(brokerConfig: ["num.partitions": "1"]) == nil)
    }

    @Test func configPropertyFiltering() throws {
        let rules = try rules()
        let entries = [
            entry("name-1", "value-1"),
            entry("min.insync.replicas", "2"),
            entry("cleanup.policy", "compact"),
            entry("retention.ms", "604800000", isDefault: true),
            entry("segment.bytes", "1", readOnly: true),
            entry("secret", nil, sensitive: true),
            entry("max.message.bytes", "1000", staticBroker: true),
        ]
        #expect(rules.targetConfig(entries, incremental: false).map(\.name) == ["name-1", "cleanup.policy"])
        #expect(rules.targetConfig(entries, incremental: true).map(\.name) == ["name-1", "cleanup.policy", "retention.ms"])
        #expect(rules.newTopicConfigs(entries) == ["name-1": "value-1", "cleanup.policy": "compact"])

        let sourceDefaults = try Self.rulesWithSourceDefaults()
        #expect(sourceDefaults.targetConfig(entries, incremental: false).map(\.name) == ["name-1", "cleanup.policy", "retention.ms"])
        #expect(sourceDefaults.newTopicConfigs(entries)["retention.ms"] == "604800000")

        let custom = try Self.rulesExcluding(["name-.*"])
        #expect(custom.targetConfig(entries, incremental: false).map(\.name) == ["min.insync.replicas", "cleanup.policy"])
    }

    static func rulesWithSourceDefaults() throws -> MirrorSourceTopicRules { try rules(useDefaultsFrom: "source") }
    static func rulesExcluding(_ patterns: [String]) throws -> MirrorSourceTopicRules { try rules(configExclude: patterns) }

    @Test func configSyncActsLikeAnIncrementalUpdate() throws {
        let rules = try rules()
        let source = [
            entry("cleanup.policy", "compact"),
            entry("retention.ms", "604800000", isDefault: true),
            entry("min.insync.replicas", "1"),
        ]
        let target = ["min.insync.replicas": "2", "retention.ms": "1000", "segment.ms": "5000"]
        // Excluded (min.insync.replicas) and untouched (segment.ms) target values stay; a
        // source default is deleted (target default applies); copied values are set.
        #expect(rules.syncedTargetConfig(sourceEntries: source, targetDynamic: target, incremental: true)
            == ["min.insync.replicas": "2", "segment.ms": "5000", "cleanup.policy": "compact"])
        // use.defaults.from=source: the source default is set explicitly.
        #expect(try Self.rulesWithSourceDefaults().syncedTargetConfig(sourceEntries: source, targetDynamic: target, incremental: true)
            == ["min.insync.replicas": "2", "segment.ms": "5000", "cleanup.policy": "compact", "retention.ms": "604800000"])
        // use.incremental.alter.configs=never: Apache's legacy AlterConfigs payload.
        #expect(rules.syncedTargetConfig(sourceEntries: source, targetDynamic: target, incremental: false) == ["cleanup.policy": "compact"])
    }

    @Test func taskLayoutIsRoundRobin() {
        // 3 topics with 8, 2 and 2 partitions over 3 tasks, as in Apache's example.
        let partitions = (0..<8).map { tp("t0", $0) } + (0..<2).map { tp("t1", $0) } + (0..<2).map { tp("t2", $0) }
        let layout = MirrorSourceTopicRules.taskPartitions(partitions, maxTasks: 3)
        #expect(layout == [
            [tp("t0", 0), tp("t0", 3), tp("t0", 6), tp("t1", 1)],
            [tp("t0", 1), tp("t0", 4), tp("t0", 7), tp("t2", 0)],
            [tp("t0", 2), tp("t0", 5), tp("t1", 0), tp("t2", 1)],
        ])
        #expect(MirrorSourceTopicRules.taskPartitions(Array(partitions.prefix(2)), maxTasks: 5).count == 2)
        #expect(MirrorSourceTopicRules.taskPartitions([], maxTasks: 5).isEmpty)
        #expect(MirrorSourceTopicRules.taskPartitions(partitions, maxTasks: 1) == [partitions])
    }

    @Test func topicPlanCreatesAndGrows() throws {
        let rules = try rules()
        let source = [tp("a", 0), tp("a", 1), tp("b", 0), tp("b", 1), tp("b", 2), tp("c", 0)]
        let target = [tp("source.b", 0), tp("source.c", 0), tp("source.c", 1)]
        let plan = rules.topicPlan(source: source, target: target)
        #expect(plan.newTopics == ["a": 2])
        #expect(plan.partitionIncreases == ["source.b": 3])
    }
}

@Suite("MirrorSourceConnector")
struct MirrorSourceConnectorTests {
    @Test func taskConfigsCarryApacheFormat() throws {
        let config = try MirrorSourceConfig(makeProps(["topics.blacklist": "x"]))
        let props = config.taskConfig(for: [tp("orders", 0), tp("my-topic", 12)], taskIndex: 2)
        #expect(props["task.assigned.partitions"] == "orders-0,my-topic-12")
        #expect(props["task.index"] == "2")
        #expect(props["topics.exclude"] == "x", "aliases are translated like Apache's originalsStrings")
        #expect(props["source.cluster.alias"] == "source1")
        #expect(try MirrorSourceConfig.taskTopicPartitions(props) == [tp("orders", 0), tp("my-topic", 12)])
        #expect(try MirrorSourceConfig.taskTopicPartitions([:]).isEmpty)
        #expect(try MirrorSourceConfig.taskTopicPartitions(["task.assigned.partitions": " a-1 , a-1,b-2 "]) == [tp("a", 1), tp("b", 2)])
        #expect(throws: ConnectError.self) { try MirrorSourceConfig.taskTopicPartitions(["task.assigned.partitions": "orders"]) }
        #expect(throws: ConnectError.self) { try MirrorSourceConfig.taskTopicPartitions(["task.assigned.partitions": "orders-x"]) }
    }

    @Test func offsetSyncsTopicFollowsItsLocation() throws {
        let policy = DefaultReplicationPolicy()
        #expect(try MirrorSourceConfig(makeProps()).offsetSyncsTopic(policy: policy) == "mm2-offset-syncs.target2.internal")
        #expect(try MirrorSourceConfig(makeProps(["offset-syncs.topic.location": "target"])).offsetSyncsTopic(policy: policy)
            == "mm2-offset-syncs.source1.internal")
    }

    @Test func unstartedOrDisabledConnectorHasNoTasks() async throws {
        let connector = MirrorSourceConnector()
        #expect(try await connector.taskConfigs(maxTasks: 4).isEmpty)
        try await connector.start(makeProps(["enabled": "false"]), context: MirrorSourceNoContext())
        #expect(try await connector.taskConfigs(maxTasks: 4).isEmpty)
        await connector.stop()
        #expect(ObjectIdentifier(connector.taskType) == ObjectIdentifier(MirrorSourceTask.self))
        #expect(MirrorSourceConnector.className == "org.apache.kafka.connect.mirror.MirrorSourceConnector")
        #expect(MirrorSourceTask.className == "org.apache.kafka.connect.mirror.MirrorSourceTask")
    }

    @Test func badConfigsGetClearMessages() async throws {
        let connector = MirrorSourceConnector()
        let errors = errorsByName(connector.validate(makeProps([
            "topics": "ok, bad(",
            "refresh.topics.interval.seconds": "-1",
            "replication.policy.class": "com.example.FancyPolicy",
            "topic.filter.class": "com.example.MyFilter",
            "config.property.filter.class": "DefaultConfigPropertyFilter",
            "use.defaults.from": "both",
        ])))
        #expect(errors["topics"] == ["Invalid value bad( for configuration topics: Not a valid regular expression"])
        #expect(errors["refresh.topics.interval.seconds"]?.first?.contains("Value must be at least 0") == true)
        #expect(errors["replication.policy.class"]?.first?.hasPrefix(
            "Invalid value com.example.FancyPolicy for configuration replication.policy.class: replication.policy.class=\"com.example.FancyPolicy\" is not supported") == true)
        #expect(errors["topic.filter.class"] == [
            "Invalid value com.example.MyFilter for configuration topic.filter.class: only org.apache.kafka.connect.mirror.DefaultTopicFilter is available in this runtime",
        ])
        #expect(errors["config.property.filter.class"] == nil, "the simple name of the built-in filter is accepted")
        #expect(errors["use.defaults.from"] == ["Invalid value both for configuration use.defaults.from: String must be one of: source, target"])
        #expect(errorsByName(connector.validate(makeProps(clusterAddresses))).isEmpty)

        await #expect(throws: ConnectError.self) {
            try await connector.start(makeProps(["replication.policy.class": "com.example.FancyPolicy"]), context: MirrorSourceNoContext())
        }
        let startError = await #expect(throws: ConnectError.self) {
            try await MirrorSourceConnector().start(makeProps(["offset.lag.max": "lots"]), context: MirrorSourceNoContext())
        }
        #expect(startError?.message.contains("offset.lag.max") == true)
        let filterError = await #expect(throws: ConnectError.self) {
            try await MirrorSourceConnector().start(makeProps(["topic.filter.class": "com.example.MyFilter"]), context: MirrorSourceNoContext())
        }
        #expect(filterError?.message == "topic.filter.class=com.example.MyFilter is not available in this runtime; only org.apache.kafka.connect.mirror.DefaultTopicFilter is")
    }

    @Test func alterOffsetsValidatesApacheShapes() async throws {
        let connector = MirrorSourceConnector()
        func alter(_ partition: SourcePartition, _ offset: SourceOffset?) async throws -> Bool {
            try await connector.alterOffsets(connectorConfig: makeProps(), offsets: [partition: offset])
        }
        let good: SourcePartition = ["cluster": "primary", "topic": "orders", "partition": 3]
        #expect(try await alter(good, ["offset": 42]))
        #expect(try await alter(good, ["offset": 0]))
        #expect(try await alter(good, nil))
        #expect(try await alter(["anything": true], nil), "resets are accepted for any partition")
        #expect(try await connector.alterOffsets(connectorConfig: [:], offsets: [:]))

        func message(_ partition: SourcePartition, _ offset: SourceOffset?) async -> String? {
            do {
                _ = try await alter(partition, offset)
                return nil
            } catch let error as ConnectError {
                return error.message
            } catch {
                return "\(error)"
            }
        }
        #expect(await message(["topic": "orders", "partition": 3], ["offset": 1])
            == "Source partition {partition=3, topic=orders} is missing the 'cluster' key, which is required")
        #expect(await message(["cluster": 5, "topic": "orders", "partition": 3], ["offset": 1])
            == "Source partition {cluster=5, partition=3, topic=orders} has an invalid value 5 for the 'cluster' key, which must be a string")
        #expect(await message(["cluster": "primary", "partition": 3], ["offset": 1])
            == "Source partition {cluster=primary, partition=3} is missing the 'topic' key, which is required")
        #expect(await message(["cluster": "primary", "topic": "orders"], ["offset": 1])
            == "Source partition {cluster=primary, topic=orders} is missing the 'partition' key, which is required")
        #expect(await message(["cluster": "primary", "topic": "orders", "partition": "3"], ["offset": 1])
            == "Source partition {cluster=primary, partition=3, topic=orders} has an invalid value 3 for the 'partition' key, which must be an integer")
        #expect(await message(["cluster": "primary", "topic": "orders", "partition": 1.5], ["offset": 1])
            == "Source partition {cluster=primary, partition=1.5, topic=orders} has an invalid value 1.5 for the 'partition' key, which must be an integer")
        #expect(await message(["cluster": "primary", "topic": "orders", "partition": 2_147_483_648], ["offset": 1])
            == "Source partition {cluster=primary, partition=2147483648, topic=orders} has an invalid value 2147483648 for the 'partition' key, which must be an integer")
        #expect(await message(["cluster": "primary", "topic": "orders", "partition": -1], ["offset": 1])
            == "Source partition {cluster=primary, partition=-1, topic=orders} has an invalid value -1 for the 'partition' key, which cannot be negative")
        #expect(await message(good, ["position": 1])
            == "Source offset {position=1} for source partition {cluster=primary, partition=3, topic=orders} is missing the 'offset' key, which is required")
        #expect(await message(good, ["offset": "1"])
            == "Source offset {offset=1} for source partition {cluster=primary, partition=3, topic=orders} has an invalid value 1 for the 'offset' key, which must be an integer")
        #expect(await message(good, ["offset": -5])
            == "Source offset {offset=-5} for source partition {cluster=primary, partition=3, topic=orders} has an invalid value -5 for the 'offset' key, which cannot be negative")
    }

    @Test func sourcePartitionsUseJavaHashMapOrder() {
        let wrapped = MirrorSourceOffsets.wrapPartition(tp("orders", 2), sourceClusterAlias: "primary")
        #expect(wrapped.keys == ["cluster", "partition", "topic"])
        #expect(wrapped.keys == JavaCompat.hashSetOrder(["topic", "partition", "cluster"]))
        #expect(wrapped.description == #"{"cluster":"primary","partition":2,"topic":"orders"}"#)
        #expect(MirrorSourceOffsets.wrapOffset(41).description == #"{"offset":41}"#)
        #expect(MirrorSourceOffsets.unwrapPartition(wrapped) == tp("orders", 2))
        #expect(MirrorSourceOffsets.unwrapPartition(["topic": "orders"]) == nil)
        #expect(MirrorSourceOffsets.unwrapOffset(["offset": 41]) == 41)
        #expect(MirrorSourceOffsets.unwrapOffset(nil) == -1)
        #expect(MirrorSourceOffsets.unwrapOffset(["offset": nil]) == -1)
    }
}

/// A connector context for connectors that never call it.
struct MirrorSourceNoContext: ConnectorContext {
    func requestTaskReconfiguration() {}
    func raiseError(_ error: any Error) {}
}
