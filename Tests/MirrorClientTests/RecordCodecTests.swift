import KafkaProtocol
import MirrorClient
import Testing

/// UTF-8 bytes of an ASCII string, to keep the golden arrays readable.
private func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite struct HeartbeatCodecTests {
    let heartbeat = Heartbeat(sourceClusterAlias: "primary", targetClusterAlias: "backup", timestamp: 1_700_000_000_000)

    @Test func keyAndValueMatchHandWorkedBytes() throws {
        #expect(try heartbeat.encodeKey() == [
            0x00, 0x07, 0x70, 0x72, 0x69, 0x6D, 0x61, 0x72, 0x79,  // "primary"
            0x00, 0x06, 0x62, 0x61, 0x63, 0x6B, 0x75, 0x70,        // "backup"
        ])
        #expect(heartbeat.encodeValue() == [
            0x00, 0x00,                                      // version 0
            0x00, 0x00, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x00,  // timestamp 1_700_000_000_000
        ])
    }

    @Test func roundTrips() throws {
        let decoded = try Heartbeat.decode(key: heartbeat.encodeKey(), value: heartbeat.encodeValue())
        #expect(decoded == heartbeat)
        let unicode = Heartbeat(sourceClusterAlias: "zürich", targetClusterAlias: "", timestamp: -1)
        #expect(try Heartbeat.decode(key: unicode.encodeKey(), value: unicode.encodeValue()) == unicode)
    }

    @Test func decodesBytesWrittenByHand() throws {
        let key: [UInt8] = [0, 1] + ascii("a") + [0, 2] + ascii("bc")
        let value: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 42]
        #expect(try Heartbeat.decode(key: key, value: value)
            == Heartbeat(sourceClusterAlias: "a", targetClusterAlias: "bc", timestamp: 42))
    }

    @Test func rejectsUnknownVersion() throws {
        var value = heartbeat.encodeValue()
        value[1] = 1
        let error = #expect(throws: MirrorClientError.self) {
            try Heartbeat.decode(key: heartbeat.encodeKey(), value: value)
        }
        #expect(error?.code == .unsupportedVersion)
        #expect(error?.message.contains("version 1") == true)
    }

    @Test(arguments: [
        ([UInt8](), "empty key"),
        ([0x00, 0x07, 0x70, 0x72], "string shorter than its length"),
        ([0x00, 0x01, 0x61], "missing target alias"),
        ([0x00, 0x01, 0x61, 0xFF, 0xFF], "null target alias"),
        ([0x00, 0x01, 0x61, 0xFF, 0xFE], "negative length"),
        ([0x00, 0x01, 0xFF, 0x00, 0x00], "invalid UTF-8"),
        ([0x00, 0x01, 0x61, 0x00, 0x00, 0x00], "trailing byte"),
    ] as [([UInt8], String)])
    func rejectsMalformedKey(key: [UInt8], _ why: String) {
        let error = #expect(throws: MirrorClientError.self, "\(why)") {
            try Heartbeat.decode(key: key, value: heartbeat.encodeValue())
        }
        #expect(error?.code == .malformedRecord)
        #expect(error?.decodingError != nil)
    }

    @Test func rejectsTruncatedValue() throws {
        let value = heartbeat.encodeValue()
        for length in 0..<value.count {
            let error = #expect(throws: MirrorClientError.self) {
                try Heartbeat.decode(key: heartbeat.encodeKey(), value: Array(value.prefix(length)))
            }
            #expect(error?.code == .malformedRecord, "value truncated to \(length) bytes")
        }
    }
}

@Suite struct CheckpointCodecTests {
    let checkpoint = Checkpoint(
        consumerGroupId: "my-group",
        topicPartition: TopicPartition(topic: "primary.orders", partition: 3),
        upstreamOffset: 4242,
        downstreamOffset: 100,
        metadata: "m"
    )

