import Foundation
import Kafka
import KafkaTestSupport
import MirrorClient
import Testing

/// The three MirrorMaker 2 connectors in `connect-worker`, created through REST with Apache
/// Kafka's connector JSON, replicating between two real clusters.
@Suite(.serialized, .timeLimit(.minutes(4))) struct MirrorEndToEndTests {
    /// Active-passive with DefaultReplicationPolicy: records, topic config, new topics and
    /// partitions, heartbeats both ways, offset syncs and checkpoints.
    @Test func activePassiveReplicatesRecordsTopicsAndMetadata() async throws {
        try await withMirrorWorkers { clusters, workers in
            try await createTopic(clusters.primary, "orders", partitions: 3, configs: ["cleanup.policy": "compact"])
            let sent = sampleRecords("orders", prefix: "order", count: 60, partitions: 3)
            try await produce(clusters.primary, sent)
            try await commitGroupOffsets(clusters.primary, group: "billing", [
                TopicPartition(topic: "orders", partition: 0): 5, TopicPartition(topic: "orders", partition: 1): 20,
            ])

            let worker = try await workers.backup.start()
            try await startConnector(worker, "mm2-source", mirrorConfig(mirrorSourceClass, from: "primary", to: "backup", clusters: clusters))
            try await startConnector(worker, "mm2-checkpoint", mirrorConfig(mirrorCheckpointClass, from: "primary", to: "backup", clusters: clusters))
            try await startConnector(worker, "mm2-heartbeat", mirrorConfig(mirrorHeartbeatClass, from: "primary", to: "backup", clusters: clusters), tasks: 1)
            // The reverse flow's heartbeats land on primary and come back as primary.heartbeats.
            let reverse = try await workers.primary.start()
            try await startConnector(reverse, "mm2-heartbeat-reverse", mirrorConfig(mirrorHeartbeatClass, from: "backup", to: "primary", clusters: clusters), tasks: 1)

            // Records: same partitions, keys, values, headers and timestamps, in order.
            try await waitForRecords(clusters.backup, "primary.orders", atLeast: 60)
            let copied = try await readTopic(clusters.backup, "primary.orders")
            let original = try await readTopic(clusters.primary, "orders")
            #expect(Set(original.map(MirroredRecord.init)) == Set(sent.map { record in
                MirroredRecord(ConsumerRecord(
                    topic: "orders", partition: record.partition ?? -1, offset: 0, key: record.key, value: record.value,
                    headers: record.headers, timestamp: record.timestamp ?? -1, timestampType: .createTime))
            }), "the source topic holds what was sent")
            for partition in Int32(0)..<3 {
                let expected = original.filter { $0.partition == partition }.sorted { $0.offset < $1.offset }.map(MirroredRecord.init)
                let actual = copied.filter { $0.partition == partition }.sorted { $0.offset < $1.offset }.map(MirroredRecord.init)
                #expect(actual == expected, "partition \(partition): same records in the same order")
            }
            #expect(try await partitionCount(clusters.backup, "primary.orders") == 3)
            #expect(try await topicConfig(clusters.backup, "primary.orders", "cleanup.policy") == "compact")

            // A new topic and new partitions are picked up by the periodic refresh.
            try await createTopic(clusters.primary, "payments", partitions: 2)
            try await produce(clusters.primary, sampleRecords("payments", prefix: "payment", count: 10, partitions: 2))
            try await waitForRecords(clusters.backup, "primary.payments", atLeast: 10)
            #expect(try await partitionCount(clusters.backup, "primary.payments") == 2)
            let admin = try KafkaAdminClient(configuration: ["bootstrap.servers": clusters.primary.bootstrapServers])
            let grown = try await admin.createPartitions(["orders": 5], timeout: .seconds(10))
            await admin.close()
            #expect(grown.isEmpty, "\(grown)")
            try await produce(clusters.primary, sampleRecords("orders", prefix: "late", count: 4, partitions: 2, firstPartition: 3))
            try await waitForRecords(clusters.backup, "primary.orders", atLeast: 64)
            #expect(try await partitionCount(clusters.backup, "primary.orders") == 5)
            let late = try await readTopic(clusters.backup, "primary.orders").filter { $0.partition >= 3 }
            #expect(Set(values(late)) == ["late-0", "late-1", "late-2", "late-3"])

            // Heartbeats: local on backup, and primary's (written by the reverse flow) replicated.
            try await waitForRecords(clusters.backup, "heartbeats", atLeast: 2)
            try await waitForRecords(clusters.backup, "primary.heartbeats", atLeast: 1)
            for (topic, source, target) in [("heartbeats", "primary", "backup"), ("primary.heartbeats", "backup", "primary")] {
                let records = try await readTopic(clusters.backup, topic)
                #expect(!records.isEmpty, "\(topic)")
                for record in records {
                    let heartbeat = try Heartbeat.decode(key: record.key ?? [], value: record.value ?? [])
                    #expect(heartbeat.sourceClusterAlias == source && heartbeat.targetClusterAlias == target, "\(topic): \(heartbeat)")
                    #expect(record.key == (try heartbeat.encodeKey()) && record.value == heartbeat.encodeValue(), "byte-exact \(topic)")
                    #expect(record.partition == 0)
                }
            }

            // Offset syncs on the source cluster, checkpoints on the target.
            let syncs = try await readTopic(clusters.primary, "mm2-offset-syncs.backup.internal").map { record in
                try OffsetSync.decode(key: record.key ?? [], value: record.value ?? [])
            }
            #expect(Set(syncs.map(\.topicPartition.topic)).isSuperset(of: ["orders", "payments"]), "\(syncs)")
            #expect(syncs.allSatisfy { $0.upstreamOffset == $0.downstreamOffset }, "a fresh topic keeps offsets: \(syncs)")
            let checkpoints: [Checkpoint] = try await eventually("checkpoints for billing", timeout: .seconds(60)) {
                let found = try await readCheckpoints(clusters.backup, "primary.checkpoints.internal").filter { $0.consumerGroupId == "billing" }
                return Set(found.map(\.topicPartition.partition)) == [0, 1] ? .done(found) : .notYet("\(found)")
            }
            for checkpoint in checkpoints {
                #expect(checkpoint.topicPartition.topic == "primary.orders")
                let upstream: Int64 = checkpoint.topicPartition.partition == 0 ? 5 : 20
                #expect(checkpoint.upstreamOffset == upstream, "\(checkpoint)")
                #expect(checkpoint.downstreamOffset <= upstream && checkpoint.downstreamOffset > 0, "\(checkpoint)")
            }
            for (owner, name) in [(worker, "mm2-source"), (worker, "mm2-checkpoint"), (worker, "mm2-heartbeat"), (reverse, "mm2-heartbeat-reverse")] {
                let status = try await owner.status(name)
                #expect(status?.state == "RUNNING" && status?.tasks.allSatisfy { $0.state == "RUNNING" } == true, "\(status?.raw ?? name)")
            }
        }
    }

    /// Translated offsets never skip a record and re-read at most `offset.lag.max`; the synced
    /// target group follows forward moves only.
    @Test func offsetTranslationAndGroupOffsetSync() async throws {
        try await withMirrorWorkers { clusters, workers in
            let lagMax: Int64 = 50
            try await createTopic(clusters.primary, "ledger", partitions: 2)
            let perPartition = 600
            let records = (0..<(2 * perPartition)).map { i in
                ProducerRecord(topic: "ledger", partition: Int32(i % 2), key: nil,
                               value: Array("p\(i % 2)-\(i / 2)".utf8))
            }
            try await produce(clusters.primary, records)
            let p0 = TopicPartition(topic: "ledger", partition: 0)
            let p1 = TopicPartition(topic: "ledger", partition: 1)
            let remote0 = TopicPartition(topic: "primary.ledger", partition: 0)
            let remote1 = TopicPartition(topic: "primary.ledger", partition: 1)
            try await commitGroupOffsets(clusters.primary, group: "app", [p0: 275, p1: 600])

            let worker = try await workers.backup.start()
            try await startConnector(worker, "mm2-source", mirrorConfig(
                mirrorSourceClass, from: "primary", to: "backup", clusters: clusters, extra: ["offset.lag.max": String(lagMax)]))
            try await startConnector(worker, "mm2-checkpoint", mirrorConfig(
                mirrorCheckpointClass, from: "primary", to: "backup", clusters: clusters,
                extra: ["sync.group.offsets.enabled": "true", "sync.group.offsets.interval.seconds": "1"]))
            try await waitForRecords(clusters.backup, "primary.ledger", atLeast: Int64(2 * perPartition))

            // The target group gets the translated offsets. Translation sharpens as the
            // checkpoint task reads more offset syncs; once caught up, it must be within
            // offset.lag.max of the group's position, and at no time past it.
            let expectedUpstream: [TopicPartition: Int64] = [remote0: 275, remote1: 600]
            let synced: [TopicPartition: Int64] = try await eventually("group app synced on backup within offset.lag.max", timeout: .seconds(60)) {
                let offsets = try await groupOffsets(clusters.backup, group: "app")
                for (remote, upstream) in expectedUpstream {
                    guard let translated = offsets[remote] else { return .notYet("\(offsets)") }
                    #expect(translated <= upstream, "\(remote): \(translated) would skip records before \(upstream)")
                    if upstream - translated > lagMax { return .notYet("\(offsets)") }
                }
                return .done(offsets)
            }
            // The checkpoints say the same.
            let checkpoints = try await readCheckpoints(clusters.backup, "primary.checkpoints.internal").filter { $0.consumerGroupId == "app" }
            let newest = Dictionary(checkpoints.map { ($0.topicPartition, $0.downstreamOffset) }) { _, last in last }
            #expect(newest[remote0] == synced[remote0] && newest[remote1] == synced[remote1], "\(checkpoints)")

            // A consumer failing over to backup sees every record the group had not consumed,
            // plus at most offset.lag.max already-consumed ones.
            let resumed = try await readTopic(clusters.backup, "primary.ledger", from: synced)
            let seen = Set(values(resumed))
            let unconsumed = (275..<perPartition).map { "p0-\($0)" }
            #expect(Set(unconsumed).isSubset(of: seen), "failover skipped records")
            #expect(resumed.count - unconsumed.count <= Int(2 * lagMax))

            // The source group moves forward: the target group follows.
            try await commitGroupOffsets(clusters.primary, group: "app", [p0: 500])
            let forward: Int64 = try await eventually("group app moved forward on backup", timeout: .seconds(60)) {
                let offset = try await groupOffsets(clusters.backup, group: "app")[remote0] ?? -1
                return offset > synced[remote0]! ? .done(offset) : .notYet("\(offset)")
            }
            #expect(forward <= 500 && 500 - forward <= lagMax, "\(forward)")
            // It moves back (a rewind): a checkpoint says so, but the target group never goes back.
            try await commitGroupOffsets(clusters.primary, group: "app", [p0: 100])
            try await eventually("rewind checkpoint", timeout: .seconds(60)) {
                try await readCheckpoints(clusters.backup, "primary.checkpoints.internal")
                    .contains { $0.consumerGroupId == "app" && $0.topicPartition == remote0 && $0.upstreamOffset == 100 }
            }
            try await Task.sleep(for: .seconds(3))
            #expect(try await groupOffsets(clusters.backup, group: "app")[remote0] == forward)
        }
    }

    /// Both directions at once: each side's records arrive once, nothing is replicated back.
    @Test func activeActiveHasNoCycles() async throws {
        try await withMirrorWorkers { clusters, workers in
            try await createTopic(clusters.primary, "orders", partitions: 2)
            try await createTopic(clusters.backup, "orders", partitions: 2)
            try await produce(clusters.primary, sampleRecords("orders", prefix: "from-primary", count: 40, partitions: 2))
            try await produce(clusters.backup, sampleRecords("orders", prefix: "from-backup", count: 30, partitions: 2))

            let worker = try await workers.backup.start()
            try await startConnector(worker, "primary-to-backup", mirrorConfig(mirrorSourceClass, from: "primary", to: "backup", clusters: clusters))
            try await startConnector(worker, "heartbeat-primary-backup", mirrorConfig(mirrorHeartbeatClass, from: "primary", to: "backup", clusters: clusters), tasks: 1)
            let reverse = try await workers.primary.start()
            try await startConnector(reverse, "backup-to-primary", mirrorConfig(mirrorSourceClass, from: "backup", to: "primary", clusters: clusters))
            try await startConnector(reverse, "heartbeat-backup-primary", mirrorConfig(mirrorHeartbeatClass, from: "backup", to: "primary", clusters: clusters), tasks: 1)

            try await waitForRecords(clusters.backup, "primary.orders", atLeast: 40)
            try await waitForRecords(clusters.primary, "backup.orders", atLeast: 30)
            try await waitForRecords(clusters.backup, "primary.heartbeats", atLeast: 1)
            try await waitForRecords(clusters.primary, "backup.heartbeats", atLeast: 1)
            // Several refresh rounds later: still exactly once, and no topic came back.
            try await Task.sleep(for: .seconds(6))
            #expect(try await recordCount(clusters.backup, "primary.orders") == 40)
            #expect(try await recordCount(clusters.primary, "backup.orders") == 30)
            #expect(Set(values(try await readTopic(clusters.backup, "primary.orders"))).count == 40)
            #expect(values(try await readTopic(clusters.backup, "primary.orders")).allSatisfy { $0.hasPrefix("from-primary") })
            for (cluster, name) in [(clusters.primary, "primary"), (clusters.backup, "backup")] {
                let cyclic = try await topicNames(cluster).filter { $0.hasPrefix("primary.backup.") || $0.hasPrefix("backup.primary.") }
                #expect(cyclic.isEmpty, "\(name) has cyclic topics \(cyclic)")
            }
        }
    }

    /// IdentityReplicationPolicy keeps topic names; only heartbeats are renamed.
    @Test func identityReplicationPolicyKeepsNames() async throws {
        try await withMirrorWorkers { clusters, workers in
            try await createTopic(clusters.primary, "events", partitions: 2)
            try await produce(clusters.primary, sampleRecords("events", prefix: "event", count: 25, partitions: 2))
            let identity = ["replication.policy.class": "org.apache.kafka.connect.mirror.IdentityReplicationPolicy"]
            let worker = try await workers.backup.start()
            try await startConnector(worker, "mm2-source", mirrorConfig(mirrorSourceClass, from: "primary", to: "backup", clusters: clusters, extra: identity))
            let reverse = try await workers.primary.start()
            try await startConnector(reverse, "heartbeat-reverse", mirrorConfig(mirrorHeartbeatClass, from: "backup", to: "primary", clusters: clusters, extra: identity), tasks: 1)
            try await waitForRecords(clusters.backup, "events", atLeast: 25)
            try await waitForRecords(clusters.backup, "primary.heartbeats", atLeast: 1)
            try await Task.sleep(for: .seconds(5))
            #expect(try await recordCount(clusters.backup, "events") == 25)
            #expect(Set(values(try await readTopic(clusters.backup, "events"))) == Set((0..<25).map { "event-\($0)" }))
            #expect(!(try await topicNames(clusters.backup)).contains("primary.events"))
        }
    }

    /// A worker stopped and replaced mid-stream: nothing is lost, and the new worker resumes
    /// from the stored source offsets instead of copying everything again.
    @Test func restartMidStreamLosesNothing() async throws {
        try await withMirrorWorkers { clusters, workers in
            try await createTopic(clusters.primary, "stream", partitions: 2)
            try await produce(clusters.primary, sampleRecords("stream", prefix: "s", count: 300, partitions: 2))
            let first = try await workers.backup.start()
            try await startConnector(first, "mm2-source", mirrorConfig(mirrorSourceClass, from: "primary", to: "backup", clusters: clusters))
            try await waitForRecords(clusters.backup, "primary.stream", atLeast: 300)
            try await Task.sleep(for: .seconds(2)) // an offset flush (offset.flush.interval.ms=1000)

            // More records arrive while no worker runs.
            try await produce(clusters.primary, Array(sampleRecords("stream", prefix: "s", count: 600, partitions: 2)[300...]))
            #expect(await first.terminate())
            try await produce(clusters.primary, (600..<800).map { i in
                ProducerRecord(topic: "stream", partition: Int32(i % 2), key: nil, value: Array("s-\(i)".utf8))
            })
            let second = try await workers.backup.start()
            try await second.waitForStatus("mm2-source", timeout: .seconds(60), "RUNNING again") { $0.state == "RUNNING" && !$0.tasks.isEmpty && $0.tasks.allSatisfy { $0.state == "RUNNING" } }
            try await waitForRecords(clusters.backup, "primary.stream", atLeast: 800)
            let copied = values(try await readTopic(clusters.backup, "primary.stream"))
            #expect(Set(copied) == Set((0..<800).map { "s-\($0)" }), "lost records")
            // At-least-once: only records after the last offset flush may come twice.
            #expect(copied.count - 800 < 300, "\(copied.count - 800) duplicates: the new worker started over")
        }
    }

    /// Bad MM2 configs are refused with the reason, a connector that cannot reach its source
    /// fails with a trace, and the worker and its other connectors carry on.
    @Test func badConfigsFailClearlyAndHurtNothingElse() async throws {
        try await withMirrorWorkers { clusters, workers in
            let worker = try await workers.backup.start()
            try await createTopic(clusters.backup, "numbers")
            try await startConnector(worker, "numbers", sequenceConfig(topic: "numbers", tasks: 1))
            let base = mirrorConfig(mirrorSourceClass, from: "primary", to: "backup", clusters: clusters)
            let cases: [(String, [String: String], String)] = [
                ("bad-regex", ["topics": "orders["], "topics"),
                ("negative-interval", ["refresh.topics.interval.seconds": "-5"], "refresh.topics.interval.seconds"),
                ("bad-policy", ["replication.policy.class": "com.example.NoSuchPolicy"], "replication.policy.class"),
                ("no-alias", ["source.cluster.alias": ""], "source.cluster.alias"),
                // A cluster alias the connector has no address for.
                ("unknown-cluster", ["source.cluster.bootstrap.servers": ""], "no address for the source cluster 'primary'"),
                ("bad-lag", ["offset.lag.max": "many"], "offset.lag.max"),
            ]
            for (name, change, key) in cases {
                var config = base
                for (k, v) in change {
                    if v.isEmpty { config.removeValue(forKey: k) } else { config[k] = v }
                }
                let response = try await worker.createConnector(name, config: config)
                #expect(response.status == 400, "\(name): \(response)")
                #expect(response.object?["error_code"] as? Int == 400, "\(name): \(response)")
                #expect(response.text.contains(key), "\(name) should name \(key): \(response)")
            }
            // An unreachable source: the connector fails with a trace instead of hanging RUNNING.
            var unreachable = base
            unreachable["source.cluster.bootstrap.servers"] = "127.0.0.1:\(try freeLoopbackPort())"
            unreachable["admin.timeout.ms"] = "3000"
            #expect(try await worker.createConnector("unreachable", config: unreachable).status == 201)
            let failed = try await worker.waitForStatus("unreachable", timeout: .seconds(60), "FAILED with a trace") { status in
                status.state == "FAILED" || status.tasks.contains { $0.state == "FAILED" }
            }
            #expect((failed.trace ?? failed.tasks.compactMap(\.trace).first ?? "").isEmpty == false, "\(failed.raw)")

            // Nothing else was hurt.
            let before = try await recordCount(clusters.backup, "numbers")
            try await eventually("numbers keeps growing") { try await recordCount(clusters.backup, "numbers") > before + 5 }
            #expect(try await worker.status("numbers")?.all("RUNNING", taskCount: 1) == true)
            let health = try await worker.get("/health")
            #expect(health.status == 200)
            for (name, _, _) in cases { #expect(try await worker.status(name) == nil, "\(name) was stored") }
        }
    }
}
