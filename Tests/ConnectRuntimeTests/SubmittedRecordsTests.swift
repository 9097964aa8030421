import ConnectAPI
import Testing
@testable import ConnectRuntime

@Suite struct SubmittedRecordsTests {
    let partitionA: OffsetMap = ["p": "a"]
    let partitionB: OffsetMap = ["p": "b"]

    @Test func onlyAnAcknowledgedPrefixIsCommittable() throws {
        var records = SourceRecordOffsets()
        let a1Ticket = records.submit(partition: partitionA, offset: ["o": 1])
        let a1 = try #require(a1Ticket)
        let a2Ticket = records.submit(partition: partitionA, offset: ["o": 2])
        let a2 = try #require(a2Ticket)
        let b1Ticket = records.submit(partition: partitionB, offset: ["o": 1])
        let b1 = try #require(b1Ticket)
        records.acknowledge(a2)
        records.acknowledge(b1)
        // a2 is acknowledged but a1 is not: A must not commit past the unwritten record.
        #expect(records.takeCommittable() == [partitionB: ["o": 1]])
        records.acknowledge(a1)
        #expect(records.takeCommittable() == [partitionA: ["o": 2]])
        #expect(records.takeCommittable().isEmpty)
        #expect(records.inFlight == 0)
    }

    @Test func recordsWithoutSourceOffsetsAreNeverCommitted() {
        var records = SourceRecordOffsets()
        #expect(records.submit(partition: nil, offset: ["o": 1]) == nil)
        #expect(records.submit(partition: partitionA, offset: nil) == nil)
        #expect(records.takeCommittable().isEmpty)
    }

    @Test func aFailedFlushIsRestoredUnderNewerOffsets() throws {
        var records = SourceRecordOffsets()
        let firstTicket = records.submit(partition: partitionA, offset: ["o": 1])
        let first = try #require(firstTicket)
        records.acknowledge(first)
        let failed = records.takeCommittable()
        let secondTicket = records.submit(partition: partitionA, offset: ["o": 2])
        let second = try #require(secondTicket)
        records.acknowledge(second)
        records.restore(failed)
        #expect(records.takeCommittable() == [partitionA: ["o": 2]])
        let thirdTicket = records.submit(partition: partitionB, offset: ["o": 7])
        let third = try #require(thirdTicket)
        records.acknowledge(third)
        _ = records.takeCommittable()
        records.restore([partitionB: ["o": 7]])
        #expect(records.takeCommittable() == [partitionB: ["o": 7]])
    }

