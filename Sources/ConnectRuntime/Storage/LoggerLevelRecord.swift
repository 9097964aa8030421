import ConnectAPI
/// The value of a `logger-cluster-<namespace>` config-topic record: `{"level":"<LEVEL>"}`,
/// a cluster-wide log level change (KIP-976).
public struct LoggerLevelRecord: Hashable, Sendable {
    public var level: String

    public init(level: String) {
        self.level = level
    }

    public func encoded() -> [UInt8] {
        ConnectJSON.serialize(JSONObject(["level": .string(level)]))
    }

    /// - Throws: ``ConnectRuntimeError`` with code `malformedRecord` unless `level` is a string.
    public init(decoding bytes: [UInt8]) throws(ConnectRuntimeError) {
        let what = "logger level record"
        level = try ConnectJSON.parseRecordObject(bytes, what: what).string("level", in: what)
    }
}
