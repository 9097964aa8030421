/// What the leader remembers after assigning work: every member's REST URL and which member
/// runs each connector and task (Apache's `WorkerCoordinator.LeaderState`). The herder uses it
/// to find the worker a request (for example a restart) must be forwarded to.
public struct ConnectLeaderState: Hashable, Sendable {
    /// REST URL per member id.
    public let memberUrls: [String: String]
    /// Owning member id per connector.
    public let connectorOwners: [String: String]
    /// Owning member id per task.
    public let taskOwners: [ConnectorTaskId: String]

    public init(memberUrls: [String: String], connectorOwners: [String: String], taskOwners: [ConnectorTaskId: String]) {
        self.memberUrls = memberUrls
        self.connectorOwners = connectorOwners
        self.taskOwners = taskOwners
    }

    /// The REST URL of the member running `connector`, if any.
    public func ownerUrl(connector: String) -> String? {
        connectorOwners[connector].flatMap { memberUrls[$0] }
    }

    /// The REST URL of the member running `task`, if any.
    public func ownerUrl(task: ConnectorTaskId) -> String? {
        taskOwners[task].flatMap { memberUrls[$0] }
    }
}
