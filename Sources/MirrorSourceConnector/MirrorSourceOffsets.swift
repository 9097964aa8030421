import ConnectAPI
import KafkaProtocol

/// How MirrorSourceTask's source partitions and offsets look in Connect's offsets topic
/// (Apache Kafka's `MirrorUtils`): partition `{"cluster": alias, "partition": n, "topic": t}`
/// (keys in the order Java's `HashMap` writes them), offset `{"offset": n}` holding the last
/// replicated upstream offset.
public enum MirrorSourceOffsets {
    public static let clusterKey = "cluster"
    public static let topicKey = "topic"
    public static let partitionKey = "partition"
    public static let offsetKey = "offset"

    /// The source partition of `partition` read from `sourceClusterAlias`.
    public static func wrapPartition(_ partition: TopicPartition, sourceClusterAlias: String) -> SourcePartition {
        [clusterKey: .string(sourceClusterAlias), partitionKey: .int64(Int64(partition.partition)), topicKey: .string(partition.topic)]
    }

    public static func wrapOffset(_ offset: Int64) -> SourceOffset {
        SourceOffset(key: offsetKey, value: .int64(offset))
    }

    /// The Kafka partition of a source partition, or `nil` when it lacks a string topic or an
    /// int32 partition.
    public static func unwrapPartition(_ partition: SourcePartition) -> TopicPartition? {
        var topic: String?
        var number: Int64?
        for entry in partition.entries {
            switch entry.key {
            case topicKey: topic = entry.value.stringValue
            case partitionKey: number = entry.value.int64Value
            default: continue
            }
        }
        guard let topic, let number, let partition = Int32(exactly: number) else { return nil }
        return TopicPartition(topic: topic, partition: partition)
    }

    /// The offset of a source offset; -1 when absent or not an integer (Apache's `unwrapOffset`).
    public static func unwrapOffset(_ offset: SourceOffset?) -> Int64 {
        guard let value = offset?[offsetKey] else { return -1 }
        return value.int64Value ?? -1
    }

    // MARK: Validation (alterOffsets)

    /// Checks that `partition` has a string value under `key`.
    public static func validatePartitionString(_ partition: SourcePartition, key: String) throws(ConnectError) {
        guard let value = partition[key] else {
            throw ConnectError("Source partition \(javaString(partition)) is missing the '\(key)' key, which is required")
        }
        guard case .string = value else {
            throw ConnectError("Source partition \(javaString(partition)) has an invalid value \(javaString(value)) for the '\(key)' key, which must be a string")
        }
    }

    /// Checks that `partition` has a non-negative int32 under `partition`.
    public static func validatePartitionPartition(_ partition: SourcePartition) throws(ConnectError) {
        guard let value = partition[partitionKey] else {
            throw ConnectError("Source partition \(javaString(partition)) is missing the '\(partitionKey)' key, which is required")
        }
        guard case .int64(let number) = value, number <= Int64(Int32.max) else {
            throw ConnectError("Source partition \(javaString(partition)) has an invalid value \(javaString(value)) for the '\(partitionKey)' key, which must be an integer")
        }
        guard number >= 0 else {
            throw ConnectError("Source partition \(javaString(partition)) has an invalid value \(javaString(value)) for the '\(partitionKey)' key, which cannot be negative")
        }
    }

    /// Checks that `offset` (when present) has an integer under `offset`: any non-negative value,
    /// or exactly 0 when `onlyZero`.
    public static func validateOffset(_ offset: SourceOffset?, partition: SourcePartition, onlyZero: Bool) throws(ConnectError) {
        guard let offset else { return }
        guard let value = offset[offsetKey] else {
            throw ConnectError("Source offset \(javaString(offset)) for source partition \(javaString(partition)) is missing the '\(offsetKey)' key, which is required")
        }
        guard case .int64(let number) = value else {
            throw ConnectError("Source offset \(javaString(offset)) for source partition \(javaString(partition)) has an invalid value \(javaString(value)) for the '\(offsetKey)' key, which must be an integer")
        }
        if onlyZero && number != 0 {
            throw ConnectError("Source offset \(javaString(offset)) for source partition \(javaString(partition)) has an invalid value \(number) for the '\(offsetKey)' key; the only accepted value is 0")
        } else if !onlyZero && number < 0 {
            throw ConnectError("Source offset \(javaString(offset)) for source partition \(javaString(partition)) has an invalid value \(number) for the '\(offsetKey)' key, which cannot be negative")
        }
    }

    /// Validates offsets for `PATCH/DELETE /connectors/{name}/offsets` as Apache's
    /// `MirrorSourceConnector.alterOffsets` does: a `nil` offset (reset) is always accepted;
    /// otherwise the partition needs string `cluster` and `topic`, a non-negative int32
    /// `partition`, and the offset a non-negative integer `offset`.
    public static func validateAlteredOffsets(_ offsets: [SourcePartition: SourceOffset?]) throws(ConnectError) {
        for (partition, offset) in offsets {
            guard let offset else { continue }
            try validatePartitionString(partition, key: clusterKey)
            try validatePartitionString(partition, key: topicKey)
            try validatePartitionPartition(partition)
            try validateOffset(offset, partition: partition, onlyZero: false)
        }
    }

    /// A map as Java's `HashMap.toString()` prints it: `{key=value, ...}` in hash order.
    static func javaString(_ map: OffsetMap) -> String {
        let order = JavaCompat.hashSetOrder(map.keys)
        return "{" + order.map { "\($0)=\(javaString(map[$0] ?? .null))" }.joined(separator: ", ") + "}"
    }

    /// A value as Java's `toString()` prints it.
    static func javaString(_ value: OffsetValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .int64(let number): String(number)
        case .float64(let number): JavaCompat.doubleString(number)
        case .string(let text): text
        }
    }
}
