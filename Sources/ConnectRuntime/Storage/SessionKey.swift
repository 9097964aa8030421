import ConnectAPI
import Foundation

/// The key workers use to sign internal REST requests (KIP-507), distributed through the
/// `session-key` config-topic record:
/// `{"key":"<base64>","algorithm":"HmacSHA256","creation-timestamp":<epoch ms>}`.
public struct SessionKey: Hashable, Sendable {
    /// The raw key bytes (base64 in the record).
    public var key: [UInt8]
    /// The JCA MAC algorithm name, e.g. `HmacSHA256`.
    public var algorithm: String
    /// Milliseconds since the epoch when the leader created the key.
    public var creationTimestamp: Int64

    public init(key: [UInt8], algorithm: String, creationTimestamp: Int64) {
        self.key = key
        self.algorithm = algorithm
        self.creationTimestamp = creationTimestamp
    }

    public func encoded() -> [UInt8] {
        ConnectJSON.serialize(JSONObject([
            "key": .string(Data(key).base64EncodedString()),
            "algorithm": .string(algorithm),
            "creation-timestamp": .integer(creationTimestamp),
        ]))
    }

    /// Accepts base64 with or without `=` padding, as Java's basic decoder does.
    /// - Throws: ``ConnectRuntimeError`` with code `malformedRecord` if a field is missing or
    ///   of the wrong type, or the key is not valid base64.
    public init(decoding bytes: [UInt8]) throws(ConnectRuntimeError) {
        let what = "session key record"
        let object = try ConnectJSON.parseRecordObject(bytes, what: what)
        var encodedKey = try object.string("key", in: what)
        if encodedKey.utf8.count % 4 != 0 {
            encodedKey += String(repeating: "=", count: 4 - encodedKey.utf8.count % 4)
        }
        guard let decodedKey = Data(base64Encoded: encodedKey) else {
            throw ConnectRuntimeError(.malformedRecord, "\(what): field 'key' is not valid base64")
        }
        key = Array(decodedKey)
        algorithm = try object.string("algorithm", in: what)
        creationTimestamp = try object.int64("creation-timestamp", in: what)
    }
}
