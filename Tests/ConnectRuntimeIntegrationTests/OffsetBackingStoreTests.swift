import ConnectAPI
import ConnectRuntime
import Kafka
import KafkaTestSupport
import Testing

@Suite(.timeLimit(.minutes(3))) struct OffsetBackingStoreTests {
    @Test func javaMurmur2MatchesKafkaTestVectors() {
        // Vectors from Apache Kafka's UtilsTest.testMurmur2.
        let vectors: [(String, Int32)] = [
            ("21", -973_932_308), ("foobar", -790_332_482), ("a-little-bit-long-string", -985_981_536),
            ("a-little-bit-longer-string", -1_486_304_829), ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971),
            ("abc", 479_470_107),
        ]
        for (input, expected) in vectors { #expect(javaMurmur2(Array(input.utf8)) == expected, "\(input)") }
    }

    @Test func offsetsRoundTripAreRereadAndDeletedWithApacheKeysAndPartitions() async throws {
        try await withKafkaTestCluster { cluster in
            let kit = StoreTestKit(cluster: cluster)
            let admin = try kit.topicAdmin()
            let topic = uniqueName("offsets")
            let store = kit.offsetStore(topic, partitions: 5, admin: admin)
            try await store.start()

            // Fields in the order Java's HashMap gives MirrorSourceTask's and MirrorCheckpointTask's
            // partitions, so the key bytes are exactly Apache's.
            func source(_ partition: Int64) -> OffsetMap { ["cluster": "primary", "partition": .int64(partition), "topic": "orders"] }
            let checkpoint: OffsetMap = ["partition": 0, "topic": "orders", "group": "billing"]
            try await store.set([
                (OffsetRecordKey(connector: "mm2-source", partition: source(0)), ["offset": 41]),
                (OffsetRecordKey(connector: "mm2-source", partition: source(1)), ["offset": 7]),
                (OffsetRecordKey(connector: "mm2-source", partition: source(2)), ["offset": 3]),
                (OffsetRecordKey(connector: "mm2-checkpoint", partition: checkpoint), ["offset": 0]),
            ])
            let unknown = source(9)
            #expect(try await store.get(connector: "mm2-source", partitions: [source(0), source(1), unknown]) == [source(0): ["offset": 41], source(1): ["offset": 7]])
            // The partition's field order does not matter for look-ups.
            let reordered: OffsetMap = ["topic": "orders", "cluster": "primary", "partition": 0]
            #expect(try await store.get(connector: "mm2-source", partitions: [reordered])[reordered] == ["offset": 41])
            #expect(store.connectorPartitions("mm2-source") == [source(0), source(1), source(2)])
            #expect(try await store.connectorOffsets("mm2-checkpoint") == [checkpoint: ["offset": 0]])
            #expect(try await store.connectorOffsets("nobody").isEmpty)

            // Overwrite one, delete one (a tombstone).
            try await store.set([
                (OffsetRecordKey(connector: "mm2-source", partition: source(0)), ["offset": 42]),
                (OffsetRecordKey(connector: "mm2-source", partition: source(1)), nil),
            ])
            #expect(try await store.connectorOffsets("mm2-source") == [source(0): ["offset": 42], source(2): ["offset": 3]])

            // A restarted worker rebuilds the same offsets from the topic.
            let reread = kit.offsetStore(topic, partitions: 5, admin: admin)
            try await reread.start()
            #expect(try await reread.connectorOffsets("mm2-source") == [source(0): ["offset": 42], source(2): ["offset": 3]])
            #expect(reread.connectorPartitions("mm2-source") == [source(0), source(2)])
            #expect(reread.connectorPartitions("mm2-checkpoint") == [checkpoint])

            // Keys and values are Apache's JSON, and each key is on the partition Java's
            // default partitioner picks, so compaction works across both runtimes.
            let records = try await kit.readAll(topic)
            #expect(records.count == 6)
            for record in records {
                #expect(record.partition == javaPartition(key: record.key ?? [], partitions: 5), "\(text(record.key) ?? "")")
            }
            #expect(Set(records.map(\.partition)).count > 1)
            let key0 = #"["mm2-source",{"cluster":"primary","partition":0,"topic":"orders"}]"#
            #expect(records.filter { text($0.key) == key0 }.map { text($0.value) } == [#"{"offset":41}"#, #"{"offset":42}"#])
            let key1 = #"["mm2-source",{"cluster":"primary","partition":1,"topic":"orders"}]"#
            #expect(records.filter { text($0.key) == key1 }.map { text($0.value) } == [#"{"offset":7}"#, nil])

            // Offsets written by Apache (any primitive value) read back exactly.
            let apacheKey = #"["file-source",{"filename":"/tmp/a.txt"}]"#
            let producer = try KafkaProducer(configuration: kit.clients)
            try await producer.send(ProducerRecord(
                topic: topic, partition: javaPartition(key: Array(apacheKey.utf8), partitions: 5),
                key: Array(apacheKey.utf8), value: Array(#"{"position":12.5,"line":1234,"eof":false,"note":null,"name":"a"}"#.utf8)
            ))
            await producer.close()
            let apacheOffsets = try await reread.connectorOffsets("file-source")
            #expect(apacheOffsets == [["filename": "/tmp/a.txt"]: ["position": 12.5, "line": 1234, "eof": false, "note": .null, "name": "a"]])

            await reread.stop()
            await store.stop()
            await #expect(throws: KafkaError.self) { try await store.set([(OffsetRecordKey(connector: "x", partition: ["p": 1]), ["o": 1])]) }
            await admin.close()
        }
    }
}
