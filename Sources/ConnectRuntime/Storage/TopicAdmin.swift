import ConnectAPI
import Foundation
import Kafka
import Logging

/// Creates and checks the worker's internal topics, like Apache's `TopicAdmin`.
///
/// Wraps a ``KafkaAdminClient``; the stores share one and never close it (``close()`` closes
/// the admin client only when this instance created it).
public final class TopicAdmin: Sendable {
    /// What ``createOrFindTopic(_:timeout:)`` found.
    public enum CreationResult: Hashable, Sendable {
        /// This call created the topic.
        case created
        /// The topic already existed (possibly created concurrently by another worker).
        case existing
        /// The brokers refused to create topics (not authorized, or CreateTopics unsupported);
        /// the topic is assumed to exist or to be auto-created, as Apache does.
        case unknown
    }

    public let admin: KafkaAdminClient
    private let ownsAdmin: Bool
    private let logger: Logger

    /// Uses `admin`, which stays the caller's to close.
    public init(admin: KafkaAdminClient, logger: Logger) {
        self.admin = admin
        ownsAdmin = false
        self.logger = logger
    }

    /// Creates its own admin client from `configuration`; ``close()`` closes it.
    public init(configuration: KafkaConfiguration, logger: Logger) throws {
        admin = try KafkaAdminClient(configuration: configuration, logger: logger)
        ownsAdmin = true
        self.logger = logger
    }

    /// Closes the admin client if this instance created it.
    public func close() async {
        if ownsAdmin { await admin.close() }
    }

    // MARK: Creating

    /// Creates `topic` unless it exists.
    ///
    /// - Throws: ``KafkaError`` for a failure other than "already exists", "not authorized"
    ///   or "unsupported" (e.g. an invalid config, or a replication factor larger than the
    ///   number of brokers).
    public func createOrFindTopic(_ topic: NewTopic, timeout: Duration? = nil) async throws -> CreationResult {
        let failures = try await admin.createTopics([topic], timeout: timeout)
        guard let failure = failures[topic.name] else {
            logger.info("Created topic", metadata: [
                "kafka.topic": "\(topic.name)", "kafka.partitions": "\(topic.numPartitions)",
                "kafka.replication.factor": "\(topic.replicationFactor)",
            ])
            return .created
        }
        if failure.code == .topicAlreadyExists {
            logger.debug("Found existing topic", metadata: ["kafka.topic": "\(topic.name)"])
            return .existing
        }
        if let name = failure.rdKafkaName, Self.assumeExistsErrors.contains(name) {
            logger.debug("Cannot create topic; assuming it exists or will be auto-created", metadata: [
                "kafka.topic": "\(topic.name)", "kafka.error": "\(failure)",
            ])
            return .unknown
        }
        throw failure
    }

    /// ``createOrFindTopic(_:timeout:)``, retried every `backoff` while the failure may be
    /// temporary (too few brokers for the replication factor yet, or a timeout), until `timeout`
    /// (Apache retries for `default.api.timeout.ms`, 60 s).
    public func createTopicWithRetry(_ topic: NewTopic, timeout: Duration = .seconds(60), backoff: Duration = .milliseconds(100)) async throws -> CreationResult {
        let deadline = ContinuousClock.now + timeout
        while true {
            do {
                // Each attempt gets the admin client's own timeout; the deadline applies
                // between attempts, as in Apache.
                return try await createOrFindTopic(topic)
            } catch let error as KafkaError where Self.isRetriableCreation(error) {
                guard ContinuousClock.now + backoff < deadline else {
                    var failure = error
                    failure.message = "cannot create topic '\(topic.name)' with \(topic.numPartitions) partitions and replication factor \(topic.replicationFactor) within \(timeout.storeDescription): \(error.message)"
                    throw failure
                }
                logger.info("Topic creation failed; retrying", metadata: [
                    "kafka.topic": "\(topic.name)", "kafka.error": "\(error)",
                ])
                try await Task.sleep(for: backoff)
            }
        }
    }

    // MARK: Checking

