/// A failure of a REST-facing operation, carrying the HTTP status and the message of Apache
/// Kafka Connect's `{"error_code": <status>, "message": "..."}` error body.
///
/// Herders throw it (Apache's `NotFoundException`, `AlreadyExistsException`,
/// `BadRequestException`, `NotLeaderException`, ...); the REST server renders it. Two kinds are
/// not answers but directions: ``Code/notLeader`` and ``Code/notAssigned`` carry the URL of the
/// worker that can serve the request, and the REST server forwards the request there.
public struct ConnectRestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is. New codes can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String, Hashable, Sendable {
            case notFound, alreadyExists, badRequest, conflict, rebalanceNeeded, notLeader, notAssigned
            case requestTimeout, forbidden, serviceUnavailable, methodNotAllowed, payloadTooLarge, internalError
            case other
        }

        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// 404: unknown connector, task, plugin or logger.
        public static let notFound = Code(.notFound)
        /// 409: a connector with that name exists.
        public static let alreadyExists = Code(.alreadyExists)
        /// 400: invalid input.
        public static let badRequest = Code(.badRequest)
        /// 409: a conflicting operation (Apache's 409 `ConnectRestException`s).
        public static let conflict = Code(.conflict)
        /// The herder's config snapshot is stale (Apache's `RebalanceNeededException`): 409 on
    /// forwardable requests, 500 elsewhere, as in Apache.
        public static let rebalanceNeeded = Code(.rebalanceNeeded)
        /// Only the leader may do this; forward to ``ConnectRestError/forwardURL``.
        public static let notLeader = Code(.notLeader)
        /// The work runs on another worker; forward to ``ConnectRestError/forwardURL``.
        public static let notAssigned = Code(.notAssigned)
        /// 500: the herder did not answer in time.
        public static let requestTimeout = Code(.requestTimeout)
        /// 403.
        public static let forbidden = Code(.forbidden)
        /// 503.
        public static let serviceUnavailable = Code(.serviceUnavailable)
        /// 405.
        public static let methodNotAllowed = Code(.methodNotAllowed)
        /// 413.
        public static let payloadTooLarge = Code(.payloadTooLarge)
        /// 500.
        public static let internalError = Code(.internalError)
        /// Any other status, e.g. one relayed from a forwarded request.
        public static let other = Code(.other)

        public var description: String { backing.rawValue }
    }

    public var code: Code
    /// The HTTP status of the response.
    public var status: Int
    public var message: String
    /// For ``Code/notLeader`` and ``Code/notAssigned``: the REST URL of the worker to forward to,
    /// `nil` when it is not known (e.g. during a rebalance).
    public var forwardURL: String?

    public init(code: Code, status: Int, message: String, forwardURL: String? = nil) {
        self.code = code
        self.status = status
        self.message = message
        self.forwardURL = forwardURL
    }

    public var description: String { "\(status) \(code): \(message)" }

    // MARK: Apache's exceptions

    public static func notFound(_ message: String) -> ConnectRestError {
        ConnectRestError(code: .notFound, status: 404, message: message)
    }

    /// "Connector X not found".
    public static func connectorNotFound(_ connector: String) -> ConnectRestError {
        notFound("Connector \(connector) not found")
    }

    /// "No status found for connector X" (`GET /connectors/{c}/status`).
    public static func noStatusFound(connector: String) -> ConnectRestError {
        notFound("No status found for connector \(connector)")
    }

    /// "No status found for task c-0" (`GET /connectors/{c}/tasks/{n}/status`).
    public static func noStatusFound(task: ConnectorTaskId) -> ConnectRestError {
        notFound("No status found for task \(task)")
    }

    /// "Unknown task: c-0".
    public static func unknownTask(_ task: ConnectorTaskId) -> ConnectRestError {
        notFound("Unknown task: \(task)")
    }

    public static func alreadyExists(_ message: String) -> ConnectRestError {
        ConnectRestError(code: .alreadyExists, status: 409, message: message)
    }

    /// "Connector X already exists".
    public static func connectorAlreadyExists(_ connector: String) -> ConnectRestError {
        alreadyExists("Connector \(connector) already exists")
    }

    public static func badRequest(_ message: String) -> ConnectRestError {
        ConnectRestError(code: .badRequest, status: 400, message: message)
    }

    public static func conflict(_ message: String) -> ConnectRestError {
        ConnectRestError(code: .conflict, status: 409, message: message)
    }

    /// The herder must rebalance before it can serve the request; on forwardable requests the
    /// REST layer answers 409 with ``staleConfigurationMessage``, elsewhere 500 with `message`.
    public static func rebalanceNeeded(
        _ message: String = "Request cannot be completed because a rebalance is expected"
    ) -> ConnectRestError {
        ConnectRestError(code: .rebalanceNeeded, status: 500, message: message)
    }

    /// Only the leader can do this (e.g. "Only the leader can set connector configs.").
    public static func notLeader(_ message: String, leaderURL: String?) -> ConnectRestError {
        ConnectRestError(code: .notLeader, status: 500, message: message, forwardURL: leaderURL)
    }

    /// The connector or task runs on another worker
    /// (e.g. "Cannot restart task since it is not assigned to this member").
    public static func notAssigned(_ message: String, ownerURL: String?) -> ConnectRestError {
        ConnectRestError(code: .notAssigned, status: 500, message: message, forwardURL: ownerURL)
    }

    /// 500 "Request timed out. <stage summary>" (or "Request timed out" without a stage).
    public static func requestTimeout(stage: HerderStage?) -> ConnectRestError {
        let message = stage.map { "Request timed out. " + $0.summary } ?? "Request timed out"
        return ConnectRestError(code: .requestTimeout, status: 500, message: message)
    }

    public static func forbidden(_ message: String) -> ConnectRestError {
        ConnectRestError(code: .forbidden, status: 403, message: message)
    }

    public static func serviceUnavailable(_ message: String) -> ConnectRestError {
        ConnectRestError(code: .serviceUnavailable, status: 503, message: message)
    }

    public static func internalError(_ message: String) -> ConnectRestError {
        ConnectRestError(code: .internalError, status: 500, message: message)
    }

    // MARK: Messages the REST layer uses

    /// 409 when a request should be forwarded but no leader URL is known.
    public static let noKnownLeaderMessage =
        "Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway."
    /// 409 when a forwarded request would need a third hop.
    public static let conflictingOperationMessage =
        "Cannot complete request because of a conflicting operation (e.g. worker rebalance)"
    /// 409 for ``Code/rebalanceNeeded``.
    public static let staleConfigurationMessage =
        "Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)"

    // MARK: Internal request signatures (DistributedHerder's checks)

    /// 400 "Internal request missing required signature".
    public static let internalRequestMissingSignature = badRequest("Internal request missing required signature")

    /// 400 when another worker signed with an algorithm this worker does not accept.
    /// - Parameter allowed: the worker's `inter.worker.verification.algorithms`.
    public static func unsupportedSignatureAlgorithm(_ algorithm: String, allowed: [String]) -> ConnectRestError {
        badRequest(
            "This worker does not support the '\(algorithm)' key signing algorithm used by other workers. "
                + "This worker is currently configured to use: [\(allowed.joined(separator: ", "))]. "
                + "Check that all workers' configuration files permit the same set of signature algorithms, "
                + "and correct any misconfigured worker and restart it."
        )
    }

    /// 503 while the worker has not read a session key yet.
    public static let noSessionKeyYet = serviceUnavailable(
        "This worker is still starting up and has not been able to read a session key from the config topic yet"
    )

    /// 403 "Internal request contained invalid signature."
    public static let invalidSignature = forbidden("Internal request contained invalid signature.")
}
