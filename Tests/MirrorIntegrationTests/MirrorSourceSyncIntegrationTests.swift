import ConnectAPI
import Foundation
import InMemoryLogging
import Kafka
import KafkaProtocol
import KafkaTestSupport
import Logging
import MirrorSourceConnector
import Testing

/// MirrorSourceConnector's periodic work against two real brokers: topic config sync with
/// `use.defaults.from`, ACL sync on brokers without an authorizer (noida-db has none, so ACLs
/// themselves cannot be synced here), and remote topics the target cannot create.
@Suite("MirrorSource config, ACL and topic sync against two brokers", .serialized)
struct MirrorSourceSyncIntegrationTests {
    /// Runs `connector.run()` while `body` runs, then cancels it and stops the connector.
    /// - Returns: whether `run()` was still running when `body` ended (it must not end by itself).
    @discardableResult
    static func whileRunning(_ connector: MirrorSourceConnector, _ body: () async throws -> Void) async throws -> Bool {
        let (result, outcome) = await withTaskGroup(of: (any Error)?.self) { group -> (Result<Void, any Error>, (any Error)?) in
            group.addTask { await Self.runError(connector) }
            let result = await Result { try await body() }
            group.cancelAll()
            return (result, await group.next() ?? nil)
        }
        await connector.stop()
        try result.get()
        if let outcome, !(outcome is CancellationError) {
            Issue.record("run() failed: \(outcome)")
        }
        // Only cancellation ends a healthy run().
        return outcome is CancellationError
    }

    /// Runs `connector.run()` to its end; returns the error it ended with, or nil.
    static func runError(_ connector: MirrorSourceConnector) async -> (any Error)? {
        do {
            try await connector.run()
            return nil
        } catch {
            return error
        }
    }

    /// Topic config properties of `topic` on `clients`' cluster, with whether each is a topic-level
    /// (dynamic) value.
    static func describedConfig(_ clients: MirrorSourceClients, _ topic: String) async throws -> [String: (value: String?, dynamic: Bool)] {
        let admin = try clients.admin()
        let result = await Result { try await admin.describeConfigs([.topic(topic)]) }
        await admin.close()
        var entries: [String: (value: String?, dynamic: Bool)] = [:]
        for entry in try result.get()[.topic(topic)] ?? [] {
            entries[entry.name] = (entry.value, entry.source == .dynamicTopicConfig)
        }
        return entries
    }

    static func alterTopicConfig(_ clients: MirrorSourceClients, _ topic: String, _ configs: [String: String]) async throws {
        let admin = try clients.admin()
        let result = await Result { try await admin.alterConfigs([.topic(topic): configs]) }
        await admin.close()
        let failures = try result.get()
        #expect(failures.isEmpty, "altering \(topic): \(failures)")
    }

    static let syncEverySecond = [
        "sync.topic.configs.enabled": "true", "sync.topic.configs.interval.seconds": "1",
        // min.insync.replicas is excluded by default; also exclude delete.retention.ms, as Apache's test does.
        "config.properties.exclude": "min\\.insync\\.replicas, delete\\.retention\\.ms",
    ]

