import ConnectAPI
import Kafka
import KafkaProtocol
import Logging
import MirrorClient
import MirrorCommon
import Synchronization

/// Replicates topics (records, partitions, configs and ACLs) from a source to a target cluster,
/// like Apache Kafka's `org.apache.kafka.connect.mirror.MirrorSourceConnector`.
///
/// On `start` it creates the offset-syncs topic (when `emit.offset-syncs.enabled`), finds the
/// source partitions to replicate and creates the missing remote topics and partitions on the
/// target. ``run()`` then syncs topic ACLs and configs and refreshes the partition list at
/// their intervals, asking for new task configs when the partitions change. Tasks get the
/// partitions round-robin (``MirrorSourceTopicRules/taskPartitions(_:maxTasks:)``).
///
/// Deviations from Apache Kafka: topic configs are synced with the AlterConfigs API (the
/// client has no IncrementalAlterConfigs), reading the remote topic's current values first so
/// the result matches an incremental update; intervals of 0 seconds run every second. Where
/// Apache would log and carry on, the connector fails with the reason when it cannot create
/// the offset-syncs topic or list the source cluster at start, and (at start or later) when the
/// target refuses remote topics because `replication.factor` exceeds its brokers.
public final class MirrorSourceConnector: SourceConnector {
    public static let className = "org.apache.kafka.connect.mirror.MirrorSourceConnector"
    /// The shortest pause between two runs of a periodic job.
    static let minimumInterval: Duration = .seconds(1)

    /// What a started (enabled) connector owns.
    struct Running: Sendable {
        let config: MirrorSourceConfig
        let rules: MirrorSourceTopicRules
        let sourceAdmin: KafkaAdminClient
        let targetAdmin: KafkaAdminClient
        let context: any ConnectorContext
        let checkpointsTopic: String
        let offsetSyncsTopic: String

        var adminTimeout: Duration { config.common.adminTimeout }
    }

    enum Phase: Sendable {
        case created
        case disabled
        case running(Running)
        case stopped
    }

    /// The partitions known on each side.
    struct Known: Sendable {
        var source: [TopicPartition] = []
        var target: [TopicPartition] = []
    }

    private let logger: Logger
    private let phase = Mutex(Phase.created)
    private let known = Mutex(Known())
    private let aclSyncUnavailable = Atomic<Bool>(false)
    /// Whether the source cluster has no authorizer, once a broker's configuration said so.
    private let sourceAuthorizerAbsent = Mutex<Bool?>(nil)

    public required convenience init() {
        self.init(logger: Logger(label: "MirrorSourceConnector"))
    }

    public init(logger: Logger) {
        self.logger = logger
    }

    public var version: String { MirrorPlugin.version }
    public var configDef: ConfigDef { MirrorSourceConfig.configDef }
    public var taskType: any SourceTask.Type { MirrorSourceTask.self }

    /// The source partitions currently known (replicated), in task-layout order.
    public var knownSourceTopicPartitions: [TopicPartition] { known.withLock { $0.source } }
    /// The remote partitions of this flow currently known on the target.
    public var knownTargetTopicPartitions: [TopicPartition] { known.withLock { $0.target } }

    public func validate(_ props: [String: String]) -> [ConfigValue] {
        var values = MirrorSourceConfig.validate(props)
        for problem in MirrorSourceConfig.pluginProblems(props) {
            values.addErrorMessage(problem.message, to: problem.name)
        }
        return values
    }

    // MARK: Lifecycle

