@testable import Kafka
import Testing

/// librdkafka before 2.1.0 waits a thousandth of `rd_kafka_seek_partitions`' timeout.
@Suite struct SeekTimeoutTests {
    @Test func oldLibrariesGetTheTimeoutInTheUnitTheyWait() {
        // 2.0.2 (Debian 12) reads milliseconds as microseconds: it gets a thousand times more.
        #expect(KafkaConsumer.seekTimeoutArgument(.seconds(15), libraryVersion: 0x0200_02FF) == 15_000_000)
        #expect(KafkaConsumer.seekTimeoutArgument(.seconds(15), libraryVersion: 0x0201_00FF) == 15_000)
        #expect(KafkaConsumer.seekTimeoutArgument(.seconds(15), libraryVersion: 0x0206_01FF) == 15_000)
        // Never past Int32 (librdkafka's int).
        #expect(KafkaConsumer.seekTimeoutArgument(.seconds(10_000_000), libraryVersion: 0x0200_02FF) == Int32.max)
    }
}