    /// The topic's `cleanup.policy` values (trimmed, lower-cased); empty when the topic does not
    /// exist or its configuration cannot be read (not authorized, unsupported).
    public func topicCleanupPolicy(_ topic: String, timeout: Duration? = nil) async throws -> Set<String> {
        let entries: [ConfigEntry]
        do {
            entries = try await admin.describeConfigs([.topic(topic)], timeout: timeout)[.topic(topic)] ?? []
        } catch let error as KafkaError where error.code == .unknownTopicOrPartition
            || error.rdKafkaName.map(Self.assumeExistsErrors.contains) == true
        {
            logger.debug("Cannot read topic configuration", metadata: ["kafka.topic": "\(topic)", "kafka.error": "\(error)"])
            return []
        }
        guard let value = entries.first(where: { $0.name == "cleanup.policy" })?.value else { return [] }
        return Set(value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty })
    }

    /// Checks that `topic` has `cleanup.policy=compact` and nothing else, as Apache requires of
    /// every internal topic. Returns `false` when the policy could not be read (then nothing
    /// is enforced, as in Apache).
    ///
    /// - Throws: `ConfigException` naming the topic, the worker property and the fix when the
    ///   policy is anything else (e.g. `delete` or `compact,delete`).
    @discardableResult
    public func verifyTopicCleanupPolicyOnlyCompact(_ topic: String, workerTopicConfig: String, topicPurpose: String) async throws -> Bool {
        let policies = try await topicCleanupPolicy(topic)
        guard !policies.isEmpty else {
            logger.info("Unable to verify the cleanup policy of the topic is 'compact': the broker is old or the principal may not describe topic configurations", metadata: ["kafka.topic": "\(topic)"])
            return false
        }
        guard policies == ["compact"] else {
            let found = policies.sorted().joined(separator: ",")
            throw ConfigException(
                "Topic '\(topic)' supplied via the '\(workerTopicConfig)' property is required to have 'cleanup.policy=compact' to guarantee consistency and durability of \(topicPurpose), but found the topic currently has 'cleanup.policy=\(found)'. Continuing would likely result in eventually losing \(topicPurpose) and problems restarting this Connect cluster in the future. Change the '\(workerTopicConfig)' property in the Connect worker configurations to use a topic with 'cleanup.policy=compact'.",
                name: workerTopicConfig
            )
        }
        return true
    }

    /// The partition ids of `topic`, waiting up to `timeout` for a just-created topic to
    /// appear in the metadata (Apache waits 30 s).
    ///
    /// - Throws: ``KafkaError`` with code `unknownTopicOrPartition` if it never appears.
    public func partitions(of topic: String, timeout: Duration = .seconds(30)) async throws -> [Int32] {
        let deadline = ContinuousClock.now + timeout
        var backoff = Duration.milliseconds(100)
        while true {
            do {
                let description = try await admin.describeTopics([topic], timeout: max(.milliseconds(1), deadline - .now))
                let partitions = description.first?.partitions.map(\.id).sorted() ?? []
                if !partitions.isEmpty { return partitions }
            } catch let error as KafkaError where error.code == .unknownTopicOrPartition || error.code == .timedOut {
                if ContinuousClock.now >= deadline {
                    throw KafkaError(.unknownTopicOrPartition, "could not look up partition metadata for topic '\(topic)' within \(timeout.storeDescription): \(error.message). This could indicate a connectivity issue, unavailable topic partitions, or, on first use of the topic, that creating it took too long.")
                }
            }
            if ContinuousClock.now >= deadline {
                throw KafkaError(.unknownTopicOrPartition, "topic '\(topic)' has no partitions after \(timeout.storeDescription)")
            }
            try await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(1))
        }
    }

    /// Creates an internal topic if it is missing and checks it, as Apache's stores do on start:
    /// a topic that already existed must be compacted only.
    ///
    /// - Throws: `ConfigException` for a topic with the wrong cleanup policy; ``KafkaError``
    ///   when it cannot be created.
    public func initialize(_ topic: InternalTopic, createTimeout: Duration = .seconds(60)) async throws {
        let result = try await createTopicWithRetry(topic.newTopic, timeout: createTimeout)
        if result != .created {
            try await verifyTopicCleanupPolicyOnlyCompact(topic.name, workerTopicConfig: topic.workerProperty, topicPurpose: topic.purpose)
        }
    }

    /// Checks the partition count of a topic that must have exactly one (the config topic).
    ///
    /// - Throws: `ConfigException` naming the topic, the property and the count found.
    static func verifySinglePartition(_ topic: InternalTopic, partitionCount: Int) throws {
        guard topic.requiresSinglePartition, partitionCount > 1 else { return }
        throw ConfigException(
            "Topic '\(topic.name)' supplied via the '\(topic.workerProperty)' property is required to have a single partition in order to guarantee consistency of \(topic.purpose), but found \(partitionCount) partitions. Change the '\(topic.workerProperty)' property in the Connect worker configurations to use a topic with a single partition.",
            name: topic.workerProperty
        )
    }

    /// Errors on which Apache assumes the topic exists (or will be auto-created) instead of failing.
    private static let assumeExistsErrors: Set<String> = [
        "TOPIC_AUTHORIZATION_FAILED", "CLUSTER_AUTHORIZATION_FAILED", "UNSUPPORTED_VERSION",
    ]

    private static func isRetriableCreation(_ error: KafkaError) -> Bool {
        error.code == .timedOut || error.rdKafkaName == "INVALID_REPLICATION_FACTOR"
    }
}