    public func start(_ props: [String: String], context: any ConnectorContext) async throws {
        let config: MirrorSourceConfig
        do {
            config = try MirrorSourceConfig(props)
        } catch {
            throw ConnectError("Invalid MirrorSourceConnector configuration: \(error)", underlying: error)
        }
        guard config.common.enabled else {
            phase.withLock { $0 = .disabled }
            logger.info("MirrorSourceConnector is disabled", metadata: ["flow": "\(config.common.entityLabel)"])
            return
        }
        let policy = try config.common.replicationPolicy()
        let rules = try config.topicRules(policy: policy)
        let (sourceAdmin, targetAdmin) = try await config.common.adminClients(rolePrefix: "replication", logger: logger)
        let running = Running(
            config: config, rules: rules, sourceAdmin: sourceAdmin, targetAdmin: targetAdmin, context: context,
            checkpointsTopic: config.checkpointsTopic(policy: policy), offsetSyncsTopic: config.offsetSyncsTopic(policy: policy))
        let accepted = phase.withLock { phase -> Bool in
            guard case .created = phase else { return false }
            phase = .running(running)
            return true
        }
        guard accepted else {
            await sourceAdmin.close()
            await targetAdmin.close()
            throw ConnectError("MirrorSourceConnector was started twice or after stop")
        }
        let started = ContinuousClock.now
        // Where Apache would stay RUNNING with no tasks and only log, a missing offset-syncs topic
        // or an unreachable source cluster fails the connector with the reason. Later steps are
        // attempted like Apache's scheduler does: a failure is logged and the next step runs.
        do {
            try await createOffsetSyncsTopic(running)
        } catch {
            await stop()
            let location = config.offsetSyncsTopicLocation
            let alias = location == .source ? config.common.sourceClusterAlias : config.common.targetClusterAlias
            throw ConnectError("MirrorSourceConnector could not create its offset-syncs topic on \(location.rawValue) cluster '\(alias)'",
                               underlying: error)
        }
        do {
            try await loadTopicPartitions(running)
        } catch {
            await stop()
            throw ConnectError(
                "MirrorSourceConnector could not list the topics of source cluster '\(config.common.sourceClusterAlias)' "
                    + "within \(config.common.adminTimeout) (\(MirrorConnectorConfig.Key.adminTimeoutMs))", underlying: error)
        }
        do {
            try await attempt("creating downstream topic-partitions") { try await self.computeAndCreateTopicPartitions(running) }
            try await attempt("refreshing known target topics") { try await self.refreshKnownTargetTopics(running) }
        } catch {
            await stop()
            throw error
        }
        logger.info("Started MirrorSourceConnector", metadata: [
            "flow": "\(config.common.entityLabel)", "topic-partitions": "\(knownSourceTopicPartitions.count)",
            "duration": "\(ContinuousClock.now - started)",
        ])
    }

    /// Syncs topic ACLs and configs right away and then at their intervals, and refreshes the
    /// topic-partitions after each refresh interval, until cancelled.
    public func run() async throws {
        guard let running = runningState() else {
            try await waitUntilCancelled()
            return
        }
        let config = running.config
        var jobs: [PeriodicJob] = []
        if let interval = config.syncTopicAclsInterval {
            jobs.append(PeriodicJob(name: "syncing topic ACLs", interval: interval, delayed: false) {
                try await self.syncTopicAcls(running)
            })
        }
        if let interval = config.syncTopicConfigsInterval {
            jobs.append(PeriodicJob(name: "syncing topic configs", interval: interval, delayed: false) {
                try await self.syncTopicConfigs(running)
            })
        }
        if let interval = config.refreshTopicsInterval {
            jobs.append(PeriodicJob(name: "refreshing topics", interval: interval, delayed: true) {
                try await self.refreshTopicPartitions(running)
            })
        }
        try await PeriodicJob.runAll(jobs) { job in try await self.attempt(job.name, job.work) }
    }

    public func taskConfigs(maxTasks: Int) async throws -> [[String: String]] {
        guard let running = runningState() else { return [] }
        let partitions = knownSourceTopicPartitions
        return MirrorSourceTopicRules.taskPartitions(partitions, maxTasks: maxTasks).enumerated().map { index, assigned in
            running.config.taskConfig(for: assigned, taskIndex: index)
        }
    }

    public func stop() async {
        let previous = phase.withLock { phase -> Phase in
            defer { phase = .stopped }
            return phase
        }
        guard case .running(let running) = previous else { return }
        await running.sourceAdmin.close()
        await running.targetAdmin.close()
        logger.info("Stopped MirrorSourceConnector", metadata: ["flow": "\(running.config.common.entityLabel)"])
    }

    /// Accepts offsets shaped like the task's (see ``MirrorSourceOffsets``); nothing else is
    /// needed because the source consumer never commits.
    public func alterOffsets(connectorConfig: [String: String], offsets: [SourcePartition: SourceOffset?]) async throws -> Bool {
        try MirrorSourceOffsets.validateAlteredOffsets(offsets)
        return true
    }

    // MARK: Topic-partitions

    func findSourceTopicPartitions(_ running: Running) async throws -> [TopicPartition] {
        let topics = try await running.sourceAdmin.describeTopics(nil, timeout: running.adminTimeout)
        return Self.expand(topics.filter { running.rules.shouldReplicateTopic($0.name) })
    }

    func findTargetTopicPartitions(_ running: Running) async throws -> [TopicPartition] {
        let topics = try await running.targetAdmin.describeTopics(nil, timeout: running.adminTimeout)
        return Self.expand(topics.filter { running.rules.isRemoteTopicOfThisFlow($0.name, checkpointsTopic: running.checkpointsTopic) })
    }

