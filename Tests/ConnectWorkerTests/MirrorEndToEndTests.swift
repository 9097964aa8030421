import Foundation
import Kafka
import KafkaTestSupport
import Logging
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

            // `connect-worker mirror-client` sees the flow from backup's side.
            for (arguments, expected) in [
                (["heartbeat-topics"], "heartbeats\nprimary.heartbeats\n"),
                (["upstream-clusters"], "primary\n"),
                (["replication-hops", "--upstream-cluster-alias", "primary"], "1\n"),
                (["replication-hops", "--upstream-cluster-alias", "elsewhere"], "-1\n"),
            ] {
                let result = try await runConnectWorker(["mirror-client"] + arguments + ["--bootstrap-servers", clusters.backup.bootstrapServers])
                #expect(result.status == 0 && result.stdout == expected, "mirror-client \(arguments): \(result.stdout) \(result.stderr)")
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
            // offset.lag.max of the group's position, and at no time past it. The group follows
            // the newest checkpoint a sync interval later, so the comparisons below wait until
            // both agree and stay put for one probe (1.5 s, longer than the 1 s sync interval).
            let expectedUpstream: [TopicPartition: Int64] = [remote0: 275, remote1: 600]
            var previous: [TopicPartition: Int64]?
            let synced: [TopicPartition: Int64] = try await eventually(
                "group app synced on backup within offset.lag.max, settled", timeout: .seconds(60), interval: .milliseconds(1500)
            ) {
                let offsets = try await groupOffsets(clusters.backup, group: "app")
                for (remote, upstream) in expectedUpstream {
                    guard let translated = offsets[remote] else { return .notYet("\(offsets)") }
                    #expect(translated <= upstream, "\(remote): \(translated) would skip records before \(upstream)")
                    if upstream - translated > lagMax { return .notYet("\(offsets)") }
                }
                let newest = Dictionary(try await readCheckpoints(clusters.backup, "primary.checkpoints.internal")
                    .filter { $0.consumerGroupId == "app" }.map { ($0.topicPartition, $0.downstreamOffset) }) { _, last in last }
                defer { previous = offsets }
                guard newest[remote0] == offsets[remote0], newest[remote1] == offsets[remote1], previous == offsets else {
                    return .notYet("group \(offsets), newest checkpoints \(newest), previous probe \(previous.map { "\($0)" } ?? "none")")
                }
                return .done(offsets)
            }
            // The checkpoints say the same.
            let checkpoints = try await readCheckpoints(clusters.backup, "primary.checkpoints.internal").filter { $0.consumerGroupId == "app" }
            let newest = Dictionary(checkpoints.map { ($0.topicPartition, $0.downstreamOffset) }) { _, last in last }
            #expect(newest[remote0] == synced[remote0] && newest[remote1] == synced[remote1], "\(checkpoints)")
            // So do RemoteClusterUtils.translateOffsets and `connect-worker mirror-client translate-offsets`.
            var quiet = Logger(label: "mirror-client")
            quiet.logLevel = .warning
            let translated = try await RemoteClusterUtils.translateOffsets(
                properties: ["bootstrap.servers": clusters.backup.bootstrapServers], remoteClusterAlias: "primary",
                consumerGroupId: "app", timeout: .seconds(15), logger: quiet)
            #expect(translated.mapValues(\.offset) == synced, "translateOffsets \(translated) vs synced group \(synced)")
            let command = try await runConnectWorker([
                "mirror-client", "translate-offsets", "--bootstrap-servers", clusters.backup.bootstrapServers,
                "--group", "app", "--remote-cluster-alias", "primary", "--output", "json",
            ])
            #expect(command.status == 0, "\(command.stderr)")
            #expect(try translateOffsetsOutput(command.stdout) == synced, "mirror-client printed \(command.stdout)")

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

    /// With byte-array key and value converters the worker copies consumed records as they are;
    /// with others it builds Connect records. Both write what the converters say, as Apache's
    /// worker does: here the copy path with the worker's default header converter
    /// (SimpleHeaderConverter, which writes bytes as base64), and the record path with a
    /// JsonConverter for values. Both commit the same source offsets.
    @Test func copyAndRecordPathsWriteWhatTheConvertersSay() async throws {
        try await withMirrorWorkers { clusters, workers in
            let settings = WorkerSettings(cluster: clusters.backup)
            try await createTopic(clusters.primary, "orders", partitions: 2)
            let sent = sampleRecords("orders", prefix: "order", count: 40, partitions: 2)
            try await produce(clusters.primary, sent)
            let worker = try await workers.backup.start(settings)
            var copy = mirrorConfig(mirrorSourceClass, from: "primary", to: "backup", clusters: clusters)
            copy["header.converter"] = nil
            try await startConnector(worker, "mm2-copy", copy)
            try await startConnector(worker, "mm2-records", mirrorConfig(mirrorSourceClass, from: "primary", to: "backup", clusters: clusters, extra: [
                "source.cluster.alias": "json",
                "value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false",
            ]))
            try await waitForRecords(clusters.backup, "primary.orders", atLeast: 40)
            try await waitForRecords(clusters.backup, "json.orders", atLeast: 40)
            let log = worker.log()
            #expect(log.contains("Task mm2-copy-0 copies consumed Kafka records"))
            #expect(!log.contains("Task mm2-records-"), "JsonConverter values take the record path")

            let original = try await readTopic(clusters.primary, "orders")
            let base64 = { (bytes: [UInt8]?) in bytes.map { Array(Data($0).base64EncodedString().utf8) } }
            for partition in Int32(0)..<2 {
                let source = original.filter { $0.partition == partition }.sorted { $0.offset < $1.offset }
                let copied = try await readTopic(clusters.backup, "primary.orders").filter { $0.partition == partition }.sorted { $0.offset < $1.offset }
                let converted = try await readTopic(clusters.backup, "json.orders").filter { $0.partition == partition }.sorted { $0.offset < $1.offset }
                #expect(copied.map(\.key) == source.map(\.key) && converted.map(\.key) == source.map(\.key))
                #expect(copied.map(\.timestamp) == source.map(\.timestamp) && converted.map(\.timestamp) == source.map(\.timestamp))
                #expect(copied.map(\.value) == source.map(\.value))
                #expect(copied.map(\.headers) == source.map { $0.headers.map { KafkaHeader(key: $0.key, value: base64($0.value)) } })
                #expect(converted.map(\.value) == source.map { record in record.value.map { Array("\"".utf8) + base64($0)! + Array("\"".utf8) } })
                #expect(converted.map(\.headers) == source.map(\.headers))
            }

            let expectedOffsets = [TopicPartition(topic: "orders", partition: 0): Int64(19), TopicPartition(topic: "orders", partition: 1): 19]
            for connector in ["mm2-copy", "mm2-records"] {
                try await eventually("\(connector) committed its source offsets", timeout: .seconds(30)) {
                    let committed = try await committedMirrorSourceOffsets(clusters.backup, offsetsTopic: settings.offsetTopic, connector: connector)
                    return committed == expectedOffsets ? .done(()) : .notYet("\(committed)")
                }
            }
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

    /// kill -9 of the only worker mid-stream, then a new worker: every record, including those
    /// produced while no worker ran, is replicated; only records past the committed source
    /// offsets may come twice; the checkpoint task reloads its checkpoints (nothing re-emitted,
    /// downstream offsets never go back) and follows the group afterwards.
    @Test func crashMidStreamLosesNothingAndCheckpointsContinue() async throws {
        try await withMirrorWorkers { clusters, workers in
            let settings = WorkerSettings(cluster: clusters.backup)
            try await createTopic(clusters.primary, "stream", partitions: 2)
            let record = { (i: Int) in ProducerRecord(topic: "stream", partition: Int32(i % 2), key: nil, value: Array("s-\(i)".utf8)) }
            try await produce(clusters.primary, (0..<300).map(record))
            let p0 = TopicPartition(topic: "stream", partition: 0)
            let p1 = TopicPartition(topic: "stream", partition: 1)
            let remote0 = TopicPartition(topic: "primary.stream", partition: 0)
            let remote1 = TopicPartition(topic: "primary.stream", partition: 1)
            try await commitGroupOffsets(clusters.primary, group: "app", [p0: 50, p1: 60])

            let first = try await workers.backup.start(settings)
            try await startConnector(first, "mm2-source", mirrorConfig(
                mirrorSourceClass, from: "primary", to: "backup", clusters: clusters, extra: ["offset.lag.max": "10"]))
            try await startConnector(first, "mm2-checkpoint", mirrorConfig(mirrorCheckpointClass, from: "primary", to: "backup", clusters: clusters))
            try await waitForRecords(clusters.backup, "primary.stream", atLeast: 300)
            let checkpointsTopic = "primary.checkpoints.internal"
            let appCheckpoints = { () async throws -> [Checkpoint] in
                try await readCheckpoints(clusters.backup, checkpointsTopic).filter { $0.consumerGroupId == "app" }
            }
            try await eventually("checkpoints of app at 50 and 60", timeout: .seconds(60)) {
                let found = try await appCheckpoints()
                return found.contains { $0.topicPartition == remote0 && $0.upstreamOffset == 50 }
                    && found.contains { $0.topicPartition == remote1 && $0.upstreamOffset == 60 }
            }

            // Records keep coming; the worker dies (SIGKILL) while replicating them.
            try await produce(clusters.primary, (300..<600).map(record))
            try await waitForRecords(clusters.backup, "primary.stream", atLeast: 350)
            await first.kill()
            let committed = try await committedMirrorSourceOffsets(clusters.backup, offsetsTopic: settings.offsetTopic, connector: "mm2-source")
            let checkpointsBefore = try await appCheckpoints()
            // More records while no worker runs.
            try await produce(clusters.primary, (600..<800).map(record))

            // noida-db never expires a killed member's session, and a dead leader is never
            // replaced (see MultiWorkerEndToEndTests): a worker joining the old group would wait
            // forever for the dead leader's assignment. A Kafka broker would drop the member
            // after session.timeout.ms; here the restarted worker joins a fresh group instead,
            // with the same config, offsets and status topics, which hold all the state.
            var restarted = settings
            restarted.groupId = settings.groupId + "-after-crash"
            let second = try await workers.backup.start(restarted)
            for name in ["mm2-source", "mm2-checkpoint"] {
                try await second.waitForStatus(name, timeout: .seconds(90), "RUNNING on the new worker") { status in
                    status.state == "RUNNING" && status.workerId == second.workerId && !status.tasks.isEmpty
                        && status.tasks.allSatisfy { $0.state == "RUNNING" && $0.workerId == second.workerId }
                }
            }
            try await waitForRecords(clusters.backup, "primary.stream", atLeast: 800)
            _ = try await settledEndOffsets(clusters.backup, "primary.stream")

            // No loss; duplicates only past what the dead worker had committed.
            let sourceOffsets = Dictionary(uniqueKeysWithValues: try await readTopic(clusters.primary, "stream").map { record in
                (values([record]).first ?? "", (record.topicPartition, record.offset))
            })
            let copied = values(try await readTopic(clusters.backup, "primary.stream"))
            #expect(Set(copied) == Set((0..<800).map { "s-\($0)" }), "lost \(Set((0..<800).map { "s-\($0)" }).subtracting(copied).count) records")
            let duplicated = Dictionary(copied.map { ($0, 1) }, uniquingKeysWith: +).filter { $0.value > 1 }
            for (value, copies) in duplicated {
                guard let source = sourceOffsets[value] else { continue }
                let (partition, offset) = source
                #expect(offset > committed[partition, default: -1],
                        "\(value) (\(partition) offset \(offset)) came \(copies) times though offset \(committed[partition, default: -1]) was committed")
            }
            #expect(committed[p0] != nil && committed[p1] != nil, "the dead worker had committed source offsets: \(committed)")
            print("kill -9 restart: \(copied.count - Set(copied).count) duplicate records of 800; committed source offsets at the kill: \(committed)")

            // The restarted checkpoint task loaded the existing checkpoints: the newest one of each
            // partition is not emitted again for the unchanged group ...
            try await Task.sleep(for: .seconds(4)) // several emit.checkpoints.interval.seconds rounds
            let sinceRestart = try await appCheckpoints().dropFirst(checkpointsBefore.count)
            for partition in [remote0, remote1] {
                let last = try #require(checkpointsBefore.last { $0.topicPartition == partition })
                #expect(!sinceRestart.contains(last), "\(last) emitted again after the restart: \(Array(sinceRestart))")
            }
            // ... and checkpoints continue once the group moves.
            try await commitGroupOffsets(clusters.primary, group: "app", [p0: 250, p1: 260])
            let checkpoints: [Checkpoint] = try await eventually("checkpoints of app at 250 and 260", timeout: .seconds(60)) {
                let found = try await appCheckpoints()
                let done = found.contains { $0.topicPartition == remote0 && $0.upstreamOffset == 250 }
                    && found.contains { $0.topicPartition == remote1 && $0.upstreamOffset == 260 }
                return done ? .done(found) : .notYet("\(found.suffix(4))")
            }
            for partition in [remote0, remote1] {
                let downstream = checkpoints.filter { $0.topicPartition == partition }.map(\.downstreamOffset)
                #expect(downstream == downstream.sorted(), "\(partition) went backwards: \(downstream)")
            }
            // Failing over to the newest checkpoints skips nothing the group had not consumed (the
            // duplicates shift downstream offsets, so only reading the records can tell).
            let latest = Dictionary(checkpoints.map { ($0.topicPartition, $0.downstreamOffset) }) { _, last in last }
            let resumed = Set(values(try await readTopic(clusters.backup, "primary.stream", from: latest)))
            for (partition, upstream) in [(p0, Int64(250)), (p1, Int64(260))] {
                let unconsumed = sourceOffsets.filter { $0.value.0 == partition && $0.value.1 >= upstream }.map(\.key)
                #expect(unconsumed.count == 400 - Int(upstream) && Set(unconsumed).isSubset(of: resumed),
                        "\(partition): failing over to \(latest) skips \(Set(unconsumed).subtracting(resumed).count) records")
            }
        }
    }

    /// Bad MM2 configs are refused with the reason; connectors that cannot reach a cluster they
    /// need, or whose topics the target cannot hold (replication factor 2 on a one-broker
    /// cluster), fail with a trace; the worker and its other connectors carry on.
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
            // Accepted configs that cannot work: each connector fails with a trace naming the
            // cause instead of staying RUNNING without tasks.
            let nowhere = "127.0.0.1:\(try freeLoopbackPort())"
            let quick = ["admin.timeout.ms": "3000"]
            try await createTopic(clusters.primary, "orders")
            let failing: [(String, [String: String], [String])] = [
                ("unreachable", mirrorConfig(mirrorSourceClass, from: "primary", to: "backup", clusters: clusters,
                                             extra: quick.merging(["source.cluster.bootstrap.servers": nowhere]) { $1 }),
                 // The offset-syncs topic lives on the source by default, so that is the first thing it misses.
                 ["could not create its offset-syncs topic on source cluster 'primary'", "Connection refused"]),
                ("checkpoint-unreachable", mirrorConfig(mirrorCheckpointClass, from: "primary", to: "backup", clusters: clusters,
                                                        extra: quick.merging(["source.cluster.bootstrap.servers": nowhere]) { $1 }),
                 ["could not list the consumer groups of source cluster 'primary' within 3.0 seconds", "Timed out"]),
                ("heartbeat-unreachable", mirrorConfig(mirrorHeartbeatClass, from: "primary", to: "backup", clusters: clusters,
                                                       extra: quick.merging(["target.cluster.bootstrap.servers": nowhere]) { $1 }),
                 ["could not create its heartbeats topic on target cluster 'backup'", "Connection refused"]),
                // noida-db: "The target replication factor of 2 cannot be reached because only 1 broker(s) are registered."
                ("source-rf2", mirrorConfig(mirrorSourceClass, from: "primary", to: "backup", clusters: clusters,
                                            extra: ["replication.factor": "2"]),
                 ["could not create remote topics [primary.orders] on target cluster 'backup' with replication.factor=2",
                  "replication factor of 2 cannot be reached"]),
                // Its own alias: checkpoint-unreachable creates primary.checkpoints.internal.
                ("checkpoint-rf2", mirrorConfig(mirrorCheckpointClass, from: "primary", to: "backup", clusters: clusters,
                                                extra: ["checkpoints.topic.replication.factor": "2", "source.cluster.alias": "other"]),
                 ["could not create its checkpoints topic on target cluster 'backup'",
                  "Could not create topic 'other.checkpoints.internal' (1 partition, replication factor 2, compacted)",
                  "INVALID_REPLICATION_FACTOR"]),
                // The default heartbeats.topic.replication.factor (3) on a one-broker cluster.
                ("heartbeat-default-rf", mirrorConfig(mirrorHeartbeatClass, from: "primary", to: "backup", clusters: clusters)
                    .filter { $0.key != "heartbeats.topic.replication.factor" },
                 ["could not create its heartbeats topic", "replication factor 3", "INVALID_REPLICATION_FACTOR"]),
            ]
            for (name, config, _) in failing {
                #expect(try await worker.createConnector(name, config: config).status == 201, "\(name)")
            }
            for (name, _, causes) in failing {
                let failed = try await worker.waitForStatus(name, timeout: .seconds(60), "FAILED with a trace") { $0.state == "FAILED" }
                let trace = failed.trace ?? ""
                for cause in causes { #expect(trace.contains(cause), "\(name) should say '\(cause)': \(failed.raw)") }
                #expect(failed.tasks.isEmpty, "\(name): \(failed.raw)")
            }
            #expect(try await topicNames(clusters.backup).isDisjoint(with: ["primary.orders", "heartbeats"]))

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

/// The offsets in `connect-worker mirror-client translate-offsets --output json` output
/// (`{"groupId":…,"offsets":[{"metadata","offset","partition","topic"}],"remoteClusterAlias":…}`).
func translateOffsetsOutput(_ json: String) throws -> [TopicPartition: Int64] {
    guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
          let entries = object["offsets"] as? [[String: Any]] else {
        throw EndToEndError("not translate-offsets JSON: \(json)")
    }
    var offsets: [TopicPartition: Int64] = [:]
    for entry in entries {
        guard let topic = entry["topic"] as? String, let partition = entry["partition"] as? Int,
              let offset = (entry["offset"] as? NSNumber)?.int64Value else {
            throw EndToEndError("not a translated offset: \(entry)")
        }
        offsets[TopicPartition(topic: topic, partition: Int32(partition))] = offset
    }
    return offsets
}
