import ConnectAPI

/// Every cluster operation the REST API needs, mirroring Apache Kafka's `Herder` interface.
///
/// The REST server is a thin layer over this protocol: it parses requests, calls one method and
/// renders the result. Implementations (`DistributedHerder`) report failures by throwing
/// ``ConnectRestError``; anything else becomes a 500 response with the error's description.
///
/// Leader-only writes throw ``ConnectRestError/notLeader(_:leaderURL:)`` on followers, and the
/// REST layer forwards the request to the leader (at most two hops, as Apache does). Restarts of
/// work running elsewhere throw ``ConnectRestError/notAssigned(_:ownerURL:)`` and are forwarded
/// the same way.
///
/// The REST server gives up waiting after its request timeout (90 s by default) and cancels the
/// awaiting call; implementations should let a queued request finish (as Apache's tick thread
/// does) and only drop the reply.
public protocol Herder: Sendable {
    // MARK: Worker state

    /// True once the herder has finished starting (Apache's `isReady`): joined the group and read
    /// the config topic.
    var isReady: Bool { get }

    /// Returns once the herder's request loop has processed a no-op request; used by
    /// `GET /health`, which treats a slow answer as "starting" or "unhealthy".
    func healthCheck() async throws

    /// What the herder's request loop is doing (or did last), for "Request timed out." messages;
    /// `nil` when unknown.
    func currentStage() -> HerderStage?

    /// The id of the Kafka cluster backing this Connect cluster (`GET /`).
    func kafkaClusterId() async throws -> String

    // MARK: Connectors

    /// The names of all connectors in the config snapshot.
    func connectors() async throws -> [String]

    /// - Throws: ``ConnectRestError`` `notFound` ("Connector X not found").
    func connectorInfo(_ connector: String) async throws -> ConnectorInfo

    func connectorConfig(_ connector: String) async throws -> [String: String]

    /// Task configs keyed by task id (deprecated `GET /connectors/{c}/tasks-config`).
    func tasksConfig(_ connector: String) async throws -> [ConnectorTaskId: [String: String]]

    /// Creates or replaces a connector's config. `config` always contains `name`.
    /// - Parameters:
    ///   - allowReplace: false for `POST /connectors` (an existing name is `alreadyExists`).
    ///   - initialState: the target state to write before the config (KIP-980); `nil` leaves the
    ///     default (`STARTED`) for new connectors.
    /// - Returns: whether the connector was created (201) rather than updated (200).
    func putConnectorConfig(
        _ connector: String,
        config: [String: String],
        allowReplace: Bool,
        initialState: TargetState?
    ) async throws -> (created: Bool, info: ConnectorInfo)

    /// Applies a KIP-477 patch: a `nil` value removes the key, others set it.
    func patchConnectorConfig(_ connector: String, patch: [String: String?]) async throws -> ConnectorInfo

    func deleteConnectorConfig(_ connector: String) async throws

    /// - Throws: ``ConnectRestError`` `notFound` ("No status found for connector X") when the
    ///   status topic has no status of the connector (Apache's `AbstractHerder.connectorStatus`).
    func connectorStatus(_ connector: String) async throws -> ConnectorStateInfo

    /// - Throws: ``ConnectRestError`` `notFound` ("No status found for task c-0").
    func taskStatus(_ task: ConnectorTaskId) async throws -> ConnectorStateInfo.TaskState

    func taskConfigs(_ connector: String) async throws -> [TaskInfo]

    /// The internal `POST /connectors/{c}/tasks` endpoint: a follower ships task configs it
    /// generated to the leader. The herder verifies `signature` against its session key
    /// (``InternalRequestSignature/isValid(key:)``) when the `sessioned` protocol is in use and
    /// throws Apache's rejections (``ConnectRestError/internalRequestMissingSignature``, 503 while no
    /// session key is known, 403 for a bad signature).
    func putTaskConfigs(_ connector: String, configs: [[String: String]], signature: InternalRequestSignature?) async throws

    /// Restarts a connector and, with the KIP-745 flags, its tasks.
    /// - Returns: `nil` exactly when both flags are false (the legacy 204 form); otherwise the
    ///   connector's status with the instances to be restarted marked `RESTARTING`.
    func restartConnector(_ connector: String, includeTasks: Bool, onlyFailed: Bool) async throws -> ConnectorStateInfo?

    /// - Throws: ``ConnectRestError`` `notFound` ("Unknown task: c-0") for unknown tasks.
    func restartTask(_ task: ConnectorTaskId) async throws

    /// Writes the `PAUSED` target state; any worker may do it (not forwarded).
    func pauseConnector(_ connector: String) async throws

    /// Writes the `STARTED` target state; any worker may do it (not forwarded).
    func resumeConnector(_ connector: String) async throws

    /// Writes empty task configs and the `STOPPED` target state (leader only).
    func stopConnector(_ connector: String) async throws

    // MARK: Offsets (KIP-875)

    func connectorOffsets(_ connector: String) async throws -> ConnectorOffsets

    /// - Parameter offsets: non-empty; a `nil` offset deletes that partition's offset.
    func alterConnectorOffsets(_ connector: String, offsets: ConnectorOffsets) async throws -> Message

    func resetConnectorOffsets(_ connector: String) async throws -> Message

    // MARK: Validation and plugins

    /// Validates a connector config (`PUT /connector-plugins/{p}/config/validate`).
    func validateConnectorConfig(_ config: [String: String]) async throws -> ConfigInfos

    /// Every installed plugin (connectors, converters, transformations, predicates, ...); the
    /// REST layer filters by ``PluginInfo/type`` for `connectorsOnly=true`.
    func connectorPlugins() async throws -> [PluginInfo]

    /// - Throws: ``ConnectRestError`` `notFound` ("Unknown plugin X.") for unknown plugins.
    func connectorPluginConfig(_ pluginName: String) async throws -> [ConfigKeyInfo]

    // MARK: Topic tracking (KIP-558)

    func connectorActiveTopics(_ connector: String) async throws -> ActiveTopicsInfo

    func resetConnectorActiveTopics(_ connector: String) async throws

    // MARK: Logging (KIP-976)

    /// Writes a `logger-cluster-<namespace>` record so every worker applies `level`
    /// (already validated as a log4j level name).
    func setClusterLoggerLevel(namespace: String, level: String) async throws
}
