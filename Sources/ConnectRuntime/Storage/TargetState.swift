import ConnectAPI
/// The state a connector should be in, stored in `target-state-<name>` config-topic records.
///
/// The record is `{"state":"<v1>","state.v2":"<v2>"}`: `state.v2` holds the real state and
/// `state` holds the same value except that `STOPPED` (added in 3.5, KIP-875) is written as
/// `PAUSED` for workers that only read `state`.
public enum TargetState: String, CaseIterable, Sendable {
    case started = "STARTED"
    case paused = "PAUSED"
    case stopped = "STOPPED"

    public func encoded() -> [UInt8] {
        let legacy: TargetState = self == .stopped ? .paused : self
        return ConnectJSON.serialize(JSONObject(["state": .string(legacy.rawValue), "state.v2": .string(rawValue)]))
    }

    /// Reads `state.v2` when it is a string, else falls back to `state` (records from older
    /// workers), as Apache does. Names are case-sensitive.
    /// - Throws: ``ConnectRuntimeError`` with code `malformedRecord` when neither field holds
    ///   a string or the chosen one is not a known state.
    public init(decoding bytes: [UInt8]) throws(ConnectRuntimeError) {
        let what = "target state record"
        let object = try ConnectJSON.parseRecordObject(bytes, what: what)
        let name: String
        if case .string(let v2)? = object["state.v2"] {
            name = v2
        } else {
            name = try object.string("state", in: what)
        }
        guard let state = TargetState(rawValue: name) else {
            throw ConnectRuntimeError(.malformedRecord, "\(what): unknown target state '\(name)'")
        }
        self = state
    }
}
