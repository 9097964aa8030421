import ConnectAPI
import Foundation
import Logging
import MirrorClient
import MirrorCommon
import Synchronization

/// Emits one heartbeat every `emit.heartbeats.interval.seconds` (Apache's `MirrorHeartbeatTask`):
/// `Heartbeat(source, target, now)` to partition 0 of the `heartbeats` topic, with source
/// partition `{"sourceClusterAlias","targetClusterAlias"}` and source offset `{"offset":0}`.
public final class MirrorHeartbeatTask: SourceTask {
    public static let className = "org.apache.kafka.connect.mirror.MirrorHeartbeatTask"

    private struct Settings: Sendable {
        let sourceClusterAlias: String
        let targetClusterAlias: String
        let heartbeatsTopic: String
        let interval: Duration
    }

    private let settings = Mutex<Settings?>(nil)

    public init() {}

    public var version: String { MirrorPlugin.version }

    public func start(_ props: [String: String], context: any SourceTaskContext) async throws {
        let config = try MirrorHeartbeatConfig(props)
        let policy = try config.common.replicationPolicy()
        let interval = config.emitHeartbeatsInterval ?? .seconds(MirrorHeartbeatConfig.Defaults.emitHeartbeatsIntervalSeconds)
        settings.withLock {
            $0 = Settings(sourceClusterAlias: config.common.sourceClusterAlias, targetClusterAlias: config.common.targetClusterAlias,
                          heartbeatsTopic: policy.heartbeatsTopic, interval: interval)
        }
    }

    /// Waits one interval, then returns one heartbeat.
    public func poll() async throws -> [SourceRecord] {
        guard let settings = settings.withLock({ $0 }) else { throw ConnectError("MirrorHeartbeatTask was not started") }
        try await Task.sleep(for: settings.interval)
        let timestamp = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        let heartbeat = Heartbeat(
            sourceClusterAlias: settings.sourceClusterAlias, targetClusterAlias: settings.targetClusterAlias, timestamp: timestamp)
        return [try Self.heartbeatRecord(heartbeat, topic: settings.heartbeatsTopic)]
    }

    public func stop() async {}

    /// The record of a heartbeat: partition 0 of `topic`, timestamped with the heartbeat's time.
    public static func heartbeatRecord(_ heartbeat: Heartbeat, topic: String) throws -> SourceRecord {
        SourceRecord(
            sourcePartition: [
                Heartbeat.sourceClusterAliasKey: .string(heartbeat.sourceClusterAlias),
                Heartbeat.targetClusterAliasKey: .string(heartbeat.targetClusterAlias),
            ],
            sourceOffset: ["offset": 0],
            topic: topic,
            kafkaPartition: 0,
            keySchema: .bytes, key: .bytes(try heartbeat.encodeKey()),
            valueSchema: .bytes, value: .bytes(heartbeat.encodeValue()),
            timestamp: heartbeat.timestamp)
    }
}
