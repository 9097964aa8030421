import ConnectRuntime
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Hummingbird
import Logging
import NIOCore
import RestClient
import ServiceLifecycle
import Synchronization

/// The Kafka Connect REST API (Apache Kafka 3.7-3.9) over a ``Herder``, served by Hummingbird.
///
/// A `Service`: ``run()`` serves every configured listener until graceful shutdown. Routes,
/// status codes and JSON bodies follow Apache's resources; leader-only writes are forwarded to
/// the leader with ``RestClient`` (see `HerderRequestHandler`).
public final class RestServer: Service, Sendable {
    private let configuration: RestServerConfiguration
    private let listeners: [Listener]
    private let adminListeners: [Listener]
    private let logger: Logger
    private let context: RestContext
    private let state = Mutex(BindState())

    private struct BindState {
        /// Bound URLs by listener position (main listeners first, then admin listeners).
        var bound: [Int: String] = [:]
        var failure: (any Error)?
        var waiters: [UInt64: CheckedContinuation<[String], any Error>] = [:]
        var nextWaiter: UInt64 = 0
    }

    /// - Parameters:
    ///   - herder: serves every cluster operation.
    ///   - loggerLevels: the registry behind `/admin/loggers` (worker scope).
    ///   - restClient: forwards requests to other workers; one is made if not given.
    /// - Throws: ``RestServerConfigurationError`` for a listener that cannot be served.
    public init(
        configuration: RestServerConfiguration,
        herder: any Herder,
        loggerLevels: LoggerLevels,
        restClient: RestClient? = nil,
        logger: Logger
    ) throws(RestServerConfigurationError) {
        self.configuration = configuration
        var listeners: [Listener] = []
        for text in configuration.listeners { listeners.append(try Listener(parsing: text)) }
        guard !listeners.isEmpty else { throw RestServerConfigurationError("No listeners are configured for the REST server") }
        var adminListeners: [Listener] = []
        for text in configuration.adminListeners ?? [] { adminListeners.append(try Listener(parsing: text)) }
        self.listeners = listeners
        self.adminListeners = adminListeners
        self.logger = logger
        let requests = HerderRequestHandler(
            herder: herder, restClient: restClient ?? RestClient(logger: logger),
            requestTimeout: configuration.requestTimeout, logger: logger)
        self.context = RestContext(
            herder: herder, loggerLevels: loggerLevels, configuration: configuration, requests: requests, logger: logger)
    }

    /// Which resources a router serves.
    public enum RouterRole: Sendable {
        /// The Connect API, plus `/admin` unless `admin.listeners` is set.
        case main
        /// Only `/admin` (for `admin.listeners`).
        case admin
    }

