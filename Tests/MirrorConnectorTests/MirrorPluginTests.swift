import ConnectAPI
import MirrorCheckpointConnector
import MirrorCommon
import MirrorHeartbeatConnector
import MirrorSourceConnector
import Testing

/// What the three MirrorMaker 2 plugins share as plugins.
@Suite struct MirrorPluginTests {
    @Test func connectorsAndTasksReportOneVersion() {
        let versions = [
            MirrorSourceConnector().version, MirrorSourceTask().version,
            MirrorCheckpointConnector().version, MirrorCheckpointTask().version,
            MirrorHeartbeatConnector().version, MirrorHeartbeatTask().version,
        ]
        #expect(versions == Array(repeating: "3.9.0", count: 6))
        #expect(MirrorPlugin.version == "3.9.0")
    }
}

/// `forwarding.admin.class` (KIP-787) names a class this runtime cannot load: anything but the
/// default is refused, by `validate` and by `start`, instead of being ignored.
@Suite struct ForwardingAdminClassTests {
    static let custom = ["forwarding.admin.class": "com.example.CloudAdmin"]

    @Test func validateRefusesACustomClassOnEveryConnector() {
        let connectors: [any Connector] = [MirrorSourceConnector(), MirrorCheckpointConnector(), MirrorHeartbeatConnector()]
        for connector in connectors {
            let errors = errorsByName(connector.validate(makeProps(clusterAddresses.merging(Self.custom) { $1 })))
            #expect(errors.keys.sorted() == ["forwarding.admin.class"], "\(type(of: connector)): \(errors)")
            let message = errors["forwarding.admin.class"]?.first ?? ""
            #expect(message.contains("Invalid value com.example.CloudAdmin for configuration forwarding.admin.class"), "\(message)")
            #expect(message.contains("only org.apache.kafka.clients.admin.ForwardingAdmin is available"), "\(message)")
            for accepted in ["org.apache.kafka.clients.admin.ForwardingAdmin", "ForwardingAdmin"] {
                let props = makeProps(clusterAddresses.merging(["forwarding.admin.class": accepted]) { $1 })
                #expect(errorsByName(connector.validate(props)).isEmpty, "\(type(of: connector)) refused \(accepted)")
            }
        }
    }

    @Test func startRefusesACustomClass() async {
        let props = makeProps(clusterAddresses.merging(Self.custom) { $1 })
        let connectors: [any Connector] = [MirrorSourceConnector(), MirrorCheckpointConnector(), MirrorHeartbeatConnector()]
        for connector in connectors {
            do {
                try await connector.start(props, context: RecordingConnectorContext())
                Issue.record("\(type(of: connector)) started with a custom forwarding.admin.class")
                await connector.stop()
            } catch {
                #expect("\(error)".contains("forwarding.admin.class"), "\(type(of: connector)): \(error)")
            }
        }
        #expect(throws: ConfigException.self) { try MirrorConnectorConfig(properties: props) }
    }
}
