import MirrorClient
import Testing

@Suite struct DefaultReplicationPolicyTests {
    let policy = DefaultReplicationPolicy()

    @Test func namesRemoteTopicsWithTheSourceAliasAndADot() {
        #expect(policy.formatRemoteTopic(sourceClusterAlias: "primary", topic: "orders") == "primary.orders")
        #expect(policy.topicSource("primary.orders") == "primary")
        #expect(policy.upstreamTopic("primary.orders") == "orders")
        #expect(policy.topicSource("orders") == nil)
        #expect(policy.upstreamTopic("orders") == nil)
        #expect(policy.topicSource("backup.primary.orders") == "backup")
        #expect(policy.upstreamTopic("backup.primary.orders") == "primary.orders")
        #expect(policy.originalTopic("backup.primary.orders") == "orders")
        #expect(policy.originalTopic("orders") == "orders")
    }

    @Test func internalTopicNames() {
        #expect(policy.heartbeatsTopic == "heartbeats")
        #expect(policy.offsetSyncsTopic(clusterAlias: "backup") == "mm2-offset-syncs.backup.internal")
        #expect(policy.checkpointsTopic(clusterAlias: "primary") == "primary.checkpoints.internal")
    }

    @Test(arguments: [
        ("heartbeats", true),
        ("primary.heartbeats", true),
        ("backup.primary.heartbeats", true),
        ("heartbeats!", false),
        ("!heartbeats", false),
        ("primaryheartbeats", false),
        ("primary-heartbeats", false),
    ])
    func recognisesHeartbeatsTopics(topic: String, expected: Bool) {
        #expect(policy.isHeartbeatsTopic(topic) == expected)
    }

    @Test func recognisesCheckpointsAndInternalTopics() {
        #expect(policy.isCheckpointsTopic("primary.checkpoints.internal"))
        #expect(!policy.isCheckpointsTopic("checkpoints.internal"))
        #expect(!policy.isCheckpointsTopic("primary.checkpoints-internal"))
        #expect(policy.isMM2InternalTopic("mm2-offset-syncs.backup.internal"))
        #expect(!policy.isMM2InternalTopic("mm2-offsets-backup-internal"))

        #expect(policy.isInternalTopic("__consumer_offsets"))
        #expect(policy.isInternalTopic(".hidden"))
        #expect(policy.isInternalTopic("mm2-offsets.CLUSTER.internal"))
        #expect(policy.isInternalTopic("mm2-offsets-CLUSTER-internal"))
        #expect(!policy.isInternalTopic("mm2-offsets_CLUSTER_internal"))
        #expect(!policy.isInternalTopic("orders"))
        #expect(!policy.isInternalTopic("primary.heartbeats"))
    }

    /// Apache decides with `Pattern.split`, which keeps a leading empty part and drops trailing ones.
    @Test func topicSourceFollowsJavaSplitEdgeCases() {
        #expect(policy.topicSource("orders.") == nil)
        #expect(policy.topicSource("orders..") == nil)
        #expect(policy.topicSource(".") == nil)
        #expect(policy.topicSource("") == nil)
        #expect(policy.topicSource(".orders") == "")
        #expect(policy.upstreamTopic(".orders") == "orders")
        #expect(policy.topicSource("a..b") == "a")
        #expect(policy.upstreamTopic("a..b") == ".b")
        #expect(policy.topicSource("a.b.") == "a")
        #expect(policy.originalTopic("a.b.") == "b.")
    }

