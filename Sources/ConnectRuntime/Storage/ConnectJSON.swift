import ConnectAPI

/// Internal-topic records are read with ConnectAPI's JSON codec (the package's one JSON
/// reader/writer); these wrappers report its failures as `malformedRecord` runtime errors.
extension ConnectJSON {
    static func parseRecord(_ bytes: [UInt8], what: String) throws(ConnectRuntimeError) -> JSONValue {
        do {
            return try parse(bytes, what: what)
        } catch {
            throw ConnectRuntimeError(.malformedRecord, error.message)
        }
    }

    static func parseRecordObject(_ bytes: [UInt8], what: String) throws(ConnectRuntimeError) -> JSONObject {
        do {
            return try parseObject(bytes, what: what)
        } catch {
            throw ConnectRuntimeError(.malformedRecord, error.message)
        }
    }
}

// MARK: Typed field access for record decoders

extension JSONObject {
    private func fieldError(_ key: String, _ expected: String, _ found: JSONValue?, _ what: String) -> ConnectRuntimeError {
        let actual = found.map(\.typeName) ?? "missing"
        return ConnectRuntimeError(.malformedRecord, "\(what): field '\(key)' should be \(expected) but is \(actual)")
    }

    func string(_ key: String, in what: String) throws(ConnectRuntimeError) -> String {
        guard case .string(let text)? = self[key] else { throw fieldError(key, "a string", self[key], what) }
        return text
    }

    /// A string field that may be absent or null; other types are an error.
    func optionalString(_ key: String, in what: String) throws(ConnectRuntimeError) -> String? {
        switch self[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other: throw fieldError(key, "a string or null", other, what)
        }
    }

    func int64(_ key: String, in what: String) throws(ConnectRuntimeError) -> Int64 {
        guard case .integer(let number)? = self[key] else { throw fieldError(key, "an integer", self[key], what) }
        return number
    }

    func int32(_ key: String, in what: String) throws(ConnectRuntimeError) -> Int32 {
        let number = try int64(key, in: what)
        guard let narrowed = Int32(exactly: number) else {
            throw ConnectRuntimeError(.malformedRecord, "\(what): field '\(key)' value \(number) does not fit in 32 bits")
        }
        return narrowed
    }

    func object(_ key: String, in what: String) throws(ConnectRuntimeError) -> JSONObject {
        guard case .object(let object)? = self[key] else { throw fieldError(key, "an object", self[key], what) }
        return object
    }

    /// A boolean field; absent or non-boolean values fall back to `defaultValue`.
    func bool(_ key: String, default defaultValue: Bool) -> Bool {
        guard case .bool(let flag)? = self[key] else { return defaultValue }
        return flag
    }
}