    private static func expand(_ topics: [TopicDescription]) -> [TopicPartition] {
        topics.sorted { $0.name < $1.name }.flatMap { topic in
            topic.partitions.map(\.id).sorted().map { TopicPartition(topic: topic.name, partition: $0) }
        }
    }

    func loadTopicPartitions(_ running: Running) async throws {
        let source = try await findSourceTopicPartitions(running)
        let target = try await findTargetTopicPartitions(running)
        known.withLock { $0 = Known(source: source, target: target) }
    }

    func refreshKnownTargetTopics(_ running: Running) async throws {
        let target = try await findTargetTopicPartitions(running)
        known.withLock { $0.target = target }
    }

    /// Looks for added or removed source partitions and for partitions missing on the target;
    /// on any, creates what is missing and asks for new task configs.
    func refreshTopicPartitions(_ running: Running) async throws {
        let source = try await findSourceTopicPartitions(running)
        let target = try await findTargetTopicPartitions(running)
        let upstreamOfTarget = Set(target.compactMap { partition in
            running.rules.policy.upstreamTopic(partition.topic).map { TopicPartition(topic: $0, partition: partition.partition) }
        })
        let sourceSet = Set(source)
        let missingInTarget = sourceSet.subtracting(upstreamOfTarget)
        let previous = known.withLock { known -> Set<TopicPartition> in
            defer { known.target = target }
            return Set(known.source)
        }
        guard previous != sourceSet || !missingInTarget.isEmpty else { return }
        logger.info("Topic-partitions changed", metadata: [
            "new": "\(sourceSet.subtracting(previous).count)", "deleted": "\(previous.subtracting(sourceSet).count)",
            "missing-on-target": "\(missingInTarget.count)", "source": "\(running.config.common.sourceClusterAlias)",
        ])
        known.withLock { $0.source = source }
        try await computeAndCreateTopicPartitions(running)
        running.context.requestTaskReconfiguration()
    }

    /// Creates missing remote topics (source partition count, `replication.factor`, the source's
    /// copied configs) and grows remote topics that have fewer partitions than their source.
    func computeAndCreateTopicPartitions(_ running: Running) async throws {
        let snapshot = known.withLock { $0 }
        let plan = running.rules.topicPlan(source: snapshot.source, target: snapshot.target)
        if !plan.newTopics.isEmpty {
            try await createNewTopics(plan.newTopics, running)
        }
        if !plan.partitionIncreases.isEmpty {
            let failures = try await running.targetAdmin.createPartitions(plan.partitionIncreases, timeout: running.adminTimeout)
            for (topic, count) in plan.partitionIncreases.sorted(by: { $0.key < $1.key }) {
                if let error = failures[topic] {
                    // INVALID_PARTITIONS: someone else grew it already.
                    if error.rdKafkaName != "INVALID_PARTITIONS" {
                        logger.warning("Could not create topic-partitions", metadata: ["topic": "\(topic)", "error": "\(error)"])
                    }
                } else {
                    logger.info("Increased partitions of remote topic", metadata: ["topic": "\(topic)", "partitions": "\(count)"])
                }
            }
        }
    }

    private func createNewTopics(_ sourceTopics: [String: Int], _ running: Running) async throws {
        let resources = sourceTopics.keys.sorted().map(ConfigResource.topic)
        let sourceConfigs = try await running.sourceAdmin.describeConfigs(resources, timeout: running.adminTimeout)
        let replicationFactor = Int16(clamping: running.config.replicationFactor)
        let newTopics = sourceTopics.sorted { $0.key < $1.key }.map { topic, count in
            NewTopic(name: running.rules.formatRemoteTopic(topic), numPartitions: Int32(count), replicationFactor: replicationFactor,
                     configs: running.rules.newTopicConfigs((sourceConfigs[.topic(topic)] ?? []).map(TopicConfigEntry.init)))
        }
        let failures = try await running.targetAdmin.createTopics(newTopics, timeout: running.adminTimeout)
        var refused: [(topic: String, error: KafkaError)] = []
        for topic in newTopics {
            if let error = failures[topic.name] {
                if RemoteTopicsRefused.isRefusal(error) {
                    refused.append((topic.name, error))
                } else if error.code != .topicAlreadyExists {
                    logger.warning("Could not create topic", metadata: ["topic": "\(topic.name)", "error": "\(error)"])
                }
            } else {
                logger.info("Created remote topic", metadata: ["topic": "\(topic.name)", "partitions": "\(topic.numPartitions)"])
            }
        }
        if !refused.isEmpty {
            throw RemoteTopicsRefused(
                targetClusterAlias: running.config.common.targetClusterAlias, replicationFactor: running.config.replicationFactor,
                refused: refused)
        }
    }

