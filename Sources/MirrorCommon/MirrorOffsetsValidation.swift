import ConnectAPI

/// Checks of offsets submitted through `PATCH /connectors/{name}/offsets` for the checkpoint and
/// heartbeat connectors (Apache's `MirrorUtils.validateSource*`): their tasks always write
/// `{"offset":0}` and never read it back, so only that value is accepted.
public enum MirrorOffsetsValidation {
    public static let offsetKey = "offset"
    public static let partitionKey = "partition"

    /// `key` must be present in `partition` with a string value.
    public static func requireString(_ partition: SourcePartition, _ key: String) throws(ConnectError) {
        guard let value = partition[key] else {
            throw ConnectError("Source partition \(partition) is missing the '\(key)' key, which is required")
        }
        guard value.stringValue != nil else {
            throw ConnectError("Source partition \(partition) has an invalid value \(value) for the '\(key)' key, which must be a string")
        }
    }

    /// `partition` must hold a non-negative 32-bit integer under `partition`.
    public static func requirePartition(_ partition: SourcePartition) throws(ConnectError) {
        guard let value = partition[partitionKey] else {
            throw ConnectError("Source partition \(partition) is missing the '\(partitionKey)' key, which is required")
        }
        guard let number = value.int64Value, number <= Int64(Int32.max) else {
            throw ConnectError("Source partition \(partition) has an invalid value \(value) for the '\(partitionKey)' key, which must be an integer")
        }
        guard number >= 0 else {
            throw ConnectError("Source partition \(partition) has an invalid value \(value) for the '\(partitionKey)' key, which cannot be negative")
        }
    }

    /// `offset` must be `{"offset": 0}` (other keys are ignored, as Apache ignores them).
    public static func requireOffsetZero(partition: SourcePartition, offset: SourceOffset) throws(ConnectError) {
        guard let value = offset[offsetKey] else {
            throw ConnectError("Source offset \(offset) for source partition \(partition) is missing the '\(offsetKey)' key, which is required")
        }
        guard let number = value.int64Value else {
            throw ConnectError("Source offset \(offset) for source partition \(partition) has an invalid value \(value) for the '\(offsetKey)' key, which must be an integer")
        }
        guard number == 0 else {
            throw ConnectError("Source offset \(offset) for source partition \(partition) has an invalid value \(value) for the '\(offsetKey)' key; the only accepted value is 0")
        }
    }
}
