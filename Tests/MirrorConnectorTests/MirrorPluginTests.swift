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
