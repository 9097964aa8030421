/// The `connect.protocol` modes of a worker and the group sub-protocol each one names.
///
/// | mode         | sub-protocol name | metadata version | offers (in preference order)          |
/// |--------------|-------------------|------------------|---------------------------------------|
/// | `eager`      | `default`         | 0                | `default`                             |
/// | `compatible` | `compatible`      | 1                | `compatible`, `default`               |
/// | `sessioned`  | `sessioned`       | 2                | `sessioned`, `compatible`, `default`  |
///
/// Version 2 has the same layout as version 1; it signals that the group distributes session
/// keys and verifies internal REST requests (KIP-507).
public enum ConnectProtocolCompatibility: String, CaseIterable, Sendable, CustomStringConvertible {
    case eager
    case compatible
    case sessioned

    /// The JoinGroup `protocol_type` of every Connect worker group.
    public static let protocolType = "connect"

    /// Looks up a mode by its `connect.protocol` value, ignoring case.
    public init?(configValue: String) {
        guard let mode = Self.allCases.first(where: { $0.rawValue == configValue.lowercased() }) else { return nil }
        self = mode
    }

    /// Looks up a mode by the sub-protocol name chosen by the group coordinator, ignoring case.
    public init?(protocolName: String) {
        guard let mode = Self.allCases.first(where: { $0.protocolName == protocolName.lowercased() }) else { return nil }
        self = mode
    }

    /// Looks up a mode by metadata version (0, 1 or 2).
    public init?(protocolVersion: Int16) {
        guard let mode = Self.allCases.first(where: { $0.protocolVersion == protocolVersion }) else { return nil }
        self = mode
    }

    /// The sub-protocol name sent in JoinGroup.
    public var protocolName: String {
        switch self {
        case .eager: "default"
        case .compatible: "compatible"
        case .sessioned: "sessioned"
        }
    }

    /// The version written in the header of this mode's subscription and assignment metadata.
    public var protocolVersion: Int16 {
        switch self {
        case .eager: 0
        case .compatible: 1
        case .sessioned: 2
        }
    }

    /// Whether rebalances revoke only moved work (KIP-415) instead of everything.
    public var isIncremental: Bool { self != .eager }

    /// The sub-protocols a worker in this mode offers, most preferred first.
    public var offeredProtocols: [ConnectProtocolCompatibility] {
        switch self {
        case .eager: [.eager]
        case .compatible: [.compatible, .eager]
        case .sessioned: [.sessioned, .compatible, .eager]
        }
    }

    /// The JoinGroup protocols (name and metadata) a worker in this mode sends. The eager
    /// entry never carries the current assignment; the incremental ones do.
    /// - Throws: ``ConnectRuntimeError`` if `url` does not fit in a Kafka STRING.
    public func joinGroupProtocols(
        url: String,
        configOffset: Int64,
        assignment: WorkerAssignment?
    ) throws(ConnectRuntimeError) -> [(name: String, metadata: [UInt8])] {
        var protocols: [(name: String, metadata: [UInt8])] = []
        for offered in offeredProtocols {
            let subscription = try WorkerSubscription(
                version: offered.protocolVersion,
                url: url,
                configOffset: configOffset,
                allocation: offered.isIncremental ? assignment : nil
            )
            do {
                protocols.append((offered.protocolName, try subscription.encode()))
            } catch {
                throw ConnectRuntimeError(.invalidArgument, "cannot encode the \(offered.protocolName) subscription: \(error.message)")
            }
        }
        return protocols
    }

    public var description: String { rawValue }
}
