import ConnectAPI
import Testing

@testable import ConnectRuntime

/// What a connector config may ask for: the client override policy (KIP-458), `tasks.max`
/// enforcement (KIP-1004), and the settings this runtime refuses instead of ignoring.
@Suite struct ConnectorConfigLimitsTests {
    // MARK: connector.client.config.override.policy

    @Test(arguments: [
        ("All", ConnectorClientConfigOverridePolicy.all),
        ("None", .none),
        ("Principal", .principal),
        ("PrincipalConnectorClientConfigOverridePolicy", .principal),
        ("org.apache.kafka.connect.connector.policy.NoneConnectorClientConfigOverridePolicy", .none),
        (" All ", .all),
    ])
    func policiesAreNamedLikeApachesPlugins(_ name: String, _ expected: ConnectorClientConfigOverridePolicy) {
        #expect(ConnectorClientConfigOverridePolicy(configValue: name) == expected)
    }

    @Test func unknownPoliciesAreRefused() {
        #expect(ConnectorClientConfigOverridePolicy(configValue: "all") == nil)
        #expect(ConnectorClientConfigOverridePolicy(configValue: "com.example.MyPolicy") == nil)
        var properties = DistributedConfigTests.minimal
        properties["connector.client.config.override.policy"] = "Everything"
        #expect {
            try DistributedConfig(properties)
        } throws: { error in
            "\(error)".contains("Invalid value Everything for configuration connector.client.config.override.policy: must be All, None or Principal")
        }
        properties["connector.client.config.override.policy"] = "org.apache.kafka.connect.connector.policy.PrincipalConnectorClientConfigOverridePolicy"
        #expect((try? DistributedConfig(properties))?.connectorClientConfigOverridePolicy == .principal)
        #expect((try? DistributedConfig(DistributedConfigTests.minimal))?.connectorClientConfigOverridePolicy == .all)
    }

    static let overrides: [String: String] = [
        "connector.class": "X", "name": "c",
        "producer.override.linger.ms": "5", "producer.override.sasl.mechanism": "PLAIN",
        "producer.override.security.protocol": "SASL_SSL", "consumer.override.fetch.min.bytes": "1",
        "admin.override.sasl.jaas.config": "x",
    ]

    @Test func allAllowsEveryOverride() throws {
        let values = ConnectorClientConfigOverridePolicy.all.validate(Self.overrides, client: .producer)
        #expect(values.map(\.name) == ["producer.override.linger.ms", "producer.override.sasl.mechanism", "producer.override.security.protocol"])
        #expect(values.errorCount == 0)
        #expect(try ConnectorClientConfigOverridePolicy.all.overrides(Self.overrides, client: .consumer) == ["fetch.min.bytes": "1"])
    }

    @Test func noneAllowsNoOverride() throws {
        let values = ConnectorClientConfigOverridePolicy.none.validate(Self.overrides, client: .consumer)
        #expect(values.map(\.name) == ["consumer.override.fetch.min.bytes"])
        #expect(values.first?.errors == ["The 'None' policy does not allow 'fetch.min.bytes' to be overridden in the connector configuration."])
        #expect(throws: ConnectError.self) { try ConnectorClientConfigOverridePolicy.none.overrides(Self.overrides, client: .consumer) }
        // A connector without overrides is fine under any policy.
        #expect(try ConnectorClientConfigOverridePolicy.none.overrides(["connector.class": "X"], client: .producer).isEmpty)
    }

    @Test func principalAllowsOnlyWhoTheClientIs() throws {
        let producer = ConnectorClientConfigOverridePolicy.principal.validate(Self.overrides, client: .producer)
        #expect(producer.filter { !$0.errors.isEmpty }.map(\.name) == ["producer.override.linger.ms"])
        #expect(producer.first { $0.name == "producer.override.linger.ms" }?.errors
            == ["The 'Principal' policy does not allow 'linger.ms' to be overridden in the connector configuration."])
        #expect(ConnectorClientConfigOverridePolicy.principal.validate(Self.overrides, client: .admin).errorCount == 0)
        var allowed = Self.overrides
        allowed["producer.override.linger.ms"] = nil
        #expect(try ConnectorClientConfigOverridePolicy.principal.overrides(allowed, client: .producer)
            == ["sasl.mechanism": "PLAIN", "security.protocol": "SASL_SSL"])
    }

    // MARK: tasks.max.enforce

    @Test func tooManyTasksFailOnlyWhenEnforced() throws {
        let config = ["tasks.max": "2"]
        #expect(try TooManyTasksError.check("c", taskCount: 2, connectorConfig: config) == false)
        #expect(throws: TooManyTasksError(connector: "c", taskCount: 3, maxTasks: 2)) {
            try TooManyTasksError.check("c", taskCount: 3, connectorConfig: config)
        }
        #expect(try TooManyTasksError.check("c", taskCount: 3, connectorConfig: config.merging(["tasks.max.enforce": "false"]) { _, b in b }))
        // tasks.max defaults to 1.
        #expect(throws: TooManyTasksError.self) { try TooManyTasksError.check("c", taskCount: 2, connectorConfig: [:]) }
        #expect(TooManyTasksError(connector: "c", taskCount: 3, maxTasks: 2).description
            .hasPrefix("The connector c has generated 3 tasks, which is greater than 2, the maximum number of tasks it is configured to create."))
    }

    // MARK: Settings this runtime refuses

    static func problems(_ extra: [String: String], sink: Bool = false) -> [String] {
        var config = ["name": "c", "connector.class": "X"]
        config.merge(extra) { _, new in new }
        let definition = sink ? ConnectorConfig.configDef.merging(DistributedHerder.sinkConfigDef) : ConnectorConfig.configDef
        return UnsupportedConnectorSettings.problems(config, isSink: sink, definition: definition)
    }

    @Test func defaultsAskForNothingUnsupported() {
        #expect(Self.problems([:]).isEmpty)
        #expect(Self.problems(["topics": "a"], sink: true).isEmpty)
        // Written out with their default values, the settings are fine too.
        #expect(Self.problems([
            "transforms": "", "predicates": "", "errors.tolerance": "none", "errors.retry.timeout": "0",
            "errors.retry.delay.max.ms": "60000", "errors.log.enable": "false", "errors.log.include.messages": "false",
            "offsets.storage.topic": "",
        ]).isEmpty)
        #expect(Self.problems([
            "topics": "a", "errors.deadletterqueue.topic.name": "", "errors.deadletterqueue.topic.replication.factor": "3",
            "errors.deadletterqueue.context.headers.enable": "false",
        ], sink: true).isEmpty)
        // Apache ignores a dead letter queue of a source connector, and so do we.
        #expect(Self.problems(["errors.deadletterqueue.topic.name": "dlq"]).isEmpty)
    }

    @Test(arguments: [
        (["transforms": "route"], false, "Transformations (single message transforms) are not supported by this runtime; 'transforms' must be empty"),
        (["predicates": "isFoo"], false, "Predicates are not supported by this runtime; 'predicates' must be empty"),
        (["errors.tolerance": "all"], false, "'errors.tolerance' must be none"),
        (["errors.retry.timeout": "-1"], false, "'errors.retry.timeout' must be 0"),
        (["errors.retry.delay.max.ms": "1000"], false, "'errors.retry.delay.max.ms' must be 60000"),
        (["errors.log.enable": "true"], false, "'errors.log.enable' must be false"),
        (["errors.log.include.messages": "true"], false, "'errors.log.include.messages' must be false"),
        (["topics": "a", "errors.deadletterqueue.topic.name": "dlq"], true, "'errors.deadletterqueue.topic.name' must be empty"),
        (["topic.creation.default.partitions": "3"], false, "Topic creation for source connectors (KIP-158) is not supported by this runtime; create the topics beforehand and remove 'topic.creation.default.partitions'"),
        (["offsets.storage.topic": "my-offsets"], false, "Connector-specific offsets topics are not supported by this runtime"),
    ])
    func unsupportedSettingsAreErrors(_ extra: [String: String], _ sink: Bool, _ expected: String) {
        let problems = Self.problems(extra, sink: sink)
        #expect(problems.count == 1, "\(problems)")
        #expect(problems.first?.contains(expected) == true, "\(problems)")
    }

    @Test func errorsNameThePropertyInValidateResults() {
        var values = ConnectorConfig.configDef.validate(["name": "c", "connector.class": "X", "transforms": "a,b"])
        UnsupportedConnectorSettings.check(["name": "c", "connector.class": "X", "transforms": "a,b"], isSink: false,
                                           definition: ConnectorConfig.configDef, values: &values)
        #expect(values.first { $0.name == "transforms" }?.errors.count == 1)
        #expect(values.errorCount == 1)
    }
}