    /// Apache's testReplicateSourceDefault: with `use.defaults.from=source`, a property the source
    /// topic leaves at its default is set on the remote topic to the source's value, replacing
    /// a value set on the target; excluded properties set on the target are not touched.
    @Test func useDefaultsFromSourceCopiesSourceDefaults() async throws {
        try await withKafkaTestClusters(count: 2) { clusters in
            let source = MirrorSourceClients(bootstrapServers: clusters[0].bootstrapServers)
            let target = MirrorSourceClients(bootstrapServers: clusters[1].bootstrapServers)
            try await source.createTopic("orders", partitions: 1)
            let sourceConfig = try await Self.describedConfig(source, "orders")
            let sourceDefault = try #require(sourceConfig["retention.bytes"])
            #expect(!sourceDefault.dynamic, "the source topic leaves retention.bytes at its default")
            let defaultValue = try #require(sourceDefault.value)

            let connector = MirrorSourceConnector()
            try await connector.start(mirrorSourceProps(source: clusters[0], target: clusters[1],
                                                        Self.syncEverySecond.merging(["use.defaults.from": "source"]) { $1 }),
                                      context: MirrorSourceTestConnectorContext())
            // Created with the source's defaults as explicit values.
            let created = try await target.dynamicConfig("primary.orders")
            #expect(created["retention.bytes"] == defaultValue, "\(created)")
            #expect(created["min.insync.replicas"] == nil && created["delete.retention.ms"] == nil, "excluded: \(created)")

            // Someone changes the remote topic; sync puts the source's default back, except for excluded properties.
            try await Self.alterTopicConfig(target, "primary.orders", created.merging([
                "retention.bytes": "2000", "delete.retention.ms": "2000", "min.insync.replicas": "1",
            ]) { $1 })
            try await Self.whileRunning(connector) {
                try await mirrorSourceEventually("retention.bytes back to the source default") {
                    try await target.dynamicConfig("primary.orders")["retention.bytes"] == defaultValue
                }
                try await Task.sleep(for: .seconds(2)) // two more sync rounds
            }
            let synced = try await Self.describedConfig(target, "primary.orders")
            #expect(synced["retention.bytes"]?.value == defaultValue && synced["retention.bytes"]?.dynamic == true)
            #expect(synced["delete.retention.ms"]?.value == "2000" && synced["delete.retention.ms"]?.dynamic == true,
                    "an excluded property set on the target is kept")
            #expect(synced["min.insync.replicas"]?.value == "1" && synced["min.insync.replicas"]?.dynamic == true,
                    "min.insync.replicas set on the target is kept")
        }
    }

    /// Apache's testReplicateTargetDefault: with `use.defaults.from=target` (the default), only
    /// properties set on the source topic are copied; when the source drops one, the remote
    /// topic goes back to the target's default, and a source-default property set on the target
    /// is reset too. Excluded properties set on the target are kept.
    @Test func useDefaultsFromTargetLeavesSourceDefaultsToTheTarget() async throws {
        try await withKafkaTestClusters(count: 2) { clusters in
            let source = MirrorSourceClients(bootstrapServers: clusters[0].bootstrapServers)
            let target = MirrorSourceClients(bootstrapServers: clusters[1].bootstrapServers)
            try await source.createTopic("orders", partitions: 1, configs: ["retention.bytes": "1000"])

            let connector = MirrorSourceConnector()
            try await connector.start(mirrorSourceProps(source: clusters[0], target: clusters[1], Self.syncEverySecond),
                                      context: MirrorSourceTestConnectorContext())
            #expect(try await target.dynamicConfig("primary.orders") == ["retention.bytes": "1000"],
                    "only what the source topic sets is copied")

            try await Self.alterTopicConfig(target, "primary.orders", [
                "retention.bytes": "1000", "retention.ms": "3600000", "min.insync.replicas": "1",
            ])
            try await Self.alterTopicConfig(source, "orders", [:])
            let stillRunning = try await Self.whileRunning(connector) {
                try await mirrorSourceEventually("the remote topic back to the target's defaults") {
                    try await target.dynamicConfig("primary.orders") == ["min.insync.replicas": "1"]
                }
                try await Task.sleep(for: .seconds(2))
            }
            #expect(stillRunning)
            let synced = try await Self.describedConfig(target, "primary.orders")
            #expect(synced["retention.bytes"]?.dynamic == false, "retention.bytes is the target's default again")
            #expect(synced["retention.ms"]?.dynamic == false, "a source default is not kept as a target override")
            #expect(synced["min.insync.replicas"]?.value == "1" && synced["min.insync.replicas"]?.dynamic == true)
        }
    }

    /// noida-db has no ACL authorizer: DescribeAcls answers SECURITY_DISABLED, which librdkafka
    /// (2.0.2 and later) turns into an empty list, and its brokers do not report
    /// `authorizer.class.name`. The ACL sync finds nothing to copy, round after round, and the
    /// connector keeps running and replicating, without errors.
    @Test func aclSyncWithoutAnAuthorizerKeepsRunning() async throws {
        try await withKafkaTestClusters(count: 2) { clusters in
            let source = MirrorSourceClients(bootstrapServers: clusters[0].bootstrapServers)
            let target = MirrorSourceClients(bootstrapServers: clusters[1].bootstrapServers)
            try await source.createTopic("orders", partitions: 2)
            let logs = InMemoryLogHandler()
            var logger = Logger(label: "MirrorSourceConnector") { _ in logs }
            logger.logLevel = .debug
            let connector = MirrorSourceConnector(logger: logger)
            try await connector.start(mirrorSourceProps(source: clusters[0], target: clusters[1], [
                "sync.topic.acls.enabled": "true", "sync.topic.acls.interval.seconds": "1",
                "refresh.topics.enabled": "true", "refresh.topics.interval.seconds": "1",
            ]), context: MirrorSourceTestConnectorContext())
            let rounds = { logs.entries.filter { "\($0.message)" == "Syncing topic ACLs" } }

            let stillRunning = try await Self.whileRunning(connector) {
                do {
                    try await mirrorSourceEventually("three ACL sync rounds") { rounds().count >= 3 }
                } catch {
                    throw MirrorSourceTestError("\(error); logged: \(logs.entries.map { "\($0.level) \($0.message) \($0.metadata)" })")
                }
                // Replication work goes on: a new topic is still picked up.
                try await source.createTopic("payments", partitions: 1)
                try await mirrorSourceEventually("the new topic on the target") {
                    try await target.partitionCount("primary.payments") == 1
                }
            }
            #expect(stillRunning, "run() ended")
            #expect(rounds().allSatisfy { $0.metadata["source.bindings"] == "0" && $0.metadata["target.bindings"] == "0" }, "\(rounds())")
            // The broker does not say it has no authorizer, so there is nothing to tell the operator.
            #expect(logs.entries.filter { "\($0.message)".contains("authorizer.class.name") }.count == 1, "asked the brokers once")
            #expect(!logs.entries.contains { "\($0.message)".hasPrefix("No ACL authorizer") })
            #expect(!logs.entries.contains { $0.level >= .warning }, "\(logs.entries.filter { $0.level >= .warning })")
        }
    }

    /// `replication.factor` larger than the target's broker count: the broker refuses the remote
    /// topics (INVALID_REPLICATION_FACTOR). The connector fails with the reason, at start for
    /// topics it knows then, and from `run()` for topics that appear later.
    @Test func remoteTopicsTheTargetCannotHoldFailTheConnector() async throws {
        try await withKafkaTestClusters(count: 2) { clusters in
            let source = MirrorSourceClients(bootstrapServers: clusters[0].bootstrapServers)
            let target = MirrorSourceClients(bootstrapServers: clusters[1].bootstrapServers)
            let props = mirrorSourceProps(source: clusters[0], target: clusters[1], [
                "replication.factor": "2", "refresh.topics.enabled": "true", "refresh.topics.interval.seconds": "1",
            ])

            // No source topic yet: start succeeds; the first topic fails run().
            let connector = MirrorSourceConnector()
            try await connector.start(props, context: MirrorSourceTestConnectorContext())
            let failure: (any Error)? = await withTaskGroup(of: (any Error)?.self) { group in
                group.addTask { await Self.runError(connector) }
                group.addTask {
                    try? await source.createTopic("orders", partitions: 2)
                    try? await Task.sleep(for: .seconds(30))
                    return MirrorSourceTestError("run() did not fail within 30 s")
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first
            }
            await connector.stop()
            let runError = "\(failure.map { "\($0)" } ?? "run() returned")"
            #expect(runError.contains("could not create remote topics [primary.orders] on target cluster 'backup' with replication.factor=2"), "\(runError)")
            #expect(runError.contains("replication factor"), "the broker's reason: \(runError)")
            #expect(try await target.partitionCount("primary.orders") == nil)

            // The topic exists now: start itself fails.
            let restarted = MirrorSourceConnector()
            let startError = await #expect(throws: ConnectError.self) {
                try await restarted.start(props, context: MirrorSourceTestConnectorContext())
            }
            #expect(startError?.message.contains("[primary.orders]") == true, "\(String(describing: startError))")
            await restarted.stop()
        }
    }
}