    /// Builds the router of one kind of listener; tests drive it with HummingbirdTesting.
    public func buildRouter(_ role: RouterRole = .main) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self, options: [.autoGenerateHeadEndpoints])
        let routes = RestRouteTable(router: router, patterns: RoutePatterns())
        router.add(middleware: ConnectErrorMiddleware(
            routes: routes.patterns, maximumRequestBodyBytes: configuration.maximumRequestBodyBytes, logger: logger))
        switch role {
        case .main:
            RootResource(rest: context).register(on: routes)
            ConnectorsResource(rest: context).register(on: routes)
            InternalConnectResource(rest: context).register(on: routes)
            ConnectorPluginsResource(rest: context).register(on: routes)
            if configuration.adminListeners == nil { LoggingResource(rest: context).register(on: routes) }
        case .admin:
            LoggingResource(rest: context).register(on: routes)
        }
        return router
    }

    /// Serves all listeners until graceful shutdown or cancellation.
    /// - Throws: the first listener's failure (e.g. the address is in use).
    public func run() async throws {
        let mainResponder = buildRouter(.main).buildResponder()
        let adminResponder = buildRouter(.admin).buildResponder()
        let all = listeners.map { ($0, false) } + adminListeners.map { ($0, true) }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, (listener, isAdmin)) in all.enumerated() {
                    let onRunning: @Sendable (any Channel) async -> Void = { [self] channel in
                        self.listenerBound(index: index, listener: listener, port: channel.localAddress?.port ?? listener.port)
                    }
                    let configuration = ApplicationConfiguration(address: .hostname(listener.bindHost, port: listener.port))
                    if isAdmin {
                        let application = Application(
                            responder: adminResponder, configuration: configuration, onServerRunning: onRunning, logger: logger)
                        group.addTask { try await application.run() }
                    } else {
                        let application = Application(
                            responder: mainResponder, configuration: configuration, onServerRunning: onRunning, logger: logger)
                        group.addTask { try await application.run() }
                    }
                }
                try await group.waitForAll()
            }
            finish(with: RestServerConfigurationError("The REST server has stopped"))
        } catch {
            finish(with: error)
            throw error
        }
    }

    private func listenerBound(index: Int, listener: Listener, port: Int) {
        let url = listener.url(host: listener.bindHost, port: port)
        logger.info("REST server listening", metadata: ["rest.listener": "\(url)"])
        let ready: ([String], [CheckedContinuation<[String], any Error>])? = state.withLock { state in
            state.bound[index] = url
            guard state.bound.count == listeners.count + adminListeners.count else { return nil }
            let urls = (0..<state.bound.count).compactMap { state.bound[$0] }
            let waiters = Array(state.waiters.values)
            state.waiters.removeAll()
            return (urls, waiters)
        }
        if let (urls, waiters) = ready {
            for waiter in waiters { waiter.resume(returning: urls) }
        }
    }

    private func finish(with error: any Error) {
        let waiters = state.withLock { state in
            if state.failure == nil { state.failure = error }
            let waiters = Array(state.waiters.values)
            state.waiters.removeAll()
            return waiters
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }

    /// Waits until every listener is bound and returns their URLs with the actual ports
    /// (`http://127.0.0.1:54321`), main listeners first, then admin listeners.
    /// - Throws: the server's failure if it could not start or has stopped; `CancellationError`.
    public func boundListeners() async throws -> [String] {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[String], any Error>) in
                enum Immediate {
                    case urls([String]), failure(any Error), wait
                }
                let immediate: Immediate = state.withLock { state in
                    let expected = listeners.count + adminListeners.count
                    if state.bound.count == expected {
                        return .urls((0..<expected).compactMap { state.bound[$0] })
                    }
                    if let failure = state.failure { return .failure(failure) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiters[id] = continuation
                    return .wait
                }
                switch immediate {
                case .urls(let urls): continuation.resume(returning: urls)
                case .failure(let error): continuation.resume(throwing: error)
                case .wait: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// The URL other workers reach this one at (Apache's `advertisedUrl()`, with a trailing
    /// `/`): `rest.advertised.*` where set, else the first listener of the advertised protocol,
    /// its host (this machine's host name for an all-interfaces listener) and its bound port.
    public func advertisedURL() async throws -> String {
        let urls = try await boundListeners()
        let scheme = configuration.advertisedListener?.lowercased() ?? listeners[0].scheme
        let index = listeners.firstIndex { $0.scheme == scheme } ?? 0
        let listener = listeners[index]
        let boundPort = urls.indices.contains(index) ? Listener.port(of: urls[index]) : nil
        let host = configuration.advertisedHostName ?? (listener.host.isEmpty ? RestServer.localHostName() : listener.host)
        let port = configuration.advertisedPort ?? (listener.port > 0 ? listener.port : boundPort ?? listener.port)
        return Listener(scheme: scheme, host: host, port: port).url(host: host, port: port) + "/"
    }

    /// This machine's host name (`gethostname`, no DNS look-up).
    static func localHostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}

extension Listener {
    init(scheme: String, host: String, port: Int) {
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    /// The port at the end of a bound URL.
    static func port(of url: String) -> Int? {
        url.lastIndex(of: ":").flatMap { Int(url[url.index(after: $0)...]) }
    }
}