    /// The copy path's form: lanes by number, Kafka offsets.
    @Test func lanesAndKafkaOffsetsFollowTheSameRules() throws {
        var copies = SubmittedRecords<Int, Int64>()
        var tickets: [SubmittedRecords<Int, Int64>.Ticket] = []
        for offset in 0..<4 {
            let ticket = copies.submit(partition: offset % 2, offset: Int64(100 + offset))
            tickets.append(try #require(ticket))
        }
        copies.acknowledge(tickets[3])
        copies.acknowledge(tickets[0])
        #expect(copies.takeCommittable() == [0: 100], "lane 1's first record is still in flight")
        copies.acknowledge(tickets[1])
        copies.acknowledge(tickets[2])
        #expect(copies.takeCommittable() == [0: 102, 1: 103])
        #expect(copies.inFlight == 0)
    }
}

@Suite struct SubmittedRecordsManyInFlightTests {
    /// Thousands of records in flight over three partitions, acknowledged in a shuffled order
    /// (so queues are compacted while records are still pending): each partition's committable
    /// offset is always the newest record of its fully acknowledged prefix.
    @Test func committableOffsetsFollowTheAcknowledgedPrefix() throws {
        let partitions: [OffsetMap] = [["p": "a"], ["p": "b"], ["p": "c"]]
        var records = SourceRecordOffsets()
        var tickets: [(partition: Int, offset: Int, ticket: SourceRecordOffsets.Ticket)] = []
        for offset in 0..<3_000 {
            for (index, partition) in partitions.enumerated() {
                let submitted = records.submit(partition: partition, offset: ["o": .int64(Int64(offset))])
                let ticket = try #require(submitted)
                tickets.append((index, offset, ticket))
            }
        }
        #expect(records.inFlight == 9_000)
        var generator = SplitMix64(seed: 42)
        // Mostly in order (as Kafka acknowledges), with local reordering.
        var order = Array(tickets.indices)
        for start in stride(from: 0, to: order.count, by: 64) {
            let end = min(start + 64, order.count)
            order[start..<end].shuffle(using: &generator)
        }
        var acknowledged = Array(repeating: Set<Int>(), count: partitions.count)
        var prefix = Array(repeating: -1, count: partitions.count)
        var expected: [OffsetMap: OffsetMap] = [:]
        for (step, index) in order.enumerated() {
            let (partition, offset, ticket) = tickets[index]
            records.acknowledge(ticket)
            acknowledged[partition].insert(offset)
            let before = prefix[partition]
            while acknowledged[partition].contains(prefix[partition] + 1) { prefix[partition] += 1 }
            if prefix[partition] != before { expected[partitions[partition]] = ["o": .int64(Int64(prefix[partition]))] }
            if step % 997 == 0 {
                #expect(records.takeCommittable() == expected)
                expected = [:]
            }
        }
        #expect(records.takeCommittable() == expected)
        #expect(records.inFlight == 0)
        // A duplicate acknowledgement changes nothing.
        records.acknowledge(tickets[0].ticket)
        #expect(records.takeCommittable().isEmpty)
    }
}

/// A small deterministic generator for shuffles in tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct InFlightRecordsTests {
    private func entry(_ offset: Int) -> WorkerSourceTask.InFlightRecord {
        WorkerSourceTask.InFlightRecord(
            record: SourceRecord(sourcePartition: ["p": "a"], sourceOffset: ["o": .int64(Int64(offset))], topic: "t", value: .int32(Int32(offset))),
            ticket: nil, bytes: offset)
    }

    @Test func recordsComeBackOnceByTagInAnyOrder() {
        var inFlight = InFlightRecords<WorkerSourceTask.InFlightRecord>()
        #expect(inFlight.nextTag == 0)
        for offset in 0..<5 { inFlight.add(entry(offset)) }
        #expect(inFlight.nextTag == 5)
        #expect(inFlight.take(3)?.bytes == 3)
        #expect(inFlight.take(3) == nil, "a tag is taken once")
        #expect(inFlight.take(0)?.bytes == 0)
        #expect(inFlight.take(9) == nil, "unknown tag")
        inFlight.add(entry(5))
        #expect(inFlight.nextTag == 6)
        for tag: UInt64 in [5, 1, 4, 2] { #expect(inFlight.take(tag)?.bytes == Int(tag)) }
        #expect(inFlight.take(2) == nil)
        #expect(inFlight.nextTag == 6, "tags keep counting after the buffer emptied")
    }

    @Test func manyRecordsOutOfOrderStayConsistent() {
        var inFlight = InFlightRecords<WorkerSourceTask.InFlightRecord>()
        var random = SplitMix64(seed: 7)
        var outstanding: [UInt64] = []
        for offset in 0..<20_000 {
            outstanding.append(inFlight.nextTag)
            inFlight.add(entry(offset))
            // Acknowledge a random outstanding record now and then, so the head lags behind.
            if random.next() % 3 == 0, !outstanding.isEmpty {
                let tag = outstanding.remove(at: Int(random.next() % UInt64(outstanding.count)))
                #expect(inFlight.take(tag)?.bytes == Int(tag))
            }
        }
        for tag in outstanding.reversed() { #expect(inFlight.take(tag)?.bytes == Int(tag)) }
        #expect(inFlight.nextTag == 20_000)
    }
}
