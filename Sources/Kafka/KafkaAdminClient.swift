import CRdKafka
import Foundation
import Logging

/// Cluster administration: topics, partitions, configs, consumer groups and their offsets,
/// record deletion and ACLs — what librdkafka 2.0.2's admin API offers.
///
/// Every call waits for its result on a dispatch thread (never the cooperative pool) and is
/// bounded by `timeout` (default `default.api.timeout.ms`). Calls about several items return
/// the failed items with their errors (an empty result means all succeeded), so callers can
/// accept expected failures such as ``KafkaError/Code/topicAlreadyExists``.
public final class KafkaAdminClient: Sendable {
    public let configuration: KafkaConfiguration
    let client: RDKafkaClient

    /// - Throws: ``KafkaError/Code/configuration`` for unknown, unsupported or invalid properties.
    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "kafka.admin")) throws {
        self.configuration = configuration
        client = try RDKafkaClient(kind: .producer, configuration: configuration, logger: logger)
    }

    /// Releases the client. Later calls throw ``KafkaError/Code/clientClosed``.
    public func close() async {
        await client.close { _ in }
    }

    // MARK: Cluster and topics

    /// The cluster id, controller and brokers.
    public func describeCluster(timeout: Duration? = nil) async throws -> ClusterDescription {
        try await withMetadata(timeout: timeout) { rk, metadata, ms in
            let clusterID = rd_kafka_clusterid(rk, ms).map { pointer in
                defer { rd_kafka_mem_free(rk, pointer) }
                return String(cString: pointer)
            }
            let brokers = (0..<Int(metadata.broker_cnt)).map { index in
                let broker = metadata.brokers[index]
                return BrokerNode(id: broker.id, host: String(cString: broker.host), port: broker.port)
            }
            return ClusterDescription(clusterID: clusterID, controllerID: rd_kafka_controllerid(rk, ms), brokers: brokers)
        }
    }

    /// Describes `names` (every topic, internal ones included, when `nil`), sorted by name.
    ///
    /// - Throws: ``KafkaError/Code/unknownTopicOrPartition`` naming a requested topic that
    ///   does not exist.
    public func describeTopics(_ names: [String]? = nil, timeout: Duration? = nil) async throws -> [TopicDescription] {
        let topics = try await withMetadata(timeout: timeout) { _, metadata, _ in
            var topics: [String: TopicDescription] = [:]
            for index in 0..<Int(metadata.topic_cnt) {
                let topic = metadata.topics[index]
                guard topic.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
                let partitions = (0..<Int(topic.partition_cnt)).map { partitionIndex in
                    let partition = topic.partitions[partitionIndex]
                    return TopicDescription.Partition(
                        id: partition.id, leader: partition.leader,
                        replicas: Array(UnsafeBufferPointer(start: partition.replicas, count: Int(partition.replica_cnt))),
                        inSyncReplicas: Array(UnsafeBufferPointer(start: partition.isrs, count: Int(partition.isr_cnt)))
                    )
                }.sorted { $0.id < $1.id }
                let name = String(cString: topic.topic)
                topics[name] = TopicDescription(name: name, partitions: partitions)
            }
            return topics
        }
        guard let names else { return topics.values.sorted { $0.name < $1.name } }
        return try names.map { name in
            guard let topic = topics[name] else {
                throw KafkaError(.unknownTopicOrPartition, "topic '\(name)' does not exist")
            }
            return topic
        }
    }

    /// Creates topics; returns the ones that could not be created.
    public func createTopics(_ topics: [NewTopic], timeout: Duration? = nil) async throws -> [String: KafkaError] {
        try await call("create topics", operation: RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout: timeout) { rk, options, queue in
            var requests: [OpaquePointer?] = []
            defer { for request in requests { rd_kafka_NewTopic_destroy(request) } }
            var errstr = [CChar](repeating: 0, count: 512)
            for topic in topics {
                guard let request = rd_kafka_NewTopic_new(
                    topic.name, topic.numPartitions, Int32(topic.replicationFactor), &errstr, errstr.count
                ) else {
                    throw KafkaError(.invalidArgument, "cannot create topic '\(topic.name)': \(String(cBuffer: errstr))")
                }
                requests.append(request)
                for (name, value) in topic.configs.sorted(by: { $0.key < $1.key }) {
                    let err = rd_kafka_NewTopic_set_config(request, name, value)
                    guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                        throw KafkaError.rdKafka(err, "topic '\(topic.name)' config '\(name)'")
                    }
                }
            }
            rd_kafka_CreateTopics(rk, &requests, requests.count, options, queue)
        } parse: { event in
            var count = 0
            let results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count)
            return Self.topicFailures(results, count: count, context: "create topic")
        }
    }

    /// Deletes topics; returns the ones that could not be deleted.
    public func deleteTopics(_ names: [String], timeout: Duration? = nil) async throws -> [String: KafkaError] {
        try await call("delete topics", operation: RD_KAFKA_ADMIN_OP_DELETETOPICS, timeout: timeout) { rk, options, queue in
            var requests: [OpaquePointer?] = names.map { rd_kafka_DeleteTopic_new($0) }
            defer { for request in requests { rd_kafka_DeleteTopic_destroy(request) } }
            rd_kafka_DeleteTopics(rk, &requests, requests.count, options, queue)
        } parse: { event in
            var count = 0
            let results = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event), &count)
            return Self.topicFailures(results, count: count, context: "delete topic")
        }
    }

    /// Grows topics to the given total partition counts; returns the ones that failed.
    public func createPartitions(_ totalCounts: [String: Int], timeout: Duration? = nil) async throws -> [String: KafkaError] {
        try await call("create partitions", operation: RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, timeout: timeout) { rk, options, queue in
            var requests: [OpaquePointer?] = []
            defer { for request in requests { rd_kafka_NewPartitions_destroy(request) } }
            var errstr = [CChar](repeating: 0, count: 512)
            for (topic, count) in totalCounts.sorted(by: { $0.key < $1.key }) {
                guard let request = rd_kafka_NewPartitions_new(topic, count, &errstr, errstr.count) else {
                    throw KafkaError(.invalidArgument, "cannot grow '\(topic)' to \(count) partitions: \(String(cBuffer: errstr))")
                }
                requests.append(request)
            }
            rd_kafka_CreatePartitions(rk, &requests, requests.count, options, queue)
        } parse: { event in
            var count = 0
            let results = rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(event), &count)
            return Self.topicFailures(results, count: count, context: "create partitions")
        }
    }

    // MARK: Configs

    /// The configuration entries of each resource, sorted by name.
    public func describeConfigs(_ resources: [ConfigResource], timeout: Duration? = nil) async throws -> [ConfigResource: [ConfigEntry]] {
        try await call("describe configs", operation: RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout: timeout) { rk, options, queue in
            var requests: [OpaquePointer?] = resources.map { rd_kafka_ConfigResource_new($0.type.rdKafkaType, $0.name) }
            defer { for request in requests { rd_kafka_ConfigResource_destroy(request) } }
            rd_kafka_DescribeConfigs(rk, &requests, requests.count, options, queue)
        } parse: { event in
            var count = 0
            let results = rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(event), &count)
            var described: [ConfigResource: [ConfigEntry]] = [:]
            for index in 0..<count {
                guard let result = results?[index] else { continue }
                let resource = ConfigResource(type: .init(rd_kafka_ConfigResource_type(result)), name: String(cString: rd_kafka_ConfigResource_name(result)))
                let err = rd_kafka_ConfigResource_error(result)
                guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw KafkaError.rdKafka(err, "describe configs of \(resource.type) '\(resource.name)'",
                                             detail: rd_kafka_ConfigResource_error_string(result).map { String(cString: $0) })
                }
                var entryCount = 0
                let entries = rd_kafka_ConfigResource_configs(result, &entryCount)
                described[resource] = (0..<entryCount).compactMap { entries?[$0].map(ConfigEntry.init(copying:)) }
                    .sorted { $0.name < $1.name }
            }
            return described
        }
    }

    /// Replaces the dynamic configuration of each resource with the given values (Kafka's
    /// non-incremental AlterConfigs: keys left out revert to their defaults). Returns the
    /// resources that failed.
    public func alterConfigs(_ changes: [ConfigResource: [String: String]], timeout: Duration? = nil) async throws -> [ConfigResource: KafkaError] {
        try await call("alter configs", operation: RD_KAFKA_ADMIN_OP_ALTERCONFIGS, timeout: timeout) { rk, options, queue in
            var requests: [OpaquePointer?] = []
            defer { for request in requests { rd_kafka_ConfigResource_destroy(request) } }
            for (resource, configs) in changes {
                let request = rd_kafka_ConfigResource_new(resource.type.rdKafkaType, resource.name)
                requests.append(request)
                for (name, value) in configs.sorted(by: { $0.key < $1.key }) {
                    let err = rd_kafka_ConfigResource_set_config(request, name, value)
                    guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.rdKafka(err, "config '\(name)'") }
                }
            }
            rd_kafka_AlterConfigs(rk, &requests, requests.count, options, queue)
        } parse: { event in
            var count = 0
            let results = rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(event), &count)
            var failures: [ConfigResource: KafkaError] = [:]
            for index in 0..<count {
                guard let result = results?[index] else { continue }
                let err = rd_kafka_ConfigResource_error(result)
                guard err != RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
                let resource = ConfigResource(type: .init(rd_kafka_ConfigResource_type(result)), name: String(cString: rd_kafka_ConfigResource_name(result)))
                failures[resource] = KafkaError.rdKafka(err, "alter configs of '\(resource.name)'",
                                                        detail: rd_kafka_ConfigResource_error_string(result).map { String(cString: $0) })
            }
            return failures
        }
    }

    // MARK: Consumer groups

    /// Every group the brokers know, sorted by id.
    ///
    /// - Throws: the first error if some brokers could not be asked.
    public func listConsumerGroups(timeout: Duration? = nil) async throws -> [ConsumerGroupListing] {
        try await call("list consumer groups", operation: RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS, timeout: timeout) { rk, options, queue in
            rd_kafka_ListConsumerGroups(rk, options, queue)
        } parse: { event in
            let result = rd_kafka_event_ListConsumerGroups_result(event)
            var errorCount = 0
            if let errors = rd_kafka_ListConsumerGroups_result_errors(result, &errorCount), errorCount > 0, let first = errors[0] {
                throw KafkaError.rdKafka(borrowing: first, "list consumer groups")
            }
            var count = 0
            let listings = rd_kafka_ListConsumerGroups_result_valid(result, &count)
            return (0..<count).compactMap { index in
                listings?[index].map { listing in
                    ConsumerGroupListing(
                        groupID: String(cString: rd_kafka_ConsumerGroupListing_group_id(listing)),
                        isSimpleConsumerGroup: rd_kafka_ConsumerGroupListing_is_simple_consumer_group(listing) != 0,
                        state: ConsumerGroupState(rdKafka: rd_kafka_ConsumerGroupListing_state(listing))
                    )
                }
            }.sorted { $0.groupID < $1.groupID }
        }
    }

    /// Describes groups (state, assignor, members). A group that does not exist is reported
    /// in state `dead` with no members, as Kafka does.
    public func describeConsumerGroups(_ groupIDs: [String], timeout: Duration? = nil) async throws -> [ConsumerGroupDescription] {
        try await call("describe consumer groups", operation: RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, timeout: timeout) { rk, options, queue in
            try withCStrings(groupIDs) { pointers in
                rd_kafka_DescribeConsumerGroups(rk, pointers, groupIDs.count, options, queue)
            }
        } parse: { event in
            var count = 0
            let groups = rd_kafka_DescribeConsumerGroups_result_groups(rd_kafka_event_DescribeConsumerGroups_result(event), &count)
            return try (0..<count).compactMap { index in
                guard let group = groups?[index] else { return nil }
                let groupID = String(cString: rd_kafka_ConsumerGroupDescription_group_id(group))
                if let error = rd_kafka_ConsumerGroupDescription_error(group) {
                    throw KafkaError.rdKafka(borrowing: error, "describe consumer group '\(groupID)'")
                }
                let members = (0..<rd_kafka_ConsumerGroupDescription_member_count(group)).compactMap { memberIndex in
                    rd_kafka_ConsumerGroupDescription_member(group, memberIndex).map { member in
                        ConsumerGroupDescription.Member(
                            memberID: String(cString: rd_kafka_MemberDescription_consumer_id(member)),
                            groupInstanceID: rd_kafka_MemberDescription_group_instance_id(member).map { String(cString: $0) },
                            clientID: String(cString: rd_kafka_MemberDescription_client_id(member)),
                            host: String(cString: rd_kafka_MemberDescription_host(member)),
                            assignment: RDKafkaTopicPartitionList.entries(
                                of: rd_kafka_MemberDescription_assignment(member).flatMap { rd_kafka_MemberAssignment_partitions($0) }
                            ).map(\.topicPartition)
                        )
                    }
                }
                return ConsumerGroupDescription(
                    groupID: groupID,
                    isSimpleConsumerGroup: rd_kafka_ConsumerGroupDescription_is_simple_consumer_group(group) != 0,
                    partitionAssignor: rd_kafka_ConsumerGroupDescription_partition_assignor(group).map { String(cString: $0) } ?? "",
                    state: ConsumerGroupState(rdKafka: rd_kafka_ConsumerGroupDescription_state(group)),
                    coordinator: rd_kafka_ConsumerGroupDescription_coordinator(group).map(BrokerNode.init(copying:)),
                    members: members
                )
            }
        }
    }

    /// A group's committed offsets, for `partitions` or (when `nil`) for all it committed.
    /// Partitions without a committed offset are absent.
    public func listConsumerGroupOffsets(
        _ groupID: String, partitions: [TopicPartition]? = nil, timeout: Duration? = nil
    ) async throws -> [TopicPartition: OffsetAndMetadata] {
        try await call("list consumer group offsets", operation: RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, timeout: timeout) { rk, options, queue in
            let list = partitions.map { RDKafkaTopicPartitionList($0) }
            var request: OpaquePointer? = rd_kafka_ListConsumerGroupOffsets_new(groupID, list?.pointer)
            defer { rd_kafka_ListConsumerGroupOffsets_destroy(request) }
            rd_kafka_ListConsumerGroupOffsets(rk, &request, 1, options, queue)
        } parse: { event in
            var count = 0
            let groups = rd_kafka_ListConsumerGroupOffsets_result_groups(rd_kafka_event_ListConsumerGroupOffsets_result(event), &count)
            var offsets: [TopicPartition: OffsetAndMetadata] = [:]
            for entry in try Self.groupPartitions(groups, count: count, context: "list offsets of group '\(groupID)'") where entry.offset >= 0 {
                offsets[entry.topicPartition] = OffsetAndMetadata(offset: entry.offset, metadata: entry.metadata)
            }
            return offsets
        }
    }

    /// Sets a group's committed offsets. Kafka refuses this while the group has active members.
    ///
    /// - Throws: the first per-partition error (e.g. `UNKNOWN_MEMBER_ID` for an active group).
    public func alterConsumerGroupOffsets(
        _ groupID: String, offsets: [TopicPartition: OffsetAndMetadata], timeout: Duration? = nil
    ) async throws {
        try await call("alter consumer group offsets", operation: RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS, timeout: timeout) { rk, options, queue in
            let list = RDKafkaTopicPartitionList(offsets.mapValues(\.offset))
            var request: OpaquePointer? = rd_kafka_AlterConsumerGroupOffsets_new(groupID, list.pointer)
            defer { rd_kafka_AlterConsumerGroupOffsets_destroy(request) }
            rd_kafka_AlterConsumerGroupOffsets(rk, &request, 1, options, queue)
        } parse: { event in
            var count = 0
            let groups = rd_kafka_AlterConsumerGroupOffsets_result_groups(rd_kafka_event_AlterConsumerGroupOffsets_result(event), &count)
            _ = try Self.groupPartitions(groups, count: count, context: "alter offsets of group '\(groupID)'")
        }
    }

    /// Deletes a group's committed offsets for `partitions`. Kafka refuses this for partitions
    /// the group is actively consuming.
    ///
    /// - Throws: the first per-partition error (e.g. `GROUP_SUBSCRIBED_TO_TOPIC`).
    public func deleteConsumerGroupOffsets(
        _ groupID: String, partitions: [TopicPartition], timeout: Duration? = nil
    ) async throws {
        try await call("delete consumer group offsets", operation: RD_KAFKA_ADMIN_OP_DELETECONSUMERGROUPOFFSETS, timeout: timeout) { rk, options, queue in
            let list = RDKafkaTopicPartitionList(partitions)
            var request: OpaquePointer? = rd_kafka_DeleteConsumerGroupOffsets_new(groupID, list.pointer)
            defer { rd_kafka_DeleteConsumerGroupOffsets_destroy(request) }
            rd_kafka_DeleteConsumerGroupOffsets(rk, &request, 1, options, queue)
        } parse: { event in
            var count = 0
            let groups = rd_kafka_DeleteConsumerGroupOffsets_result_groups(rd_kafka_event_DeleteConsumerGroupOffsets_result(event), &count)
            _ = try Self.groupPartitions(groups, count: count, context: "delete offsets of group '\(groupID)'")
        }
    }

    // MARK: Records and ACLs

    /// Deletes records before the given offsets; returns each partition's new low watermark.
    public func deleteRecords(before offsets: [TopicPartition: Int64], timeout: Duration? = nil) async throws -> [TopicPartition: Int64] {
        try await call("delete records", operation: RD_KAFKA_ADMIN_OP_DELETERECORDS, timeout: timeout) { rk, options, queue in
            let list = RDKafkaTopicPartitionList(offsets)
            var request: OpaquePointer? = rd_kafka_DeleteRecords_new(list.pointer)
            defer { rd_kafka_DeleteRecords_destroy(request) }
            rd_kafka_DeleteRecords(rk, &request, 1, options, queue)
        } parse: { event in
            var lowWatermarks: [TopicPartition: Int64] = [:]
            for entry in RDKafkaTopicPartitionList.entries(of: rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(event))) {
                try entry.check("delete records")
                lowWatermarks[entry.topicPartition] = entry.offset
            }
            return lowWatermarks
        }
    }

    /// Creates ACL bindings.
    ///
    /// - Throws: the first binding's error (e.g. `SECURITY_DISABLED` on a broker without an authorizer).
    public func createAcls(_ bindings: [AclBinding], timeout: Duration? = nil) async throws {
        try await call("create ACLs", operation: RD_KAFKA_ADMIN_OP_CREATEACLS, timeout: timeout) { rk, options, queue in
            var requests: [OpaquePointer?] = []
            defer { for request in requests { rd_kafka_AclBinding_destroy(request) } }
            var errstr = [CChar](repeating: 0, count: 512)
            for binding in bindings {
                guard let request = rd_kafka_AclBinding_new(
                    .init(UInt32(binding.resourceType.rawValue)), binding.resourceName,
                    .init(UInt32(binding.patternType.rawValue)), binding.principal, binding.host,
                    .init(UInt32(binding.operation.rawValue)), .init(UInt32(binding.permissionType.rawValue)),
                    &errstr, errstr.count
                ) else {
                    throw KafkaError(.invalidArgument, "invalid ACL binding: \(String(cBuffer: errstr))")
                }
                requests.append(request)
            }
            rd_kafka_CreateAcls(rk, &requests, requests.count, options, queue)
        } parse: { event in
            var count = 0
            let results = rd_kafka_CreateAcls_result_acls(rd_kafka_event_CreateAcls_result(event), &count)
            for index in 0..<count {
                if let result = results?[index], let error = rd_kafka_acl_result_error(result) {
                    throw KafkaError.rdKafka(borrowing: error, "create ACL")
                }
            }
        }
    }

    /// The ACL bindings matching `filter`.
    public func describeAcls(_ filter: AclBindingFilter = .anyTopic, timeout: Duration? = nil) async throws -> [AclBinding] {
        try await call("describe ACLs", operation: RD_KAFKA_ADMIN_OP_DESCRIBEACLS, timeout: timeout) { rk, options, queue in
            var errstr = [CChar](repeating: 0, count: 512)
            guard let request = rd_kafka_AclBindingFilter_new(
                .init(UInt32(filter.resourceType.rawValue)), filter.resourceName,
                .init(UInt32(filter.patternType.rawValue)), filter.principal, filter.host,
                .init(UInt32(filter.operation.rawValue)), .init(UInt32(filter.permissionType.rawValue)),
                &errstr, errstr.count
            ) else {
                throw KafkaError(.invalidArgument, "invalid ACL filter: \(String(cBuffer: errstr))")
            }
            defer { rd_kafka_AclBinding_destroy(request) }
            rd_kafka_DescribeAcls(rk, request, options, queue)
        } parse: { event in
            var count = 0
            let acls = rd_kafka_DescribeAcls_result_acls(rd_kafka_event_DescribeAcls_result(event), &count)
            return (0..<count).compactMap { acls?[$0].map(AclBinding.init(copying:)) }
        }
    }

    // MARK: Plumbing

    /// Issues one admin request and waits for its result event, which `parse` reads before
    /// it is destroyed.
    private func call<T: Sendable>(
        _ name: String,
        operation: rd_kafka_admin_op_t,
        timeout: Duration?,
        request: @escaping @Sendable (_ rk: OpaquePointer, _ options: OpaquePointer, _ queue: OpaquePointer) throws -> Void,
        parse: @escaping @Sendable (_ event: OpaquePointer) throws -> T
    ) async throws -> T {
        let timeout = timeout ?? client.settings.defaultAPITimeout
        return try await BlockingExecutor.run { [client] in
            try client.withHandle { rk in
                let queue = rd_kafka_queue_new(rk)!
                defer { rd_kafka_queue_destroy(queue) }
                let options = rd_kafka_AdminOptions_new(rk, operation)!
                defer { rd_kafka_AdminOptions_destroy(options) }
                var errstr = [CChar](repeating: 0, count: 512)
                let ms = timeout.rdKafkaMilliseconds
                _ = rd_kafka_AdminOptions_set_request_timeout(options, ms, &errstr, errstr.count)
                if [RD_KAFKA_ADMIN_OP_CREATETOPICS, RD_KAFKA_ADMIN_OP_DELETETOPICS, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, RD_KAFKA_ADMIN_OP_DELETERECORDS].contains(operation) {
                    _ = rd_kafka_AdminOptions_set_operation_timeout(options, ms, &errstr, errstr.count)
                }
                try request(rk, options, queue)
                // librdkafka enforces the request timeout itself; the margin only guards a lost event.
                guard let event = rd_kafka_queue_poll(queue, ms + 5_000) else {
                    throw client.callbacks.timeoutError(name, after: timeout)
                }
                defer { rd_kafka_event_destroy(event) }
                let err = rd_kafka_event_error(event)
                if err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE {
                    throw client.callbacks.timeoutError(name, after: timeout)
                }
                guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw KafkaError.rdKafka(err, name, detail: rd_kafka_event_error_string(event).map { String(cString: $0) })
                }
                return try parse(event)
            }
        }
    }

    /// Reads cluster metadata (all topics) and hands it to `body` before freeing it.
    private func withMetadata<T: Sendable>(
        timeout: Duration?,
        _ body: @escaping @Sendable (OpaquePointer, rd_kafka_metadata, Int32) throws -> T
    ) async throws -> T {
        let timeout = timeout ?? client.settings.defaultAPITimeout
        return try await BlockingExecutor.run { [client] in
            try client.withHandle { rk in
                var metadata: UnsafePointer<rd_kafka_metadata>?
                let ms = timeout.rdKafkaMilliseconds
                let err = rd_kafka_metadata(rk, 1, nil, &metadata, ms)
                if err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR__TRANSPORT {
                    throw client.callbacks.timeoutError("read cluster metadata", after: timeout)
                }
                guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
                    throw KafkaError.rdKafka(err, "read cluster metadata")
                }
                defer { rd_kafka_metadata_destroy(metadata) }
                return try body(rk, metadata.pointee, ms)
            }
        }
    }

    private static func topicFailures(_ results: UnsafeMutablePointer<OpaquePointer?>?, count: Int, context: String) -> [String: KafkaError] {
        var failures: [String: KafkaError] = [:]
        for index in 0..<count {
            guard let result = results?[index] else { continue }
            let err = rd_kafka_topic_result_error(result)
            guard err != RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            let name = String(cString: rd_kafka_topic_result_name(result))
            failures[name] = KafkaError.rdKafka(err, "\(context) '\(name)'",
                                                detail: rd_kafka_topic_result_error_string(result).map { String(cString: $0) })
        }
        return failures
    }

    /// The partitions of the single group result of a group-offsets call; throws the group's
    /// or the first partition's error.
    private static func groupPartitions(_ groups: UnsafeMutablePointer<OpaquePointer?>?, count: Int, context: String) throws -> [RDKafkaTopicPartitionEntry] {
        guard count > 0, let group = groups?[0] else { return [] }
        if let error = rd_kafka_group_result_error(group) {
            throw KafkaError.rdKafka(borrowing: error, context)
        }
        let entries = RDKafkaTopicPartitionList.entries(of: rd_kafka_group_result_partitions(group))
        for entry in entries { try entry.check(context) }
        return entries
    }
}

