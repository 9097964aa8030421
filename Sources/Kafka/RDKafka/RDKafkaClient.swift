import CRdKafka
import Dispatch
import Foundation
import Logging
import Synchronization

/// Owns one `rd_kafka_t` handle: creates it, lends it out, serves its main queue and destroys it.
///
/// Lifetime rules (the only place that reasons about them):
/// - Every use of the handle goes through ``withHandle(_:)``, which counts the caller as a user;
///   once ``close(drain:)`` starts, new users get ``KafkaError/Code/clientClosed``, and the handle
///   is destroyed only after the last user returned.
/// - A dedicated thread serves the main queue (`rd_kafka_poll`): delivery reports, errors and
///   logs. It stops before the handle is destroyed. For a client created with
///   ``MainQueueServing/ownerFirst(idle:)`` its owner serves the queue through
///   ``serveMainQueue()`` between calls, and the thread only serves what waited longer than
///   `idle`; one server at a time, and each dispatches what it collected before letting go.
/// - ``RDKafkaCallbacks`` is the callbacks' opaque pointer; the client keeps it alive until
///   after `rd_kafka_destroy`.
/// - If the last reference goes away without `close`, `deinit` destroys the handle on a
///   background queue instead of blocking whatever thread dropped it.
final class RDKafkaClient: Sendable {
    enum Kind: Sendable {
        case producer, consumer

        var rdKafkaType: rd_kafka_type_t { self == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER }
    }

    private struct State {
        var users = 0
        var closing = false
    }

    let kind: Kind
    let settings: TranslatedConfiguration
    let callbacks: RDKafkaCallbacks
    private let handle: SendablePointer
    private let state = Mutex(State())
    private let poller: MainQueuePoller
    /// Set for ``MainQueueServing/ownerFirst(idle:)`` clients.
    private let ownerServed: OwnerServedMainQueue?
    /// Work done before `rd_kafka_destroy` when the client is dropped without `close`.
    private let drainOnDrop: @Sendable (OpaquePointer) -> Void

    /// Creates the handle. `configure` may install callbacks on the `rd_kafka_conf_t`.
    init(
        kind: Kind,
        configuration: KafkaConfiguration,
        logger: Logger,
        mainQueue: MainQueueServing = .pollerThread,
        drainOnDrop: @escaping @Sendable (OpaquePointer) -> Void = { _ in },
        configure: (OpaquePointer) -> Void = { _ in }
    ) throws {
        let settings = try configuration.translated()
        try Self.validateBootstrapServers(configuration)
        let callbacks = RDKafkaCallbacks(logger: logger)
        let conf = rd_kafka_conf_new()!
        var confOwned = true
        defer { if confOwned { rd_kafka_conf_destroy(conf) } }

        var errstr = [CChar](repeating: 0, count: 512)
        for (name, value) in settings.librdkafka {
            switch rd_kafka_conf_set(conf, name, value, &errstr, errstr.count) {
            case RD_KAFKA_CONF_OK:
                continue
            case RD_KAFKA_CONF_UNKNOWN:
                throw KafkaError(.configuration, "unknown Kafka client property '\(name)'")
            default:
                let detail = String(cBuffer: errstr)
                throw KafkaError(.configuration, "invalid value for Kafka client property '\(name)': \(detail)")
            }
        }
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(callbacks).toOpaque())
        rd_kafka_conf_set_error_cb(conf, rdKafkaErrorCallback)
        rd_kafka_conf_set_log_cb(conf, rdKafkaLogCallback)
        configure(conf)