    @Test func customSeparatorAppliesToRemoteAndInternalTopics() throws {
        let policy = try DefaultReplicationPolicy(config: ["replication.policy.separator": "__"])
        #expect(policy.formatRemoteTopic(sourceClusterAlias: "primary", topic: "orders") == "primary__orders")
        #expect(policy.topicSource("primary__orders") == "primary")
        #expect(policy.upstreamTopic("primary__source2__orders") == "source2__orders")
        #expect(policy.originalTopic("primary__source2__orders") == "orders")
        #expect(policy.topicSource("primary.orders") == nil)
        #expect(policy.offsetSyncsTopic(clusterAlias: "backup") == "mm2-offset-syncs__backup__internal")
        #expect(policy.checkpointsTopic(clusterAlias: "primary") == "primary__checkpoints__internal")
        #expect(policy.isCheckpointsTopic("primary__checkpoints__internal"))
        #expect(!policy.isCheckpointsTopic("primary.checkpoints.internal"))
        #expect(policy.isMM2InternalTopic("mm2-offset-syncs__backup__internal"))
        #expect(policy.isInternalTopic("mm2-offset-syncs__backup__internal"))
        #expect(policy.heartbeatsTopic == "heartbeats")
        #expect(policy.isHeartbeatsTopic("primary__heartbeats"))
    }

    @Test func disabledInternalSeparatorKeepsDotsInInternalTopicsOnly() throws {
        let policy = try DefaultReplicationPolicy(config: [
            "replication.policy.separator": "__",
            "replication.policy.internal.topic.separator.enabled": "false",
        ])
        #expect(!policy.isInternalTopicSeparatorEnabled)
        #expect(policy.formatRemoteTopic(sourceClusterAlias: "primary", topic: "orders") == "primary__orders")
        #expect(policy.offsetSyncsTopic(clusterAlias: "backup") == "mm2-offset-syncs.backup.internal")
        #expect(policy.checkpointsTopic(clusterAlias: "primary") == "primary.checkpoints.internal")
        #expect(policy.isCheckpointsTopic("primary.checkpoints.internal"))
        #expect(!policy.isCheckpointsTopic("primary__checkpoints__internal"))
        #expect(policy.heartbeatsTopic == "heartbeats")
    }

    @Test func multiCharacterAndEmptySeparators() {
        let dashes = DefaultReplicationPolicy(separator: "--")
        #expect(dashes.topicSource("a---b") == "a")
        #expect(dashes.upstreamTopic("a---b") == "-b")
        #expect(dashes.topicSource("a----") == nil)

        let none = DefaultReplicationPolicy(separator: "")
        #expect(none.formatRemoteTopic(sourceClusterAlias: "p", topic: "orders") == "porders")
        #expect(none.topicSource("porders") == "p")
        #expect(none.upstreamTopic("porders") == "orders")
        #expect(none.topicSource("p") == nil)
    }

    @Test func invalidBooleanIsAConfigError() throws {
        let error = #expect(throws: MirrorClientError.self) {
            try DefaultReplicationPolicy(config: ["replication.policy.internal.topic.separator.enabled": "yes"])
        }
        #expect(error?.code == .invalidConfig)
        #expect(error?.message.contains("replication.policy.internal.topic.separator.enabled") == true)
        #expect(try DefaultReplicationPolicy(config: ["replication.policy.internal.topic.separator.enabled": " FALSE "])
            .isInternalTopicSeparatorEnabled == false)
    }
}

@Suite struct IdentityReplicationPolicyTests {
    let policy = IdentityReplicationPolicy(sourceClusterAlias: "primary")

    @Test func keepsNamesExceptHeartbeats() {
        #expect(policy.formatRemoteTopic(sourceClusterAlias: "primary", topic: "orders") == "orders")
        #expect(policy.formatRemoteTopic(sourceClusterAlias: "backup", topic: "heartbeats") == "backup.heartbeats")
        #expect(policy.formatRemoteTopic(sourceClusterAlias: "backup", topic: "primary.heartbeats") == "backup.primary.heartbeats")
        // Apache only checks the suffix.
        #expect(policy.formatRemoteTopic(sourceClusterAlias: "backup", topic: "myheartbeats") == "backup.myheartbeats")
    }

