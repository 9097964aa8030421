/// What the three MirrorMaker 2 plugins have in common as plugins.
public enum MirrorPlugin {
    /// The version every MirrorMaker 2 connector and task reports (`GET /connector-plugins`):
    /// like Apache Kafka's, which report their Kafka release, it names the release whose
    /// MirrorMaker 2 properties, defaults and record formats they match.
    public static let version = "3.9.0"
}