        // rd_kafka_new takes ownership of conf only on success.
        guard let pointer = rd_kafka_new(kind.rdKafkaType, conf, &errstr, errstr.count) else {
            throw KafkaError(.configuration, "cannot create Kafka client: \(String(cBuffer: errstr))")
        }
        confOwned = false
        self.kind = kind
        self.settings = settings
        self.callbacks = callbacks
        self.handle = SendablePointer(pointer: pointer)
        self.drainOnDrop = drainOnDrop
        switch mainQueue {
        case .pollerThread:
            ownerServed = nil
            poller = MainQueuePoller(
                handle: handle, name: "rdkafka-main-\(kind)", mode: .blocking(afterPoll: callbacks.taggedDeliveries.dispatch))
        case .ownerFirst(let idle):
            let queue = OwnerServedMainQueue(idle: idle, dispatch: callbacks.taggedDeliveries.dispatch)
            ownerServed = queue
            poller = MainQueuePoller(handle: handle, name: "rdkafka-main-\(kind)", mode: .fallback(queue))
        }
    }

    deinit {
        let alreadyClosed = state.withLock { $0.closing }
        guard !alreadyClosed else { return }
        // Nobody can use the handle any more; destroy it off the current thread.
        let (handle, poller, callbacks, drain) = (self.handle, self.poller, self.callbacks, self.drainOnDrop)
        DispatchQueue(label: "swift-connect.kafka.destroy").async {
            Self.destroy(handle, poller: poller, callbacks: callbacks, drain: drain)
        }
    }

    /// For ``MainQueueServing/ownerFirst(idle:)`` clients: serves what the main queue holds on
    /// the calling thread without waiting (`rd_kafka_poll` with a zero timeout) and hands the
    /// collected delivery reports to their handler. Returns at once if another thread is
    /// serving. A no-op for other clients.
    func serveMainQueue() throws {
        guard let ownerServed else { return }
        try withHandle { rk in ownerServed.serve(rk) }
    }

    /// Lends the handle for a call; throws ``KafkaError/Code/clientClosed`` after `close`.
    func withHandle<T>(_ body: (OpaquePointer) throws -> T) throws -> T {
        try state.withLock { state throws(KafkaError) in
            guard !state.closing else { throw KafkaError(.clientClosed, "the Kafka \(kind) was closed") }
            state.users += 1
        }
        defer { state.withLock { $0.users -= 1 } }
        return try body(handle.pointer)
    }

    /// The fatal error a handle raised, read synchronously from librdkafka (so it is known
    /// even before the error callback ran).
    static func fatalError(of rk: OpaquePointer) -> KafkaError? {
        var buffer = [CChar](repeating: 0, count: 512)
        let underlying = rd_kafka_fatal_error(rk, &buffer, buffer.count)
        guard underlying != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        var error = KafkaError.rdKafka(underlying, "fatal client error", detail: String(cBuffer: buffer))
        error.code = .fatal
        error.isFatal = true
        error.isRetriable = false
        return error
    }

    /// Stops new use, waits for in-flight calls, runs `drain` (flush, consumer close), stops
    /// the main-queue thread and destroys the handle. Idempotent; the later calls return at once.
    func close(drain: @escaping @Sendable (OpaquePointer) -> Void) async {
        let first = state.withLock { state in
            defer { state.closing = true }
            return !state.closing
        }
        guard first else { return }
        let (handle, poller, callbacks) = (self.handle, self.poller, self.callbacks)
        _ = try? await BlockingExecutor.run { [self] in
            while state.withLock({ $0.users }) > 0 { usleep(1000) }
            Self.destroy(handle, poller: poller, callbacks: callbacks, drain: drain)
        }
    }

    /// Drains the handle, stops its main-queue thread and destroys it (`close` and `deinit`).
    private static func destroy(
        _ handle: SendablePointer, poller: MainQueuePoller, callbacks: RDKafkaCallbacks,
        drain: @Sendable (OpaquePointer) -> Void
    ) {
        // The drain (`rd_kafka_flush`) serves an owner-served queue itself: one server only.
        if poller.isFallback { poller.stop() }
        drain(handle.pointer)
        poller.stop()
        rd_kafka_destroy(handle.pointer)
        withExtendedLifetime(callbacks) {}
    }

    /// librdkafka accepts nonsense bootstrap lists and only logs; reject them up front.
    private static func validateBootstrapServers(_ configuration: KafkaConfiguration) throws {
        guard let servers = configuration["bootstrap.servers"] ?? configuration["metadata.broker.list"] else {
            throw KafkaError(.configuration, "'bootstrap.servers' is required")
        }
        for entry in servers.split(separator: ",").map({ $0.trimmingWhitespace() }) where !entry.isEmpty {
            let address = entry.split(separator: "://", maxSplits: 1).last.map(String.init) ?? entry
            guard let colon = address.lastIndex(of: ":"),
                  !address[..<colon].isEmpty,
                  let port = Int(address[address.index(after: colon)...]), (1...65535).contains(port)
            else {
                throw KafkaError(.configuration, "invalid 'bootstrap.servers' entry '\(entry)': expected host:port")
            }
        }
        if servers.trimmingWhitespace().isEmpty {
            throw KafkaError(.configuration, "'bootstrap.servers' is empty")
        }
    }
}

/// Which thread serves a client's main queue.
enum MainQueueServing: Sendable {
    /// The client's own thread, always waiting in `rd_kafka_poll`.
    case pollerThread
    /// The owner, between its calls; the client's thread serves only what waited longer than
    /// `idle` (the owner is busy elsewhere or idle).
    case ownerFirst(idle: Duration)
}

/// The main queue of an owner-served client: whoever serves (owner or fallback thread) polls
/// and dispatches under one lock, so reports reach their handler in the order librdkafka
/// served them.
final class OwnerServedMainQueue: Sendable {
    /// How long reports may wait for the owner before the client's thread serves them.
    let idleMilliseconds: Int
    private let serving = Mutex(())
    /// `DispatchTime` uptime of the last serve, in nanoseconds.
    private let lastServed = Atomic<UInt64>(0)
    private let dispatch: @Sendable () -> Void

    init(idle: Duration, dispatch: @escaping @Sendable () -> Void) {
        idleMilliseconds = max(1, Int(idle.rdKafkaMilliseconds))
        self.dispatch = dispatch
    }

    /// Serves without waiting; returns at once if another thread is serving.
    func serve(_ rk: OpaquePointer) {
        serving.withLockIfAvailable { _ in
            rd_kafka_poll(rk, 0)
            dispatch()
            lastServed.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
        }
    }

