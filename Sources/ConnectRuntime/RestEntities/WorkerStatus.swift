import ConnectAPI
/// The body of `GET /health` (KIP-1017): `{"status","message"}`.
public struct WorkerStatus: Sendable, Hashable {
    public var status: String
    public var message: String

    public init(status: String, message: String) {
        self.status = status
        self.message = message
    }

    /// 200: startup finished and the herder answers.
    public static let healthy = WorkerStatus(
        status: "healthy", message: "Worker has completed startup and is ready to handle requests.")

    /// 503: the herder has not finished starting.
    public static func starting(_ details: String?) -> WorkerStatus {
        WorkerStatus(status: "starting", message: "Worker is still starting up." + (details.map { " " + $0 } ?? ""))
    }

    /// 500: the herder did not answer in time after startup.
    public static func unhealthy(_ details: String?) -> WorkerStatus {
        WorkerStatus(
            status: "unhealthy",
            message: "Worker was unable to handle this request and may be unable to handle other requests."
                + (details.map { " " + $0 } ?? ""))
    }

    var json: JSONValue { .object(JSONObject(["status": .string(status), "message": .string(message)])) }

    public func jsonBytes() -> [UInt8] { ConnectJSON.serialize(json) }
}
