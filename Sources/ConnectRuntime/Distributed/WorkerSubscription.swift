import KafkaProtocol

/// The metadata a worker sends for one sub-protocol in JoinGroup.
///
/// Layout (Kafka protocol types, big-endian):
/// ```
/// version       INT16           header: 0 eager, 1 compatible, 2 sessioned
/// url           STRING          the worker's advertised REST URL
/// config-offset INT64           the latest config-topic offset the worker has read
/// allocation    NULLABLE_BYTES  V1+ only: the worker's current assignment, encoded as a
///                               ``WorkerAssignment`` under this subscription's version;
///                               null when the worker has none
/// ```
/// Readers ignore trailing bytes, so a V0 reader accepts V1/V2 metadata, and the V1 reader
/// treats a missing `allocation` (V0 metadata) as null.
public struct WorkerSubscription: Hashable, Sendable {
    public let version: Int16
    public let url: String
    public let configOffset: Int64
    /// The worker's current assignment (V1+). Encoding writes it under this subscription's
    /// ``version``, so a decoded allocation reports that version.
    public let allocation: WorkerAssignment?

    /// - Throws: ``ConnectRuntimeError`` with code `invalidArgument` for a negative version, a
    ///   `url` longer than a Kafka STRING, or an allocation on a version-0 subscription.
    public init(version: Int16, url: String, configOffset: Int64, allocation: WorkerAssignment? = nil) throws(ConnectRuntimeError) {
        guard version >= 0 else {
            throw ConnectRuntimeError(.invalidArgument, "Connect protocol version must not be negative, got \(version)")
        }
        guard version > 0 || allocation == nil else {
            throw ConnectRuntimeError(.invalidArgument, "version 0 (eager) subscriptions cannot carry an allocation")
        }
        try ConnectorTaskId.validateProtocolString(url, "worker URL")
        self.init(validatedVersion: version, url: url, configOffset: configOffset, allocation: allocation)
    }

    private init(validatedVersion version: Int16, url: String, configOffset: Int64, allocation: WorkerAssignment?) {
        self.version = version
        self.url = url
        self.configOffset = configOffset
        self.allocation = allocation
    }

    /// - Throws: ``KafkaProtocolEncodingError`` when the URL exceeds a Kafka STRING.
    public func encode() throws(KafkaProtocolEncodingError) -> [UInt8] {
        var writer = KafkaBinaryWriter(reservingCapacity: 32 + url.utf8.count)
        writer.writeInt16(version)
        try writer.writeString(url)
        writer.writeInt64(configOffset)
        if version > 0 {
            writer.writeNullableBytes(try allocation?.encode(headerVersion: version))
        }
        return writer.bytes
    }

    /// Decodes subscription metadata.
    ///
    /// With `.compatible` or `.sessioned` (the default) this reads like Apache's
    /// `IncrementalCooperativeConnectProtocol.deserializeMetadata`, which Apache's assignors use
    /// for every protocol; with `.eager` it reads like `ConnectProtocol.deserializeMetadata` and
    /// never looks at the allocation.
    /// - Throws: `KafkaProtocolDecodingError` for truncated or malformed input or a negative
    ///   version; errors inside the allocation report offsets in the outer buffer.
    public init(
        decoding bytes: [UInt8],
        compatibility: ConnectProtocolCompatibility = .sessioned
    ) throws(KafkaProtocolDecodingError) {
        var reader = KafkaBinaryReader(bytes)
        let version = try WorkerAssignment.readVersion(from: &reader)
        let url = try reader.readString()
        let configOffset = try reader.readInt64()
        var allocation: WorkerAssignment?
        if compatibility.isIncremental, !reader.isAtEnd, let embedded = try reader.readNullableBytes() {
            do {
                allocation = try WorkerAssignment(decoding: embedded, compatibility: compatibility)
            } catch {
                let start = reader.offset - embedded.count
                throw KafkaProtocolDecodingError("in allocation: \(error.message)", at: start + error.offset)
            }
        }
        self.init(validatedVersion: version, url: url, configOffset: configOffset, allocation: allocation)
    }
}
