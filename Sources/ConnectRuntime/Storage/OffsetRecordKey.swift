import ConnectAPI
/// The key of an offsets-topic record: the JSON array `["<connector>", {<source partition>}]`
/// that a source task's offset commit writes (as Apache's `OffsetStorageWriter` does).
public struct OffsetRecordKey: Hashable, Sendable {
    public var connector: String
    public var partition: OffsetMap

    public init(connector: String, partition: OffsetMap) {
        self.connector = connector
        self.partition = partition
    }

    /// The compact JSON bytes, with the partition's fields in their stored order.
    public func encoded() -> [UInt8] {
        ConnectJSON.serialize(.array([.string(connector), partition.json]))
    }

    /// Decodes a key, accepting exactly what `OffsetUtils.processPartitionKey` accepts: a
    /// two-element array of a string and an object.
    /// - Throws: ``ConnectRuntimeError`` with code `malformedRecord` otherwise, including for a
    ///   `null` partition (which Apache's reader skips) and for nested values in the partition.
    public init(decoding bytes: [UInt8]) throws(ConnectRuntimeError) {
        let what = "offset record key"
        let value = try ConnectJSON.parseRecord(bytes, what: what)
        guard case .array(let elements) = value else {
            throw ConnectRuntimeError(.malformedRecord, "\(what) must be a JSON array but is \(value.typeName)")
        }
        guard elements.count == 2 else {
            throw ConnectRuntimeError(.malformedRecord, "\(what) must have 2 elements but has \(elements.count)")
        }
        guard case .string(let connector) = elements[0] else {
            throw ConnectRuntimeError(.malformedRecord, "\(what): first element must be the connector name but is \(elements[0].typeName)")
        }
        guard case .object(let partition) = elements[1] else {
            throw ConnectRuntimeError(.malformedRecord, "\(what): second element must be the source partition object but is \(elements[1].typeName)")
        }
        self.connector = connector
        self.partition = try OffsetMap(json: partition, in: what)
    }
}