    @Test func keyAndValueMatchHandWorkedBytes() throws {
        #expect(try checkpoint.encodeKey()
            == [0x00, 0x08] + ascii("my-group")
            + [0x00, 0x0E] + ascii("primary.orders")
            + [0x00, 0x00, 0x00, 0x03])
        #expect(try checkpoint.encodeValue() == [
            0x00, 0x00,                                      // version 0
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x92,  // upstreamOffset 4242
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64,  // offset 100
            0x00, 0x01, 0x6D,                                // metadata "m"
        ])
    }

    @Test func emptyMetadataIsAZeroLengthString() throws {
        var noMetadata = checkpoint
        noMetadata.metadata = ""
        #expect(try noMetadata.encodeValue().suffix(2) == [0x00, 0x00])
        #expect(try noMetadata.encodeValue().count == 2 + 8 + 8 + 2)
    }

    @Test func roundTrips() throws {
        #expect(try Checkpoint.decode(key: checkpoint.encodeKey(), value: checkpoint.encodeValue()) == checkpoint)
        let extreme = Checkpoint(
            consumerGroupId: "g",
            topicPartition: TopicPartition(topic: "t", partition: Int32.max),
            upstreamOffset: Int64.max,
            downstreamOffset: -1,
            metadata: String(repeating: "x", count: 4096)
        )
        #expect(try Checkpoint.decode(key: extreme.encodeKey(), value: extreme.encodeValue()) == extreme)

        // Metadata longer than a Kafka STRING (brokers may allow it) is an error, not a crash.
        var oversized = extreme
        oversized.metadata = String(repeating: "x", count: 40_000)
        #expect(throws: KafkaProtocolEncodingError.self) { try oversized.encodeValue() }
    }

    @Test func rejectsUnknownVersion() throws {
        var value = try checkpoint.encodeValue()
        value[0] = 0x7F
        let error = #expect(throws: MirrorClientError.self) {
            try Checkpoint.decode(key: checkpoint.encodeKey(), value: value)
        }
        #expect(error?.code == .unsupportedVersion)
    }

    @Test func rejectsTruncatedKeyAndValue() throws {
        let key = try checkpoint.encodeKey()
        let value = try checkpoint.encodeValue()
        for length in 0..<key.count {
            let error = #expect(throws: MirrorClientError.self) {
                try Checkpoint.decode(key: Array(key.prefix(length)), value: value)
            }
            #expect(error?.code == .malformedRecord, "key truncated to \(length) bytes")
        }
        for length in 0..<value.count {
            let error = #expect(throws: MirrorClientError.self) {
                try Checkpoint.decode(key: key, value: Array(value.prefix(length)))
            }
            #expect(error?.code == .malformedRecord, "value truncated to \(length) bytes")
        }
    }

    @Test func rejectsTrailingBytes() throws {
        let error = #expect(throws: MirrorClientError.self) {
            try Checkpoint.decode(key: checkpoint.encodeKey(), value: checkpoint.encodeValue() + [0])
        }
        #expect(error?.code == .malformedRecord)
        #expect(error?.message.hasPrefix("Checkpoint value") == true)
    }
}

@Suite struct OffsetSyncCodecTests {
    let sync = OffsetSync(topicPartition: TopicPartition(topic: "orders", partition: 0), upstreamOffset: 4242, downstreamOffset: 100)

    @Test func keyAndValueMatchHandWorkedBytes() throws {
        #expect(try sync.encodeKey() == [
            0x00, 0x06, 0x6F, 0x72, 0x64, 0x65, 0x72, 0x73,  // "orders"
            0x00, 0x00, 0x00, 0x00,                          // partition 0
        ])
        // No version header: the value starts directly with upstreamOffset.
        #expect(sync.encodeValue() == [
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x92,  // upstreamOffset 4242
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64,  // offset 100
        ])
    }

    @Test func roundTrips() throws {
        #expect(try OffsetSync.decode(key: sync.encodeKey(), value: sync.encodeValue()) == sync)
        let negative = OffsetSync(topicPartition: TopicPartition(topic: "a.b-c_d", partition: -1), upstreamOffset: 0, downstreamOffset: Int64.min)
        #expect(try OffsetSync.decode(key: negative.encodeKey(), value: negative.encodeValue()) == negative)
    }

    @Test func aValueWithAVersionHeaderIsRejected() throws {
        // A Checkpoint-style value (version header + two offsets) is 2 bytes too long.
        let error = #expect(throws: MirrorClientError.self) {
            try OffsetSync.decode(key: sync.encodeKey(), value: [0, 0] + sync.encodeValue())
        }
        #expect(error?.code == .malformedRecord)
    }

    @Test func rejectsTruncatedInput() throws {
        let key = try sync.encodeKey()
        let value = sync.encodeValue()
        for length in 0..<key.count {
            #expect(throws: MirrorClientError.self) {
                try OffsetSync.decode(key: Array(key.prefix(length)), value: value)
            }
        }
        for length in 0..<value.count {
            #expect(throws: MirrorClientError.self) {
                try OffsetSync.decode(key: key, value: Array(value.prefix(length)))
            }
        }
    }

    @Test func descriptionsFollowApacheToString() throws {
        #expect(sync.description == "OffsetSync{topicPartition=orders-0, upstreamOffset=4242, downstreamOffset=100}")
        #expect(Heartbeat(sourceClusterAlias: "a", targetClusterAlias: "b", timestamp: 5).description
            == "Heartbeat{sourceClusterAlias=a, targetClusterAlias=b, timestamp=5}")
    }

    @Test func fieldNameConstantsMatchApache() throws {
        #expect(Heartbeat.defaultTopic == "heartbeats")
        #expect([Heartbeat.sourceClusterAliasKey, Heartbeat.targetClusterAliasKey, Heartbeat.timestampKey, Heartbeat.versionKey]
            == ["sourceClusterAlias", "targetClusterAlias", "timestamp", "version"])
        #expect([Checkpoint.consumerGroupIdKey, Checkpoint.topicKey, Checkpoint.partitionKey,
                 Checkpoint.upstreamOffsetKey, Checkpoint.downstreamOffsetKey, Checkpoint.metadataKey]
            == ["group", "topic", "partition", "upstreamOffset", "offset", "metadata"])
        #expect([OffsetSync.topicKey, OffsetSync.partitionKey, OffsetSync.upstreamOffsetKey, OffsetSync.downstreamOffsetKey]
            == ["topic", "partition", "upstreamOffset", "offset"])
        #expect(Heartbeat.version == 0 && Checkpoint.version == 0)
    }
}