    /// Serves if nobody did for the idle interval.
    func serveIfIdle(_ rk: OpaquePointer) {
        let waited = DispatchTime.now().uptimeNanoseconds &- lastServed.load(ordering: .relaxed)
        guard waited >= UInt64(idleMilliseconds) * 1_000_000 else { return }
        serve(rk)
    }
}

/// The thread that serves a client's main queue: always waiting in `rd_kafka_poll`, or, for an
/// owner-served client, waking every `idle` to serve what the owner left waiting.
final class MainQueuePoller: Sendable {
    enum Mode: Sendable {
        /// Polls with a timeout; `afterPoll` hands over what the callbacks collected.
        case blocking(afterPoll: @Sendable () -> Void)
        /// Serves an owner-served queue that nobody served for its idle interval.
        case fallback(OwnerServedMainQueue)
    }

    /// Whether this thread only serves what an owner-served queue left waiting.
    let isFallback: Bool
    private let running = Atomic<Bool>(true)
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    init(handle: SendablePointer, name: String, mode: Mode) {
        if case .fallback = mode { isFallback = true } else { isFallback = false }
        let thread = Thread { [self] in
            switch mode {
            case .blocking(let afterPoll):
                while running.load(ordering: .acquiring) {
                    rd_kafka_poll(handle.pointer, 100)
                    afterPoll()
                }
            case .fallback(let queue):
                while running.load(ordering: .acquiring) {
                    _ = wake.wait(timeout: .now() + .milliseconds(queue.idleMilliseconds))
                    guard running.load(ordering: .acquiring) else { break }
                    queue.serveIfIdle(handle.pointer)
                }
            }
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Blocks until the thread has left `rd_kafka_poll` for good.
    func stop() {
        if running.exchange(false, ordering: .acquiringAndReleasing) {
            wake.signal()
            finished.wait()
        }
    }
}

/// The target of librdkafka's callbacks for one handle: logs and remembers errors.
final class RDKafkaCallbacks: Sendable {
    let logger: Logger
    /// Delivery reports of tagged sends (producers only), collected by the delivery callback.
    let taggedDeliveries = TaggedDeliveryQueue()
    private let errors = Mutex<(last: KafkaError?, fatal: KafkaError?)>((nil, nil))

    init(logger: Logger) {
        self.logger = logger
    }

    /// The most recent client-level error (e.g. brokers unreachable), for timeout messages.
    var lastError: KafkaError? { errors.withLock { $0.last } }
    /// Set once librdkafka raised a fatal error: the client is unusable.
    var fatalError: KafkaError? { errors.withLock { $0.fatal } }

    fileprivate func record(_ error: KafkaError) {
        errors.withLock { state in
            state.last = error
            if error.isFatal, state.fatal == nil { state.fatal = error }
        }
    }

    /// Appends the last client error to a timeout message, which is what makes an unreachable
    /// broker or a bad address obvious to the user.
    func timeoutError(_ context: String, after timeout: Duration) -> KafkaError {
        var message = "\(context) timed out after \(timeout)"
        if let last = lastError { message += "; last client error: \(last.message)" }
        return KafkaError(.timedOut, message, isRetriable: true)
    }
}

/// The callbacks object registered as the handle's opaque pointer.
func rdKafkaCallbacks(of rk: OpaquePointer?) -> RDKafkaCallbacks? {
    guard let rk, let opaque = rd_kafka_opaque(rk) else { return nil }
    return Unmanaged<RDKafkaCallbacks>.fromOpaque(opaque).takeUnretainedValue()
}

private let rdKafkaErrorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
    rk, code, reason, _ in
    guard let callbacks = rdKafkaCallbacks(of: rk) else { return }
    let err = rd_kafka_resp_err_t(rawValue: code)
    let text = reason.map { String(cString: $0) } ?? ""
    var error = KafkaError.rdKafka(err, "client error", detail: text)
    if err == RD_KAFKA_RESP_ERR__FATAL, let rk, let fatal = RDKafkaClient.fatalError(of: rk) {
        error = fatal
    }
    callbacks.record(error)
    callbacks.logger.log(level: error.isFatal ? .error : .warning, "\(error.message)", metadata: [
        KafkaLoggingKeys.rdKafkaError: .string(error.rdKafkaName ?? "\(code)"),
    ])
}

private let rdKafkaLogCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = {
    rk, level, facility, message in
    guard let callbacks = rdKafkaCallbacks(of: rk) else { return }
    let swiftLevel: Logger.Level = switch level {
    case ...2: .critical
    case 3: .error
    case 4: .warning
    case 5: .notice
    case 6: .info
    default: .debug
    }
    callbacks.logger.log(level: swiftLevel, "\(message.map { String(cString: $0) } ?? "")", metadata: [
        KafkaLoggingKeys.rdKafkaFacility: .string(facility.map { String(cString: $0) } ?? ""),
    ])
}

extension String {
    /// Decodes a NUL-terminated C string held in a buffer librdkafka wrote into.
    init(cBuffer: [CChar]) {
        let bytes = cBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        self.init(decoding: bytes, as: UTF8.self)
    }
}