    private func createOffsetSyncsTopic(_ running: Running) async throws {
        guard running.config.emitOffsetSyncsEnabled else { return }
        let admin = try KafkaAdminClient(configuration: KafkaConfiguration(running.config.offsetSyncsTopicAdminConfig), logger: logger)
        do {
            try await MirrorTopicAdmin.createSinglePartitionCompactedTopic(
                running.offsetSyncsTopic, replicationFactor: running.config.offsetSyncsTopicReplicationFactor,
                admin: admin, timeout: running.adminTimeout, logger: logger)
        } catch {
            await admin.close()
            throw error
        }
        await admin.close()
    }

    // MARK: Configs and ACLs

    /// The source topics whose remote topic is known on the target.
    private func topicsBeingReplicated(_ running: Running) -> [String] {
        let snapshot = known.withLock { $0 }
        let targetTopics = Set(snapshot.target.map(\.topic))
        return Set(snapshot.source.map(\.topic)).filter { targetTopics.contains(running.rules.formatRemoteTopic($0)) }.sorted()
    }

    func syncTopicConfigs(_ running: Running) async throws {
        let topics = topicsBeingReplicated(running)
        guard !topics.isEmpty else { return }
        let incremental = running.config.useIncrementalAlterConfigs != .never
        let sourceConfigs = try await running.sourceAdmin.describeConfigs(topics.map(ConfigResource.topic), timeout: running.adminTimeout)
        let remoteResources = topics.map { ConfigResource.topic(running.rules.formatRemoteTopic($0)) }
        let targetConfigs = try await running.targetAdmin.describeConfigs(remoteResources, timeout: running.adminTimeout)
        var changes: [ConfigResource: [String: String]] = [:]
        for topic in topics {
            guard let sourceEntries = sourceConfigs[.topic(topic)] else { continue }
            let remote = ConfigResource.topic(running.rules.formatRemoteTopic(topic))
            let targetDynamic = (targetConfigs[remote] ?? []).filter { $0.source == .dynamicTopicConfig }
            if targetDynamic.contains(where: { $0.value == nil }) {
                // AlterConfigs replaces the whole dynamic config; a value we cannot read would be lost.
                logger.warning("Not syncing configs of a remote topic with hidden (sensitive) values", metadata: ["topic": "\(remote.name)"])
                continue
            }
            let current = Dictionary(targetDynamic.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
            let synced = running.rules.syncedTargetConfig(sourceEntries: sourceEntries.map(TopicConfigEntry.init), targetDynamic: current, incremental: incremental)
            if synced != current { changes[remote] = synced }
        }
        guard !changes.isEmpty else { return }
        logger.debug("Syncing topic configs", metadata: ["topics": "\(changes.count)"])
        let failures = try await running.targetAdmin.alterConfigs(changes, timeout: running.adminTimeout)
        for (resource, error) in failures {
            logger.warning("Could not alter configuration of topic", metadata: ["topic": "\(resource.name)", "error": "\(error)"])
        }
    }

    func syncTopicAcls(_ running: Running) async throws {
        let source = running.config.common.sourceClusterAlias
        let bindings: [AclBinding]
        do {
            bindings = try await running.sourceAdmin.describeAcls(.anyTopic, timeout: running.adminTimeout)
        } catch let error as KafkaError where Self.meansNoAuthorizer(error) {
            noteAclSyncUnavailable(on: source, "\(error)")
            return
        }
        // librdkafka drops DescribeAcls' top-level error (SECURITY_DISABLED without an
        // authorizer) and reports no bindings, so ask the brokers' configuration instead.
        if bindings.isEmpty, try await sourceHasNoAuthorizer(running) {
            noteAclSyncUnavailable(on: source, "\(MirrorSourceTopicRules.authorizerClassName) is empty")
            return
        }
        let targetBindings = running.rules.targetAclBindings(bindings)
        logger.debug("Syncing topic ACLs", metadata: ["source.bindings": "\(bindings.count)", "target.bindings": "\(targetBindings.count)"])
        guard !targetBindings.isEmpty else { return }
        do {
            try await running.targetAdmin.createAcls(targetBindings, timeout: running.adminTimeout)
        } catch let error as KafkaError where Self.meansNoAuthorizer(error) {
            noteAclSyncUnavailable(on: running.config.common.targetClusterAlias, "\(error)")
        }
    }

    /// Asks one source broker once whether there is an authorizer; remembers a definite answer.
    private func sourceHasNoAuthorizer(_ running: Running) async throws -> Bool {
        if let known = sourceAuthorizerAbsent.withLock({ $0 }) { return known }
        let cluster = try await running.sourceAdmin.describeCluster(timeout: running.adminTimeout)
        guard let broker = cluster.brokers.first else { return false }
        let configs = try await running.sourceAdmin.describeConfigs([.broker(broker.id)], timeout: running.adminTimeout)
        let described = Dictionary((configs[.broker(broker.id)] ?? []).map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        let absent = MirrorSourceTopicRules.authorizerAbsent(brokerConfig: described)
        sourceAuthorizerAbsent.withLock { $0 = absent ?? false }
        if absent == nil {
            logger.debug("The source brokers do not report \(MirrorSourceTopicRules.authorizerClassName); an empty ACL list is taken as no ACLs",
                         metadata: ["cluster": "\(running.config.common.sourceClusterAlias)"])
        }
        return absent ?? false
    }

    /// SECURITY_DISABLED (no authorizer) or a broker without the ACL APIs.
    static func meansNoAuthorizer(_ error: KafkaError) -> Bool {
        switch error.rdKafkaName {
        case "SECURITY_DISABLED", "UNSUPPORTED_VERSION", "_UNSUPPORTED_FEATURE": true
        default: false
        }
    }

    private func noteAclSyncUnavailable(on cluster: String, _ reason: String) {
        if !aclSyncUnavailable.exchange(true, ordering: .relaxed) {
            logger.info("No ACL authorizer on the cluster, so no topic ACL syncing will take place. Consider setting sync.topic.acls.enabled=false.",
                        metadata: ["cluster": "\(cluster)", "reason": "\(reason)"])
        } else {
            logger.debug("Still no ACL authorizer; skipping topic ACL sync", metadata: ["cluster": "\(cluster)"])
        }
    }

    // MARK: Helpers


    private func runningState() -> Running? {
        phase.withLock { if case .running(let running) = $0 { running } else { nil } }
    }

    /// Runs `work`, logging (not throwing) its failure, except ``RemoteTopicsRefused``, which
    /// fails the connector; cancellation propagates silently.
    private func attempt(_ what: String, _ work: @Sendable () async throws -> Void) async throws {
        do {
            try await work()
        } catch is CancellationError {
        } catch let refused as RemoteTopicsRefused {
            logger.error("\(refused.description)")
            throw ConnectError(refused.description, underlying: refused.refused.first?.error)
        } catch {
            logger.error("Failure while \(what)", metadata: ["error": "\(error)"])
        }
    }
}

/// The target cluster refused remote topics for a reason no retry fixes: it has fewer brokers
/// than `replication.factor` (INVALID_REPLICATION_FACTOR). Replicating them is impossible until
/// the configuration changes, so the connector fails with this instead of logging on every
/// refresh while its tasks write to topics that do not exist.
struct RemoteTopicsRefused: Error, CustomStringConvertible {
    let targetClusterAlias: String
    let replicationFactor: Int32
    let refused: [(topic: String, error: KafkaError)]

    static func isRefusal(_ error: KafkaError) -> Bool {
        error.rdKafkaName == "INVALID_REPLICATION_FACTOR"
    }

    var description: String {
        let topics = refused.map(\.topic).sorted().joined(separator: ", ")
        let reason = refused.first.map { $0.error.message } ?? ""
        return "MirrorSourceConnector could not create remote topics [\(topics)] on target cluster '\(targetClusterAlias)' "
            + "with \(MirrorSourceConfig.Key.replicationFactor)=\(replicationFactor): \(reason)"
    }
}

/// A job of ``MirrorSourceConnector/run()``: runs every `interval`, first right away or (when
/// `delayed`) after one interval.
struct PeriodicJob: Sendable {
    let name: String
    let interval: Duration
    let delayed: Bool
    let work: @Sendable () async throws -> Void

    init(name: String, interval: Duration, delayed: Bool, work: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = max(interval, MirrorSourceConnector.minimumInterval)
        self.delayed = delayed
        self.work = work
    }

    /// Runs `jobs` one at a time, each when due, until cancelled or `run` throws.
    static func runAll(_ jobs: [PeriodicJob], run: (PeriodicJob) async throws -> Void) async throws {
        guard !jobs.isEmpty else {
            try await waitUntilCancelled()
            return
        }
        let clock = ContinuousClock()
        let start = clock.now
        var due = jobs.map { $0.delayed ? start + $0.interval : start }
        while true {
            try Task.checkCancellation()
            guard let next = due.indices.min(by: { due[$0] < due[$1] }) else { return }
            try await Task.sleep(until: due[next], clock: clock)
            try await run(jobs[next])
            try Task.checkCancellation()
            due[next] = max(due[next] + jobs[next].interval, clock.now)
        }
    }
}
