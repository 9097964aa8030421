import KafkaProtocol

/// FindCoordinator over the bootstrap brokers (blocking: run it on a dedicated thread or queue).
enum GroupCoordinatorLookup {
    /// Asks each candidate in turn, starting at `startIndex`, until one answers.
    ///
    /// - Throws: a broker error (e.g. COORDINATOR_NOT_AVAILABLE) from the first broker that
    ///   answers, or ``KafkaGroupClientError/Code/brokerUnreachable`` naming every candidate
    ///   and why it could not be reached.
    static func find(
        groupId: String, candidates: [KafkaBrokerAddress], startIndex: Int, identity: KafkaBrokerConnection.ClientIdentity,
        connectTimeout: Duration, requestTimeout: Duration, interrupt: IOInterrupt?
    ) throws(KafkaGroupClientError) -> KafkaBrokerAddress {
        var failures: [String] = []
        var lastRetriableFailure: KafkaGroupClientError?
        for offset in 0..<candidates.count {
            let address = candidates[(startIndex + offset) % candidates.count]
            do throws(KafkaGroupClientError) {
                let connection = try KafkaBrokerConnection.open(
                    to: address, identity: identity, connectTimeout: connectTimeout, requestTimeout: requestTimeout,
                    interrupt: interrupt)
                defer { connection.close() }
                let (_, response) = try connection.send(FindCoordinatorRequest(key: groupId), timeout: requestTimeout, interrupt: interrupt)
                guard let coordinator = response.coordinators.first(where: { $0.key == nil || $0.key == groupId }) else {
                    throw KafkaGroupClientError(
                        .malformedResponse, "\(address) answered FindCoordinator without an entry for group '\(groupId)'",
                        broker: address.description, isRetriable: true)
                }
                guard coordinator.errorCode == .none else {
                    throw KafkaGroupClientError.broker(
                        coordinator.errorCode, "FindCoordinator for group '\(groupId)' at \(address)",
                        errorMessage: coordinator.errorMessage, broker: address.description)
                }
                guard (1...65535).contains(coordinator.port), !coordinator.host.isEmpty else {
                    throw KafkaGroupClientError(
                        .malformedResponse, "\(address) named an invalid coordinator \(coordinator.host):\(coordinator.port)",
                        broker: address.description, isRetriable: true)
                }
                return KafkaBrokerAddress(host: coordinator.host, port: Int(coordinator.port))
            } catch {
                // A broker's answer is the cluster's answer; only connection problems move on.
                if error.code == .broker || error.code == .cancelled || error.code == .unsupportedVersion { throw error }
                failures.append(error.message)
                lastRetriableFailure = error
            }
        }
        if candidates.count == 1, let lastRetriableFailure { throw lastRetriableFailure }
        throw KafkaGroupClientError(
            .brokerUnreachable, "no broker reachable: \(failures.joined(separator: "; "))", isRetriable: true)
    }
}
