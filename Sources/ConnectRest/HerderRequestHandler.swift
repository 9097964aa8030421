import ConnectRuntime
import Hummingbird
import Logging
import RestClient

/// Waits for herder calls with the request timeout and forwards requests that belong to
/// another worker, as Apache's `HerderRequestHandler` does.
///
/// Forwarding: when the herder throws ``ConnectRestError/Code/notLeader`` or
/// ``ConnectRestError/Code/notAssigned`` and the request carries no `forward` parameter (it
/// comes from a user), it is re-sent to the named worker with `forward=true`; that worker may
/// send it on once more with `forward=false`; a worker receiving `forward=false` answers 409
/// instead of forwarding a third time.
struct HerderRequestHandler: Sendable {
    /// The result of a call that may have been answered by another worker.
    enum Outcome<Value: Sendable>: Sendable {
        case completed(Value)
        case forwarded(RestClient.Response)
    }

    let herder: any Herder
    let restClient: RestClient
    let requestTimeout: Duration
    let logger: Logger

    /// Runs `operation`, failing with 500 "Request timed out. ..." after the request timeout.
    /// The operation is cancelled then; herders are expected to return promptly on cancellation.
    func complete<Value: Sendable>(
        timeout: Duration? = nil,
        _ operation: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let limit = timeout ?? requestTimeout
        let herder = self.herder
        return try await withThrowingTaskGroup(of: TimedResult<Value>.self) { group in
            group.addTask { .value(try await operation()) }
            group.addTask {
                try await Task.sleep(for: limit)
                return .timedOut
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw CancellationError() }
            switch first {
            case .value(let value): return value
            case .timedOut: throw ConnectRestError.requestTimeout(stage: herder.currentStage())
            }
        }
    }

    private enum TimedResult<Value: Sendable>: Sendable {
        case value(Value)
        case timedOut
    }

    /// Runs `operation`; if the herder names another worker, forwards the request there.
    /// - Parameters:
    ///   - request: the incoming request (its path and query are re-sent).
    ///   - body: the request body to re-send, as received.
    func completeOrForward<Value: Sendable>(
        _ request: Request,
        body: [UInt8]?,
        _ operation: @escaping @Sendable () async throws -> Value
    ) async throws -> Outcome<Value> {
        do {
            return .completed(try await complete(operation))
        } catch let error as ConnectRestError where error.code == .notLeader || error.code == .notAssigned {
            let forwardParameter = request.uri.queryParameters.get("forward")
            guard forwardParameter == nil || forwardParameter?.lowercased() == "true" else {
                logger.error(
                    "Request could not find the target Connect worker within two hops (between workers)",
                    metadata: ["rest.method": "\(request.method)", "rest.path": "\(request.uri.path)"])
                throw ConnectRestError.conflict(ConnectRestError.conflictingOperationMessage)
            }
            guard let target = error.forwardURL, !target.isEmpty else {
                throw ConnectRestError.conflict(ConnectRestError.noKnownLeaderMessage)
            }
            // Only a user's request (no `forward` flag) may be forwarded twice.
            let recursive = forwardParameter == nil
            let url = Self.forwardURL(base: target, request: request, recursive: recursive)
            logger.debug("Forwarding REST request", metadata: ["rest.method": "\(request.method)", "rest.url": "\(url)"])
            return .forwarded(try await forward(request, to: url, body: body))
        } catch let error as ConnectRestError where error.code == .rebalanceNeeded {
            throw ConnectRestError.conflict(ConnectRestError.staleConfigurationMessage)
        }
    }

    private func forward(_ request: Request, to url: String, body: [UInt8]?) async throws -> RestClient.Response {
        var headers: [String: String] = [:]
        for name in ["Authorization", InternalRequestSignature.signatureHeader, InternalRequestSignature.algorithmHeader] {
            if let value = request.headerValue(named: name) { headers[name] = value }
        }
        do {
            return try await restClient.send(
                method: request.method.rawValue, url: url, headers: headers, body: body, timeout: requestTimeout)
        } catch let error as RestClientError {
            logger.error("IO error forwarding REST request", metadata: ["rest.url": "\(url)", "error": "\(error)"])
            throw ConnectRestError.internalError("IO Error trying to forward REST request: \(error.message)")
        }
    }

    /// `base` + the request's path, with `forward=<recursive>` and the request's other query
    /// parameters (e.g. `includeTasks`, `onlyFailed`).
    static func forwardURL(base: String, request: Request, recursive: Bool) -> String {
        var base = Substring(base)
        while base.hasSuffix("/") { base = base.dropLast() }
        let path = request.uri.path.hasPrefix("/") ? request.uri.path : "/" + request.uri.path
        var query = ["forward=\(recursive)"]
        if let original = request.uri.query {
            for pair in original.split(separator: "&") where !pair.isEmpty {
                let name = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                if name != "forward" { query.append(String(pair)) }
            }
        }
        return String(base) + path + "?" + query.joined(separator: "&")
    }
}
