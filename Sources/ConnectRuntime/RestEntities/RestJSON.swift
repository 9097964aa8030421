import ConnectAPI

/// JSON bodies of the REST API that are not a single entity: string lists and maps, task
/// configs, expansions, logger maps and the ConnectAPI validation types.
///
/// Output matches Jackson's compact form (see `ConnectJSON`); map keys are written sorted.
/// Input follows Jackson's `Map<String, String>` binding: numbers and booleans become their
/// text, objects and arrays are rejected.
public enum RestJSON {
    // MARK: Decoding request bodies

    /// A flat string map such as a connector config (`PUT /connectors/{c}/config`).
    /// - Throws: ``ConnectRestError`` `badRequest` for malformed JSON, a non-object body,
    ///   non-scalar or `null` values.
    public static func decodeStringMap(_ bytes: [UInt8], what: String = "connector config") throws(ConnectRestError) -> [String: String] {
        try stringMap(parseObject(bytes, what: what), in: what)
    }

    /// A KIP-477 config patch: `null` values mean "remove this key".
    public static func decodeStringPatch(_ bytes: [UInt8], what: String = "connector config patch") throws(ConnectRestError) -> [String: String?] {
        let object = try parseObject(bytes, what: what)
        var result: [String: String?] = [:]
        for member in object.members {
            result[member.key] = .some(try coerceToString(member.value, field: member.key, in: what))
        }
        return result
    }

    /// The body of the internal `POST /connectors/{c}/tasks`: a list of task configs.
    public static func decodeTaskConfigs(_ bytes: [UInt8]) throws(ConnectRestError) -> [[String: String]] {
        let what = "task configs"
        guard case .array(let elements) = try parse(bytes, what: what) else {
            throw .badRequest("The \(what) request body must be a JSON array")
        }
        var configs: [[String: String]] = []
        for element in elements {
            guard case .object(let object) = element else {
                throw .badRequest("Each of the \(what) must be a JSON object, not \(element.typeName)")
            }
            configs.append(try stringMap(object, in: what))
        }
        return configs
    }

    // MARK: Encoding response bodies

    /// `["a","b"]`, in the given order.
    public static func encode(strings: [String]) -> [UInt8] {
        ConnectJSON.serialize(.array(strings.map(JSONValue.string)))
    }

    /// A flat string map, keys sorted.
    public static func encode(stringMap: [String: String]) -> [UInt8] {
        ConnectJSON.serialize(.stringMap(stringMap))
    }

    /// Task configs as a follower sends them to the leader (`[{..},{..}]`).
    public static func encode(taskConfigs: [[String: String]]) -> [UInt8] {
        ConnectJSON.serialize(.array(taskConfigs.map(JSONValue.stringMap)))
    }

    /// The deprecated `tasks-config` map: `{"c-0":{..},"c-1":{..}}`, by task id.
    public static func encode(tasksConfig: [ConnectorTaskId: [String: String]]) -> [UInt8] {
        let members = tasksConfig.sorted { $0.key < $1.key }.map {
            JSONObject.Member(key: $0.key.description, value: .stringMap($0.value))
        }
        return ConnectJSON.serialize(.object(JSONObject(members)))
    }

    public static func encode(taskInfos: [TaskInfo]) -> [UInt8] {
        ConnectJSON.serialize(.array(taskInfos.map(\.json)))
    }

    public static func encode(plugins: [PluginInfo]) -> [UInt8] {
        ConnectJSON.serialize(.array(plugins.map(\.json)))
    }

    /// `{"<logger>":{"level","last_modified"}}`, loggers sorted by name.
    public static func encode(loggerLevels: [String: LoggerLevel]) -> [UInt8] {
        let members = loggerLevels.sorted { $0.key < $1.key }.map { JSONObject.Member(key: $0.key, value: $0.value.json) }
        return ConnectJSON.serialize(.object(JSONObject(members)))
    }

    /// `{"a":{"status":{..},"info":{..}},"b":{..}}`, in the given order.
    public static func encode(expansions: [ConnectorExpansion]) -> [UInt8] {
        let members = expansions.map { JSONObject.Member(key: $0.name, value: $0.json) }
        return ConnectJSON.serialize(.object(JSONObject(members)))
    }

