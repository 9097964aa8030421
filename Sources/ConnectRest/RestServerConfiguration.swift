/// Settings of the REST server, with Apache Kafka Connect's worker property names where one
/// exists (``init(workerProperties:)``).
public struct RestServerConfiguration: Sendable {
    /// `listeners`: where the Connect API is served, e.g. `http://:8083` (all interfaces) or
    /// `http://127.0.0.1:0` (any free port; see ``RestServer/boundListeners()``).
    public var listeners: [String]
    /// `admin.listeners`: `nil` serves `/admin` on ``listeners``; an empty list disables it;
    /// otherwise `/admin` is served only there.
    public var adminListeners: [String]?
    /// `rest.advertised.host.name`, `rest.advertised.port`, `rest.advertised.listener`: the URL
    /// other workers use to reach this one.
    public var advertisedHostName: String?
    public var advertisedPort: Int?
    public var advertisedListener: String?
    /// `topic.tracking.enable` / `topic.tracking.allow.reset` (403 on the topics endpoints when off).
    public var topicTrackingEnabled: Bool
    public var topicTrackingResetEnabled: Bool
    /// How long a request waits for the herder (Apache: 90 s), also used for forwarded requests.
    public var requestTimeout: Duration
    /// How long `GET /health` waits for the herder (Apache: 10 s).
    public var healthCheckTimeout: Duration
    /// Larger request bodies are rejected with 413.
    public var maximumRequestBodyBytes: Int
    /// Reported by `GET /`.
    public var version: String
    public var commit: String

    public init(
        listeners: [String] = ["http://:8083"],
        adminListeners: [String]? = nil,
        advertisedHostName: String? = nil,
        advertisedPort: Int? = nil,
        advertisedListener: String? = nil,
        topicTrackingEnabled: Bool = true,
        topicTrackingResetEnabled: Bool = true,
        requestTimeout: Duration = .seconds(90),
        healthCheckTimeout: Duration = .seconds(10),
        maximumRequestBodyBytes: Int = 10 << 20,
        version: String = "3.9.0",
        commit: String = "unknown"
    ) {
        self.listeners = listeners
        self.adminListeners = adminListeners
        self.advertisedHostName = advertisedHostName
        self.advertisedPort = advertisedPort
        self.advertisedListener = advertisedListener
        self.topicTrackingEnabled = topicTrackingEnabled
        self.topicTrackingResetEnabled = topicTrackingResetEnabled
        self.requestTimeout = requestTimeout
        self.healthCheckTimeout = healthCheckTimeout
        self.maximumRequestBodyBytes = maximumRequestBodyBytes
        self.version = version
        self.commit = commit
    }

    /// Reads the REST settings of a worker config: `listeners`, `admin.listeners`,
    /// `rest.advertised.host.name`, `rest.advertised.port`, `rest.advertised.listener`,
    /// `topic.tracking.enable`, `topic.tracking.allow.reset`. Other keys are ignored.
    /// - Throws: ``RestServerConfigurationError`` for an unparsable port or boolean.
    public init(workerProperties properties: [String: String]) throws(RestServerConfigurationError) {
        self.init()
        func list(_ key: String) -> [String]? {
            properties[key].map { value in
                value.split(separator: ",").map { $0.trimmingCharacters(in: " \t") }.filter { !$0.isEmpty }
            }
        }
        func bool(_ key: String, default defaultValue: Bool) throws(RestServerConfigurationError) -> Bool {
            guard let raw = properties[key]?.trimmingCharacters(in: " \t") else { return defaultValue }
            switch raw.lowercased() {
            case "true": return true
            case "false": return false
            default: throw RestServerConfigurationError("Invalid value \(raw) for configuration \(key): Expected value to be either true or false")
            }
        }
        if let listeners = list("listeners"), !listeners.isEmpty { self.listeners = listeners }
        adminListeners = list("admin.listeners")
        advertisedHostName = properties["rest.advertised.host.name"].flatMap { $0.isEmpty ? nil : $0 }
        if let port = properties["rest.advertised.port"]?.trimmingCharacters(in: " \t"), !port.isEmpty {
            guard let value = Int(port), (0...65535).contains(value) else {
                throw RestServerConfigurationError("Invalid value \(port) for configuration rest.advertised.port: Not a number of type INT")
            }
            advertisedPort = value
        }
        advertisedListener = properties["rest.advertised.listener"].flatMap { $0.isEmpty ? nil : $0 }
        topicTrackingEnabled = try bool("topic.tracking.enable", default: true)
        topicTrackingResetEnabled = try bool("topic.tracking.allow.reset", default: true)
    }
}

/// A REST server setting that cannot be used (bad listener URL, unsupported protocol).
public struct RestServerConfigurationError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

extension StringProtocol {
    func trimmingCharacters(in characters: String) -> String {
        let set = Set(characters)
        guard let first = firstIndex(where: { !set.contains($0) }), let last = lastIndex(where: { !set.contains($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
