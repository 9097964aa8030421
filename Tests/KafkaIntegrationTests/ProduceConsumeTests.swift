import Foundation
import Synchronization
import Kafka
import KafkaTestSupport
import Testing

@Suite(.timeLimit(.minutes(3))) struct ProduceConsumeTests {
    /// The records the test writes: keys, two headers (one null), timestamps, every 17th a
    /// tombstone, every 101st an empty (not null) value, spread over three partitions.
    private static func expected(topic: String, count: Int, baseTimestamp: Int64) -> [ProducerRecord] {
        (0..<count).map { index in
            let value: [UInt8]? = index % 17 == 0 ? nil : index % 101 == 0 ? [] : bytes("value-\(index)")
            return ProducerRecord(
                topic: topic, partition: Int32(index % 3), key: bytes("key-\(index)"), value: value,
                headers: [KafkaHeader(key: "index", value: bytes("\(index)")), KafkaHeader(key: "empty", value: nil)],
                timestamp: baseTimestamp + Int64(index)
            )
        }
    }

    @Test func tenThousandRecordsRoundTripByAssignAndByGroup() async throws {
        try await withKafkaTestCluster { cluster in
            let clients = Clients(cluster: cluster)
            let topic = uniqueName("records")
            try await clients.createTopic(topic, partitions: 3)
            let baseTimestamp = Int64(Date().timeIntervalSince1970 * 1000) - 60_000
            let records = Self.expected(topic: topic, count: 10_000, baseTimestamp: baseTimestamp)

            // Send all records without waiting for each acknowledgement.
            let producer = try clients.producer()
            let acknowledgements = AcknowledgementLog()
            for (index, record) in records.enumerated() {
                try producer.send(record) { acknowledgements.record(index, $0) }
            }
            try await producer.flush(timeout: .seconds(30))
            await producer.close()
            let metadata = try acknowledgements.all.map { try $0.get() }
            #expect(metadata.count == 10_000)
            // Offsets per partition are dense and in send order.
            for partition in Int32(0)..<3 {
                let offsets = metadata.filter { $0.partition == partition }.map(\.offset).sorted()
                #expect(offsets == Array(0..<Int64(offsets.count)))
            }

            let byPosition = Dictionary(uniqueKeysWithValues: zip(records, metadata).map { record, meta in
                (TopicPartition(topic: topic, partition: meta.partition), meta.offset, record)
            }.map { ("\($0.0)@\($0.1)", $0.2) })

            func check(_ consumed: [ConsumerRecord]) {
                #expect(consumed.count == 10_000)
                for record in consumed {
                    guard let sent = byPosition["\(record.topicPartition)@\(record.offset)"] else {
                        Issue.record("unexpected record at \(record.topicPartition)@\(record.offset)")
                        continue
                    }
                    #expect(record.key == sent.key)
                    #expect(record.value == sent.value)
                    #expect(record.headers == sent.headers)
                    #expect(record.timestamp == sent.timestamp)
                    #expect(record.timestampType == .createTime)
                    #expect(record.partition == sent.partition)
                }
                for partition in Int32(0)..<3 {
                    let offsets = consumed.filter { $0.partition == partition }.map(\.offset)
                    #expect(offsets == offsets.sorted(), "partition \(partition) out of order")
                }
            }

            // Manual assignment from the beginning (a source task's way).
            let assigned = try clients.consumer()
            try await assigned.assign(Dictionary(uniqueKeysWithValues: (Int32(0)..<3).map {
                (TopicPartition(topic: topic, partition: $0), KafkaOffset.beginning)
            }))
            check(try await pollRecords(assigned, count: 10_000))

            // Seek back within one partition and re-read from there.
            let partition0 = TopicPartition(topic: topic, partition: 0)
            try await assigned.seek(partition0, to: .offset(100))
            let reread = try await pollRecords(assigned, count: 1)
            #expect(reread.first?.offset == 100)
            #expect(reread.first?.partition == 0)
            await assigned.close()

            // A consumer group (a store's or a test's way), with commits.
            let group = uniqueName("group")
            let grouped = try clients.consumer(["group.id": group, "enable.auto.commit": "false"])
            try await grouped.subscribe(topics: [topic])
            let consumed = try await pollRecords(grouped, count: 10_000)
            check(consumed)
            var next: [TopicPartition: OffsetAndMetadata] = [:]
            for record in consumed { next[record.topicPartition] = OffsetAndMetadata(offset: record.offset + 1) }
            try await grouped.commit(next)
            #expect(try await grouped.committed(Array(next.keys)) == next)
            await grouped.close()
        }
    }

    /// Delivery reports reach callbacks (and tagged-delivery handlers) in each partition's order,
    /// also while `flush()` waits: a flush that served the reports on its own thread, beside the
    /// producer's poller thread, handed some out of order (MirrorSource then wrote offset syncs
    /// going backwards).
    @Test func deliveryReportsStayInOrderWhileFlushing() async throws {
        try await withKafkaTestCluster { cluster in
            let clients = Clients(cluster: cluster)
            let topic = uniqueName("ordered")
            try await clients.createTopic(topic, partitions: 2)
            let producer = try clients.producer(["linger.ms": "1", "batch.num.messages": "50"])
            let byCallback = Mutex<[Int32: [Int64]]>([:])
            let byTag = Mutex<[Int32: [Int64]]>([:])
            producer.setDeliveryHandler { deliveries in
                byTag.withLock { seen in
                    for delivery in deliveries { seen[delivery.partition, default: []].append(delivery.offset) }
                }
            }
            let rounds = 40, perRound = 500
            for round in 0..<rounds {
                for index in 0..<perRound {
                    let record = ProducerRecord(topic: topic, partition: Int32(index % 2), key: nil, value: bytes("\(round)-\(index)"))
                    if index % 3 == 0 {
                        try producer.send(record, tag: UInt64(round * perRound + index))
                    } else {
                        try producer.send(record) { result in
                            guard case .success(let metadata) = result else { return }
                            byCallback.withLock { $0[metadata.partition, default: []].append(metadata.offset) }
                        }
                    }
                }
                try await producer.flush(timeout: .seconds(30))
            }
            await producer.close()
            for (name, seen) in [("callbacks", byCallback.withLock { $0 }), ("tagged deliveries", byTag.withLock { $0 })] {
                #expect(seen.values.map(\.count).reduce(0, +) > rounds * perRound / 4, "\(name): too few reports")
                for (partition, offsets) in seen {
                    let backwards = zip(offsets, offsets.dropFirst()).filter { $0 >= $1 }
                    #expect(backwards.isEmpty, "\(name) of partition \(partition) out of order: \(backwards.prefix(5))")
                }
            }
        }
    }

    /// A batch send queues a prefix: with room for 10 records, 25 go in as 10, then the rest
    /// after the queue drained; records for two topics in one batch each reach their topic, and
    /// every delivery carries its record's tag. A topic name librdkafka refuses stops the batch there; after
    /// `close`, nothing is queued.
    @Test func batchSendsQueueAPrefixAndReportEveryTag() async throws {
        try await withKafkaTestCluster { cluster in
            let clients = Clients(cluster: cluster)
            let (first, second) = (uniqueName("batch-a"), uniqueName("batch-b"))
            try await clients.createTopic(first, partitions: 1)
            try await clients.createTopic(second, partitions: 1)
            let producer = try clients.producer(["queue.buffering.max.messages": "10"])
            let delivered = Mutex<[UInt64: Delivery]>([:])
            producer.setDeliveryHandler { deliveries in
                delivered.withLock { seen in for delivery in deliveries { seen[delivery.tag] = delivery } }
            }
            let records = (0..<25).map { index in
                ProducerRecord(topic: index < 12 ? first : second, partition: 0, value: bytes("v\(index)"))
            }
            var (queued, error) = producer.send(records[...], firstTag: 1000)
            #expect(queued == 10)
            #expect(error?.code == .queueFull)
            var next = queued
            while next < records.count {
                try await producer.flush(timeout: .seconds(30))
                (queued, error) = producer.send(records[next...], firstTag: 1000 + UInt64(next))
                #expect(error == nil || error?.code == .queueFull)
                next += queued
            }
            try await producer.flush(timeout: .seconds(30))
            let seen = delivered.withLock { $0 }
            #expect(seen.keys.sorted() == Array(1000..<1025))
            #expect(seen.values.allSatisfy { $0.error == nil })
            // Per topic, dense offsets in tag order.
            #expect((1000..<1012).map { seen[$0]?.offset } == (0..<12).map { Int64?($0) })
            #expect((1012..<1025).map { seen[$0]?.offset } == (0..<13).map { Int64?($0) })

            // librdkafka refuses topic names over 512 bytes.
            let tooLong = String(repeating: "t", count: 600)
            let bad = [ProducerRecord(topic: first, partition: 0, value: bytes("ok")), ProducerRecord(topic: tooLong, value: bytes("x"))]
            (queued, error) = producer.send(bad[...], firstTag: 2000)
            #expect(queued == 1)
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("cannot send to topic '\(tooLong)'") == true)

            await producer.close()
            (queued, error) = producer.send(records[0..<1], firstTag: 3000)
            #expect(queued == 0)
            #expect(error?.code == .clientClosed)

            let consumer = try clients.consumer()
            try await consumer.assign([TopicPartition(topic: second, partition: 0): .beginning])
            let read = try await pollRecords(consumer, count: 13)
            #expect(read.map(\.value) == records[12...].map(\.value))
            await consumer.close()
        }
    }

    /// `pollBatch` hands records over in partition runs, and `send(copiesOf:)` writes them to
    /// another topic unchanged (same partition, key, value, null and empty values, headers
    /// with a null value, timestamps); a header rewrite applies to every header value.
    @Test func consumedBatchesAreCopiedUnchanged() async throws {
        try await withKafkaTestCluster { cluster in
            let clients = Clients(cluster: cluster)
            let (source, copies, rewritten) = (uniqueName("copy-source"), uniqueName("copies"), uniqueName("rewritten"))
            for topic in [source, copies, rewritten] { try await clients.createTopic(topic, partitions: 3) }
            let baseTimestamp = Int64(Date().timeIntervalSince1970 * 1000) - 60_000
            let records = Self.expected(topic: source, count: 600, baseTimestamp: baseTimestamp)
                + [ProducerRecord(topic: source, partition: 1, key: nil, value: bytes("no key, no headers"))]
            let producer = try clients.producer()
            for record in records { try producer.send(record) { _ in } }
            try await producer.flush(timeout: .seconds(30))
            await producer.close()

            let copier = try clients.producer()
            let delivered = Mutex<[UInt64: Delivery]>([:])
            copier.setDeliveryHandler { deliveries in
                delivered.withLock { seen in for delivery in deliveries { seen[delivery.tag] = delivery } }
            }
            let consumer = try clients.consumer()
            try await consumer.assign(Dictionary(uniqueKeysWithValues: (0..<3).map {
                (TopicPartition(topic: source, partition: $0), KafkaOffset.beginning)
            }))
            var consumed: [ConsumerRecord] = []
            var tag: UInt64 = 0
            let deadline = ContinuousClock.now + .seconds(30)
            while consumed.count < records.count, ContinuousClock.now < deadline {
                let batch = try await consumer.pollBatch(timeout: .milliseconds(200))
                // Runs cover the batch in order, one partition each.
                #expect(batch.runs.map(\.range).reduce(into: [Int]()) { $0 += Array($1) } == Array(0..<batch.count))
                let records = batch.records()
                for run in batch.runs {
                    #expect(run.range.allSatisfy { records[$0].topicPartition == run.topicPartition && records[$0].offset == batch.offset(at: $0) })
                    for (topic, rewrite) in [(copies, false), (rewritten, true)] {
                        let (queued, error) = copier.send(
                            copiesOf: batch, run.range, to: topic, firstTag: tag,
                            headerValues: rewrite ? { name, value in value.map { bytes(name) + $0 } ?? bytes("was null") } : nil)
                        #expect(queued == run.range.count)
                        #expect(error == nil)
                        tag += UInt64(run.range.count)
                    }
                }
                consumed += records
            }
            await consumer.close()
            try await copier.flush(timeout: .seconds(30))
            #expect(delivered.withLock { $0.count } == records.count * 2)
            #expect(delivered.withLock { $0.values.allSatisfy { $0.error == nil } })
            await copier.close()

            func read(_ topic: String) async throws -> [TopicPartition: [ConsumerRecord]] {
                let reader = try clients.consumer()
                try await reader.assign(Dictionary(uniqueKeysWithValues: (0..<3).map {
                    (TopicPartition(topic: topic, partition: $0), KafkaOffset.beginning)
                }))
                let read = try await pollRecords(reader, count: records.count)
                await reader.close()
                return Dictionary(grouping: read) { TopicPartition(topic: source, partition: $0.partition) }
            }
            let original = Dictionary(grouping: consumed, by: \.topicPartition)
            let copied = try await read(copies)
            let rewrittenRecords = try await read(rewritten)
            #expect(copied.values.map(\.count).reduce(0, +) == records.count)
            for (partition, sourceRecords) in original {
                let copy = copied[partition] ?? []
                #expect(copy.map(\.key) == sourceRecords.map(\.key))
                #expect(copy.map(\.value) == sourceRecords.map(\.value))
                #expect(copy.map(\.headers) == sourceRecords.map(\.headers))
                #expect(copy.map(\.timestamp) == sourceRecords.map(\.timestamp))
                #expect(copy.map(\.offset) == sourceRecords.map(\.offset))
                let expectedHeaders = sourceRecords.map { record in
                    record.headers.map { header in KafkaHeader(key: header.key, value: header.value.map { bytes(header.key) + $0 } ?? bytes("was null")) }
                }
                #expect((rewrittenRecords[partition] ?? []).map(\.headers) == expectedHeaders)
                #expect((rewrittenRecords[partition] ?? []).map(\.value) == sourceRecords.map(\.value))
            }
            #expect(consumed.contains { $0.value == [] } && consumed.contains { $0.value == nil } && consumed.contains { $0.key == nil })
        }
    }

    /// With `.owner(idle:)`, reports wait for the owner (up to `idle`) and then run in order on
    /// the thread that serves them; flush and close serve while they wait, so no report is lost.
    @Test func ownerServedDeliveryReportsWaitForTheOwner() async throws {
        try await withKafkaTestCluster { cluster in
            let clients = Clients(cluster: cluster)
            let topic = uniqueName("owner-served")
            try await clients.createTopic(topic, partitions: 1)
            // An idle interval longer than the test: only the owner serves.
            let producer = try clients.producer(deliveryReports: .owner(idle: .seconds(3600)))
            let delivered = Mutex<[Delivery]>([])
            producer.setDeliveryHandler { deliveries in delivered.withLock { $0 += deliveries } }
            let records = (0..<5).map { ProducerRecord(topic: topic, partition: 0, value: bytes("v\($0)")) }

            #expect(producer.send(records[...], firstTag: 0).queued == 5)
            // Acknowledged by the broker, but nobody served the reports yet.
            let consumer = try clients.consumer()
            try await consumer.assign([TopicPartition(topic: topic, partition: 0): .beginning])
            _ = try await pollRecords(consumer, count: 5)
            try await Task.sleep(for: .milliseconds(200))
            #expect(delivered.withLock { $0.isEmpty })

            // Served on this thread: the handler has run when the call returns.
            let deadline = ContinuousClock.now + .seconds(10)
            while delivered.withLock({ $0.count }) < 5, ContinuousClock.now < deadline {
                producer.serveDeliveryReports()
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(delivered.withLock { $0.map(\.tag) } == [0, 1, 2, 3, 4])
            #expect(delivered.withLock { $0.map(\.offset) } == [0, 1, 2, 3, 4])

            // flush serves what it waits for.
            #expect(producer.send(records[0..<3], firstTag: 5).queued == 3)
            try await producer.flush(timeout: .seconds(30))
            #expect(delivered.withLock { $0.map(\.tag) } == Array(0..<8))

            // close reports what is still queued, as failures if it cannot be sent.
            #expect(producer.send(records[0..<2], firstTag: 8).queued == 2)
            await producer.close()
            #expect(delivered.withLock { $0.map(\.tag) } == Array(0..<10))
            producer.serveDeliveryReports()

            // An owner that never serves: the producer's thread serves after the idle interval,
            // in order, and an awaiting send gets its result.
            let unattended = try clients.producer(deliveryReports: .owner(idle: .milliseconds(20)))
            let reported = Mutex<[Delivery]>([])
            unattended.setDeliveryHandler { deliveries in reported.withLock { $0 += deliveries } }
            #expect(unattended.send(records[...], firstTag: 100).queued == 5)
            let single = try await unattended.send(ProducerRecord(topic: topic, partition: 0, value: bytes("one")))
            #expect(single.offset == 15)
            let fallbackDeadline = ContinuousClock.now + .seconds(10)
            while reported.withLock({ $0.count }) < 5, ContinuousClock.now < fallbackDeadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(reported.withLock { $0.map(\.tag) } == Array(100..<105))
            #expect(reported.withLock { $0.map(\.offset) } == Array(10..<15))
            await unattended.close()
            await consumer.close()
        }
    }

    @Test func watermarksOffsetsForTimesAndPause() async throws {
        try await withKafkaTestCluster { cluster in
            let clients = Clients(cluster: cluster)
            let topic = uniqueName("positions")
            try await clients.createTopic(topic, partitions: 2)
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let producer = try clients.producer()
            for index in 0..<10 {
                try await producer.send(ProducerRecord(topic: topic, partition: Int32(index % 2), value: bytes("\(index)"), timestamp: now + Int64(index) * 1000))
            }
            await producer.close()

            let consumer = try clients.consumer()
            let p0 = TopicPartition(topic: topic, partition: 0)
            let p1 = TopicPartition(topic: topic, partition: 1)
            let marks = try await consumer.watermarks(p0)
            #expect(marks.low == 0 && marks.high == 5)
            // Partition 0 holds indexes 0,2,4,6,8: the first at or after now+3s is index 4 (offset 2).
            let found = try await consumer.offsetsForTimes([p0: now + 3000, p1: now + 60_000])
            #expect(found[p0] == 2)
            #expect(found[p1] == .some(nil))

            try await consumer.assign([p0: .beginning, p1: .beginning])
            try consumer.pause([p1])
            let paused = try await pollRecords(consumer, count: 5, timeout: .seconds(10))
            #expect(Set(paused.map(\.partition)) == [0])
            let more = try await consumer.poll(timeout: .milliseconds(500))
            #expect(more.isEmpty)
            try consumer.resume([p1])
            let resumed = try await pollRecords(consumer, count: 5, timeout: .seconds(10))
            #expect(resumed.map(\.partition) == [1, 1, 1, 1, 1])
            #expect(try await consumer.assignment() == [p0, p1])
            #expect(try await consumer.position([p0, p1]) == [p0: 5, p1: 5])
            await consumer.close()
        }
    }

    @Test func abortedTransactionsAreInvisibleToReadCommitted() async throws {
        try await withKafkaTestCluster { cluster in
            let clients = Clients(cluster: cluster)
            let topic = uniqueName("transactions")
            try await clients.createTopic(topic, partitions: 1)
            let producer = try clients.producer(["transactional.id": uniqueName("txn")])
            try await producer.initTransactions()

            try producer.beginTransaction()
            for index in 0..<5 { try await producer.send(ProducerRecord(topic: topic, partition: 0, value: bytes("aborted-\(index)"))) }
            try await producer.abortTransaction()

            try producer.beginTransaction()
            for index in 0..<5 { try await producer.send(ProducerRecord(topic: topic, partition: 0, value: bytes("committed-\(index)"))) }
            try await producer.sendOffsetsToTransaction([TopicPartition(topic: topic, partition: 0): 3], consumerGroupID: "txn-group")
            try await producer.commitTransaction()
            await producer.close()

            let partition = [TopicPartition(topic: topic, partition: 0): KafkaOffset.beginning]
            let committedReader = try clients.consumer(["isolation.level": "read_committed"])
            try await committedReader.assign(partition)
            let visible = try await pollRecords(committedReader, count: 5)
            let extra = try await committedReader.poll(timeout: .seconds(1))
            #expect((visible + extra).map { String(decoding: $0.value ?? [], as: UTF8.self) } == (0..<5).map { "committed-\($0)" })
            await committedReader.close()

            // The aborted records really were written: read_uncommitted sees them.
            let uncommittedReader = try clients.consumer(["isolation.level": "read_uncommitted"])
            try await uncommittedReader.assign(partition)
            let all = try await pollRecords(uncommittedReader, count: 10)
            #expect(all.compactMap { $0.value.map { String(decoding: $0, as: UTF8.self) } }.filter { $0.hasPrefix("aborted") }.count == 5)
            await uncommittedReader.close()

            // Offsets sent with the committed transaction were committed for the group.
            let admin = try clients.admin()
            #expect(try await admin.listConsumerGroupOffsets("txn-group")[TopicPartition(topic: topic, partition: 0)]?.offset == 3)
            await admin.close()
        }
    }
}

/// Delivery results collected from librdkafka's delivery thread, by send index.
final class AcknowledgementLog: Sendable {
    private let results = Mutex<[Int: Result<RecordMetadata, KafkaError>]>([:])
    func record(_ index: Int, _ result: Result<RecordMetadata, KafkaError>) { results.withLock { $0[index] = result } }
    /// Results in send order.
    var all: [Result<RecordMetadata, KafkaError>] { results.withLock { $0.sorted { $0.key < $1.key }.map(\.value) } }
}
