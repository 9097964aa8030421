import ConnectAPI
/// The body of `POST /connectors`: `{"name","config":{..},"initial_state"}`.
public struct CreateConnectorRequest: Sendable, Hashable {
    /// The state a new connector starts in (KIP-980, 3.7); case-insensitive on input.
    public enum InitialState: String, Sendable, Hashable, CaseIterable {
        case running = "RUNNING"
        case paused = "PAUSED"
        case stopped = "STOPPED"

        public var targetState: TargetState {
            switch self {
            case .running: .started
            case .paused: .paused
            case .stopped: .stopped
            }
        }
    }

    public var name: String?
    public var config: [String: String]?
    public var initialState: InitialState?

    public init(name: String?, config: [String: String]?, initialState: InitialState? = nil) {
        self.name = name
        self.config = config
        self.initialState = initialState
    }

    /// Parses a request body. Scalar config values (numbers, booleans) become strings, as
    /// Jackson's `Map<String, String>` binding does.
    /// - Throws: ``ConnectRestError`` `badRequest` for malformed JSON, unknown fields, non-scalar
    ///   config values or an unknown `initial_state`.
    public init(jsonBytes bytes: [UInt8]) throws(ConnectRestError) {
        let what = "create connector request"
        let object = try RestJSON.parseObject(bytes, what: what)
        var name: String?
        var config: [String: String]?
        var initialState: InitialState?
        for member in object.members {
            switch member.key {
            case "name":
                name = try RestJSON.coerceToString(member.value, field: "name", in: what)
            case "config":
                switch member.value {
                case .null: config = nil
                case .object(let map): config = try RestJSON.stringMap(map, in: "connector config")
                default: throw .badRequest("The 'config' of a \(what) must be a JSON object, not \(member.value.typeName)")
                }
            case "initial_state":
                guard let text = try RestJSON.coerceToString(member.value, field: "initial_state", in: what) else {
                    initialState = nil
                    continue
                }
                guard let state = InitialState(rawValue: text.uppercased()) else {
                    throw .badRequest(
                        "Invalid initial_state '\(text)'; expected one of "
                            + InitialState.allCases.map(\.rawValue).joined(separator: ", "))
                }
                initialState = state
            default:
                throw .badRequest("Unrecognized field \"\(member.key)\" in \(what)")
            }
        }
        self.init(name: name, config: config, initialState: initialState)
    }

    var json: JSONValue {
        .object(JSONObject([
            "name": name.map(JSONValue.string) ?? .null,
            "config": config.map(JSONValue.stringMap) ?? .null,
            "initial_state": initialState.map { .string($0.rawValue) } ?? .null,
        ]))
    }

    public func jsonBytes() -> [UInt8] { ConnectJSON.serialize(json) }
}
