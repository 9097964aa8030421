import KafkaProtocol

/// One member of the Connect worker group as the leader sees it in the JoinGroup response:
/// its member id and its decoded subscription (REST URL, config offset, current allocation).
public struct ConnectGroupMember: Hashable, Sendable {
    public let memberId: String
    public let subscription: WorkerSubscription

    public init(memberId: String, subscription: WorkerSubscription) {
        self.memberId = memberId
        self.subscription = subscription
    }

    /// Decodes the member's JoinGroup metadata the way Apache's assignors do for every
    /// sub-protocol: with the incremental (V1) reader, so V1/V2 allocations are kept and V0
    /// metadata reads with no allocation.
    /// - Throws: `KafkaProtocolDecodingError` for malformed metadata.
    public init(memberId: String, metadata: [UInt8]) throws(KafkaProtocolDecodingError) {
        self.memberId = memberId
        self.subscription = try WorkerSubscription(decoding: metadata, compatibility: .sessioned)
    }

    /// The connectors the member says it runs (empty without an allocation), duplicates removed.
    var ownedConnectors: [String] { Self.unique(subscription.allocation?.connectors ?? []) }

    /// The tasks the member says it runs (empty without an allocation), duplicates removed.
    var ownedTasks: [ConnectorTaskId] { Self.unique(subscription.allocation?.tasks ?? []) }

    private static func unique<Element: Hashable>(_ values: [Element]) -> [Element] {
        var seen = Set<Element>()
        return values.filter { seen.insert($0).inserted }
    }
}