/// Passes `strings` to C as a `const char **` valid for the call.
private func withCStrings<T>(_ strings: [String], _ body: (UnsafeMutablePointer<UnsafePointer<CChar>?>) throws -> T) throws -> T {
    let copies = strings.map { strdup($0) }
    defer { for copy in copies { free(copy) } }
    var pointers = copies.map { UnsafePointer<CChar>($0) }
    return try pointers.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
}

extension ConfigResource.ResourceType {
    var rdKafkaType: rd_kafka_ResourceType_t { self == .topic ? RD_KAFKA_RESOURCE_TOPIC : RD_KAFKA_RESOURCE_BROKER }

    init(_ type: rd_kafka_ResourceType_t) {
        self = type == RD_KAFKA_RESOURCE_BROKER ? .broker : .topic
    }
}

extension ConfigEntry {
    init(copying entry: OpaquePointer) {
        name = String(cString: rd_kafka_ConfigEntry_name(entry))
        value = rd_kafka_ConfigEntry_value(entry).map { String(cString: $0) }
        source = switch rd_kafka_ConfigEntry_source(entry) {
        case RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG: .dynamicTopicConfig
        case RD_KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG: .dynamicBrokerConfig
        case RD_KAFKA_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER_CONFIG: .dynamicDefaultBrokerConfig
        case RD_KAFKA_CONFIG_SOURCE_STATIC_BROKER_CONFIG: .staticBrokerConfig
        case RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG: .defaultConfig
        default: .unknown
        }
        isDefault = rd_kafka_ConfigEntry_is_default(entry) != 0
        isReadOnly = rd_kafka_ConfigEntry_is_read_only(entry) != 0
        isSensitive = rd_kafka_ConfigEntry_is_sensitive(entry) != 0
    }
}

extension ConsumerGroupState {
    init(rdKafka state: rd_kafka_consumer_group_state_t) {
        self = ConsumerGroupState(rawValue: String(cString: rd_kafka_consumer_group_state_name(state))) ?? .unknown
    }
}

extension BrokerNode {
    init(copying node: OpaquePointer) {
        id = Int32(rd_kafka_Node_id(node))
        host = String(cString: rd_kafka_Node_host(node))
        port = Int32(rd_kafka_Node_port(node))
    }
}