    @Test func everyTopicComesFromTheConfiguredSource() {
        #expect(policy.topicSource("orders") == "primary")
        #expect(policy.upstreamTopic("orders") == "orders")
        #expect(policy.originalTopic("orders") == "orders")
        #expect(policy.topicSource("backup.heartbeats") == "backup")
        #expect(policy.upstreamTopic("backup.heartbeats") == "heartbeats")
        #expect(policy.topicSource("heartbeats") == nil)
        #expect(policy.isHeartbeatsTopic("backup.primary.heartbeats"))
        #expect(!policy.isHeartbeatsTopic("orders"))
        #expect(IdentityReplicationPolicy().topicSource("orders") == nil)
    }

    @Test func internalTopicsFollowTheDefaultPolicy() throws {
        let policy = try IdentityReplicationPolicy(config: [
            "source.cluster.alias": "primary",
            "replication.policy.separator": "_",
        ])
        #expect(policy.sourceClusterAlias == "primary")
        #expect(policy.formatRemoteTopic(sourceClusterAlias: "backup", topic: "heartbeats") == "backup_heartbeats")
        #expect(policy.offsetSyncsTopic(clusterAlias: "backup") == "mm2-offset-syncs_backup_internal")
        #expect(policy.checkpointsTopic(clusterAlias: "primary") == "primary_checkpoints_internal")
        #expect(policy.isCheckpointsTopic("primary_checkpoints_internal"))
        #expect(policy.isInternalTopic("mm2-offset-syncs_backup_internal"))
    }
}

@Suite struct ReplicationPoliciesTests {
    @Test(arguments: [
        "org.apache.kafka.connect.mirror.DefaultReplicationPolicy",
        "DefaultReplicationPolicy",
        "  org.apache.kafka.connect.mirror.DefaultReplicationPolicy\n",
    ])
    func makesDefaultPolicy(className: String) throws {
        let policy = try ReplicationPolicies.make(className: className, config: ["replication.policy.separator": "-"])
        #expect(policy as? DefaultReplicationPolicy == DefaultReplicationPolicy(separator: "-"))
    }

    @Test(arguments: ["org.apache.kafka.connect.mirror.IdentityReplicationPolicy", "IdentityReplicationPolicy"])
    func makesIdentityPolicy(className: String) throws {
        let policy = try ReplicationPolicies.make(className: className, config: ["source.cluster.alias": "primary"])
        #expect(policy as? IdentityReplicationPolicy == IdentityReplicationPolicy(sourceClusterAlias: "primary"))
        #expect(policy.topicSource("orders") == "primary")
    }

    @Test func readsTheClassFromConfigWithDefault() throws {
        #expect(try ReplicationPolicies.make(config: [:]) is DefaultReplicationPolicy)
        #expect(try ReplicationPolicies.make(config: ["replication.policy.class": "IdentityReplicationPolicy"])
            is IdentityReplicationPolicy)
    }

    @Test func unknownClassIsAClearError() {
        let error = #expect(throws: MirrorClientError.self) {
            try ReplicationPolicies.make(className: "com.example.CustomReplicationPolicy", config: [:])
        }
        #expect(error?.code == .unknownReplicationPolicy)
        #expect(error?.message.contains("com.example.CustomReplicationPolicy") == true)
        #expect(error?.message.contains("org.apache.kafka.connect.mirror.IdentityReplicationPolicy") == true)
        #expect(throws: MirrorClientError.self) {
            try ReplicationPolicies.make(className: "org.apache.kafka.connect.mirror.LegacyReplicationPolicy", config: [:])
        }
    }

    @Test func configErrorsPropagate() {
        let error = #expect(throws: MirrorClientError.self) {
            try ReplicationPolicies.make(config: [
                "replication.policy.class": "IdentityReplicationPolicy",
                "replication.policy.internal.topic.separator.enabled": "maybe",
            ])
        }
        #expect(error?.code == .invalidConfig)
    }
}
