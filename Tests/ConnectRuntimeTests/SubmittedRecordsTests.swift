import ConnectAPI
import Testing
@testable import ConnectRuntime

@Suite struct SubmittedRecordsTests {
    let partitionA: OffsetMap = ["p": "a"]
    let partitionB: OffsetMap = ["p": "b"]

    @Test func onlyAnAcknowledgedPrefixIsCommittable() throws {
        var records = SubmittedRecords()
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
        var records = SubmittedRecords()
        #expect(records.submit(partition: nil, offset: ["o": 1]) == nil)
        #expect(records.submit(partition: partitionA, offset: nil) == nil)
        #expect(records.takeCommittable().isEmpty)
    }

    @Test func aFailedFlushIsRestoredUnderNewerOffsets() throws {
        var records = SubmittedRecords()
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
}