    /// A validation result (`PUT /connector-plugins/{p}/config/validate`):
    /// `{"name","error_count","groups","configs":[{"definition":{..},"value":{..}}]}`.
    public static func encode(configInfos: ConfigInfos) -> [UInt8] {
        ConnectJSON.serialize(.object(JSONObject([
            "name": .string(configInfos.name),
            "error_count": .integer(Int64(configInfos.errorCount)),
            "groups": .array(configInfos.groups.map(JSONValue.string)),
            "configs": .array(configInfos.configs.map { info in
                .object(JSONObject([
                    "definition": info.definition.map(json(configKeyInfo:)) ?? .null,
                    "value": info.value.map(json(configValueInfo:)) ?? .null,
                ]))
            }),
        ])))
    }

    /// A plugin's config definition (`GET /connector-plugins/{p}/config`).
    public static func encode(configKeyInfos: [ConfigKeyInfo]) -> [UInt8] {
        ConnectJSON.serialize(.array(configKeyInfos.map(json(configKeyInfo:))))
    }

    /// Jackson writes the creator properties first and the getter-only `order` last.
    static func json(configKeyInfo key: ConfigKeyInfo) -> JSONValue {
        .object(JSONObject([
            "name": .string(key.name),
            "type": .string(key.type),
            "required": .bool(key.required),
            "default_value": key.defaultValue.map(JSONValue.string) ?? .null,
            "importance": .string(key.importance),
            "documentation": key.documentation.map(JSONValue.string) ?? .null,
            "group": key.group.map(JSONValue.string) ?? .null,
            "width": .string(key.width),
            "display_name": key.displayName.map(JSONValue.string) ?? .null,
            "dependents": .array(key.dependents.map(JSONValue.string)),
            "order": .integer(Int64(key.orderInGroup)),
        ]))
    }

    static func json(configValueInfo value: ConfigValueInfo) -> JSONValue {
        .object(JSONObject([
            "name": .string(value.name),
            "value": value.value.map(JSONValue.string) ?? .null,
            "recommended_values": .array(value.recommendedValues.map(JSONValue.string)),
            "errors": .array(value.errors.map(JSONValue.string)),
            "visible": .bool(value.visible),
        ]))
    }

    // MARK: Shared parsing helpers

    static func parse(_ bytes: [UInt8], what: String) throws(ConnectRestError) -> JSONValue {
        guard !bytes.isEmpty else {
            throw .badRequest("The \(what) is missing: the request body is empty")
        }
        do {
            return try ConnectJSON.parseRecord(bytes, what: "The \(what)")
        } catch {
            throw .badRequest(error.message)
        }
    }

    static func parseObject(_ bytes: [UInt8], what: String) throws(ConnectRestError) -> JSONObject {
        let value = try parse(bytes, what: what)
        guard case .object(let object) = value else {
            throw .badRequest("The \(what) must be a JSON object, not \(value.typeName)")
        }
        return object
    }

    /// Jackson's `String` binding: scalars become their text, `null` stays `nil`.
    static func coerceToString(_ value: JSONValue, field: String, in what: String) throws(ConnectRestError) -> String? {
        switch value {
        case .null: return nil
        case .string(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .integer(let number): return String(number)
        case .double(let number): return ConnectJSON.javaDoubleString(number)
        case .array, .object:
            throw .badRequest("Field '\(field)' of the \(what) must be a string, not \(value.typeName)")
        }
    }

    static func stringMap(_ object: JSONObject, in what: String) throws(ConnectRestError) -> [String: String] {
        var result: [String: String] = [:]
        for member in object.members {
            guard let text = try coerceToString(member.value, field: member.key, in: what) else {
                throw .badRequest("Field '\(member.key)' of the \(what) must be a string, not null")
            }
            result[member.key] = text
        }
        return result
    }

    static func offsetMap(_ value: JSONValue, field: String) throws(ConnectRestError) -> OffsetMap? {
        switch value {
        case .null: return nil
        case .object(let object):
            do {
                return try OffsetMap(json: object, in: "connector offset \(field)")
            } catch {
                throw .badRequest(error.message)
            }
        default:
            throw .badRequest("'\(field)' of a connector offset must be a JSON object or null, not \(value.typeName)")
        }
    }
}

extension JSONValue {
    /// A string map as a JSON object with sorted keys.
    static func stringMap(_ map: [String: String]) -> JSONValue {
        .object(JSONObject(map.sorted { $0.key < $1.key }.map { JSONObject.Member(key: $0.key, value: .string($0.value)) }))
    }
}
