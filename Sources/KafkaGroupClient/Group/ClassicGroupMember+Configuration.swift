extension ClassicGroupMember {
    /// Settings of a classic group member. Defaults are Kafka Connect's worker defaults; the
    /// Java property each one corresponds to is named in its comment.
    public struct Configuration: Sendable {
        /// `bootstrap.servers`: comma-separated `host:port` list, tried in order.
        public var bootstrapServers: String
        /// `group.id`.
        public var groupId: String
        /// `client.id`, sent in every request header.
        public var clientId: String
        /// The group's protocol type; every member must use the same one (`connect` for Connect).
        public var protocolType: String
        /// `session.timeout.ms` (10 s). Brokers only accept values within their
        /// `group.min.session.timeout.ms`..`group.max.session.timeout.ms` (6 s..30 min by default).
        public var sessionTimeout: Duration
        /// `rebalance.timeout.ms` (60 s): how long the coordinator waits for members to rejoin,
        /// and how long the leader may take to compute the assignment.
        public var rebalanceTimeout: Duration
        /// `heartbeat.interval.ms` (3 s).
        public var heartbeatInterval: Duration
        /// `retry.backoff.ms` (100 ms): first pause before retrying a failed request; doubles
        /// per consecutive failure up to ``retryBackoffMax``.
        public var retryBackoff: Duration
        /// `retry.backoff.max.ms` (1 s).
        public var retryBackoffMax: Duration
        /// `request.timeout.ms` (40 s) for requests other than JoinGroup and SyncGroup, which
        /// wait up to ``rebalanceTimeout`` plus 5 s, and Heartbeat, which waits at most
        /// ``sessionTimeout``.
        public var requestTimeout: Duration
        /// `socket.connection.setup.timeout.ms` (10 s): TCP connect timeout per broker.
        public var connectionSetupTimeout: Duration
        /// How long the coordinator may stay unreachable before a member holding an
        /// assignment is told it lost it (``GroupMembershipLossReason/coordinatorUnavailable``).
        /// Connect uses the heartbeat interval; nil means the same here.
        public var coordinatorDiscoveryTimeout: Duration?
        /// How long ``ClassicGroupMember/run(delegate:)`` keeps trying to reach its first
        /// coordinator before it throws the connection errors (nil: forever). After the first
        /// success, connection errors are retried forever, as Kafka clients do.
        public var bootstrapTimeout: Duration?
        /// The least time a member spends in a generation it completed before it starts the
        /// next rebalance itself (``ClassicGroupMember/requestRejoin(reason:)``, or a heartbeat
        /// that found the group rebalancing). No Java property: Kafka clients rejoin at once.
        /// Rejoin requests arriving meanwhile are served by one rebalance, and every member's
        /// pending JoinGroup or SyncGroup is answered before the next rebalance starts (noida-db
        /// answers them by polling; a generation that ended within a poll left a member's
        /// JoinGroup unanswered until the rebalance timeout).
        public var minimumGenerationTime: Duration
        /// Sent in ApiVersions v3+ (`client_software_name`/`_version`).
        public var clientSoftwareName: String
        public var clientSoftwareVersion: String

        public init(
            bootstrapServers: String,
            groupId: String,
            clientId: String = "swift-connect",
            protocolType: String = "connect",
            sessionTimeout: Duration = .seconds(10),
            rebalanceTimeout: Duration = .seconds(60),
            heartbeatInterval: Duration = .seconds(3),
            retryBackoff: Duration = .milliseconds(100),
            retryBackoffMax: Duration = .seconds(1),
            requestTimeout: Duration = .seconds(40),
            connectionSetupTimeout: Duration = .seconds(10),
            coordinatorDiscoveryTimeout: Duration? = nil,
            bootstrapTimeout: Duration? = .seconds(60),
            minimumGenerationTime: Duration = .milliseconds(250),
            clientSoftwareName: String = "swift-connect",
            clientSoftwareVersion: String = "0.1.0"
        ) {
            self.bootstrapServers = bootstrapServers
            self.groupId = groupId
            self.clientId = clientId
            self.protocolType = protocolType
            self.sessionTimeout = sessionTimeout
            self.rebalanceTimeout = rebalanceTimeout
            self.heartbeatInterval = heartbeatInterval
            self.retryBackoff = retryBackoff
            self.retryBackoffMax = retryBackoffMax
            self.requestTimeout = requestTimeout
            self.connectionSetupTimeout = connectionSetupTimeout
            self.coordinatorDiscoveryTimeout = coordinatorDiscoveryTimeout
            self.bootstrapTimeout = bootstrapTimeout
            self.minimumGenerationTime = minimumGenerationTime
            self.clientSoftwareName = clientSoftwareName
            self.clientSoftwareVersion = clientSoftwareVersion
        }

        /// Checks the settings and parses the bootstrap list.
        func validated() throws(KafkaGroupClientError) -> [KafkaBrokerAddress] {
            let brokers = try KafkaBrokerAddress.parseList(bootstrapServers)
            guard !groupId.isEmpty else { throw KafkaGroupClientError(.configuration, "group.id must not be empty") }
            guard !protocolType.isEmpty else { throw KafkaGroupClientError(.configuration, "the protocol type must not be empty") }
            for (name, value) in [
                ("session.timeout.ms", sessionTimeout), ("rebalance.timeout.ms", rebalanceTimeout),
                ("heartbeat.interval.ms", heartbeatInterval), ("request.timeout.ms", requestTimeout),
                ("socket.connection.setup.timeout.ms", connectionSetupTimeout),
            ] {
                guard value > .zero, value.milliseconds <= Int(Int32.max) else {
                    throw KafkaGroupClientError(.configuration, "\(name) must be between 1 and \(Int32.max) ms, got \(value)")
                }
            }
            guard heartbeatInterval < sessionTimeout else {
                throw KafkaGroupClientError(.configuration, "heartbeat.interval.ms must be lower than session.timeout.ms")
            }
            guard minimumGenerationTime >= .zero else {
                throw KafkaGroupClientError(.configuration, "the minimum generation time must not be negative")
            }
            guard retryBackoff >= .zero, retryBackoffMax >= retryBackoff else {
                throw KafkaGroupClientError(.configuration, "retry.backoff.ms must be >= 0 and <= retry.backoff.max.ms")
            }
            return brokers
        }

        var identity: KafkaBrokerConnection.ClientIdentity {
            .init(clientId: clientId, softwareName: clientSoftwareName, softwareVersion: clientSoftwareVersion)
        }

        /// JoinGroup and SyncGroup wait for the whole group (Kafka allows 5 s on top).
        var joinRequestTimeout: Duration { max(requestTimeout, rebalanceTimeout + .seconds(5)) }
        var heartbeatRequestTimeout: Duration { min(requestTimeout, sessionTimeout) }
        var effectiveCoordinatorDiscoveryTimeout: Duration { coordinatorDiscoveryTimeout ?? heartbeatInterval }
    }
}
