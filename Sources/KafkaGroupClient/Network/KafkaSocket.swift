#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP connection on a non-blocking socket, driven with `poll` so that every operation has a
/// deadline and can be interrupted. All calls block the calling thread: use it only from a
/// dedicated thread or dispatch queue, never from Swift's cooperative pool.
///
/// Not thread-safe: one thread at a time uses a socket, and that thread also closes it.
final class KafkaSocket {
    /// How often a blocked operation checks its ``IOInterrupt``.
    static let interruptCheckInterval: Duration = .milliseconds(100)

    let address: KafkaBrokerAddress
    private var fd: Int32

    private init(address: KafkaBrokerAddress, fd: Int32) {
        self.address = address
        self.fd = fd
    }

    deinit { close() }

    var isOpen: Bool { fd >= 0 }

    /// Whether an idle connection is still usable: open, and neither closed by the peer nor
    /// holding unexpected input (brokers close connections idle for `connections.max.idle.ms`).
    var isUsableWhenIdle: Bool {
        guard fd >= 0 else { return false }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) == 0
    }

    func close() {
        guard fd >= 0 else { return }
        _ = systemClose(fd)
        fd = -1
    }

    /// Resolves `address` and connects to the first of its IP addresses that accepts.
    ///
    /// - Throws: ``KafkaGroupClientError/Code/brokerUnreachable`` naming `host:port` and the
    ///   system's reason (e.g. "Connection refused", a resolver error, or a timeout).
    static func connect(
        to address: KafkaBrokerAddress, timeout: Duration, interrupt: IOInterrupt?
    ) throws(KafkaGroupClientError) -> KafkaSocket {
        let deadline = ContinuousClock.now + timeout
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_protocol = Int32(IPPROTO_TCP)
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(address.host, String(address.port), &hints, &list)
        guard resolved == 0, let first = list else {
            let reason = resolved == EAI_SYSTEM ? errnoText(errno) : String(cString: gai_strerror(resolved))
            throw KafkaGroupClientError(
                .brokerUnreachable, "could not resolve \(address): \(reason)", broker: address.description, isRetriable: true)
        }
        defer { freeaddrinfo(list) }

        var reasons: [String] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            do {
                let fd = try connectOne(info.pointee, address: address, deadline: deadline, interrupt: interrupt)
                return KafkaSocket(address: address, fd: fd)
            } catch let error where error.code == .cancelled {
                throw error
            } catch {
                reasons.append(error.message)
            }
        }
        let reason = reasons.isEmpty ? "no usable address" : Array(Set(reasons)).sorted().joined(separator: "; ")
        throw KafkaGroupClientError(
            .brokerUnreachable, "could not connect to \(address): \(reason)", broker: address.description, isRetriable: true)
    }

    private static func connectOne(
        _ info: addrinfo, address: KafkaBrokerAddress, deadline: ContinuousClock.Instant, interrupt: IOInterrupt?
    ) throws(KafkaGroupClientError) -> Int32 {
        let fd = socket(info.ai_family, info.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.ai_protocol)
        guard fd >= 0 else { throw unreachable(address, errnoText(errno)) }
        var success = false
        defer { if !success { _ = systemClose(fd) } }
        let flags = fcntl(fd, F_GETFL, 0)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else { throw unreachable(address, errnoText(errno)) }
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))

        if systemConnect(fd, info.ai_addr, info.ai_addrlen) != 0 {
            let code = errno
            guard code == EINPROGRESS || code == EINTR else { throw unreachable(address, errnoText(code)) }
            do {
                try wait(fd: fd, for: Int16(POLLOUT), until: deadline, interrupt: interrupt, address: address)
            } catch let error where error.code == .timedOut {
                throw unreachable(address, "connection timed out")
            }
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length) == 0 else {
                throw unreachable(address, errnoText(errno))
            }
            guard socketError == 0 else { throw unreachable(address, errnoText(socketError)) }
        }
        success = true
        return fd
    }

    /// Sends all of `bytes`.
    func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant, interrupt: IOInterrupt?) throws(KafkaGroupClientError) {
        var sent = 0
        while sent < bytes.count {
            guard fd >= 0 else { throw closedError() }
            let count = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
            }
            if count > 0 {
                sent += count
                continue
            }
            let code = errno
            if count < 0, code == EAGAIN || code == EWOULDBLOCK || code == EINTR {
                try Self.wait(fd: fd, for: Int16(POLLOUT), until: deadline, interrupt: interrupt, address: address)
                continue
            }
            throw KafkaGroupClientError(
                .network, "sending to \(address) failed: \(errnoText(code))", broker: address.description, isRetriable: true)
        }
    }

    /// Reads exactly `count` bytes.
    func read(count: Int, deadline: ContinuousClock.Instant, interrupt: IOInterrupt?) throws(KafkaGroupClientError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var received = 0
        while received < count {
            guard fd >= 0 else { throw closedError() }
            let result = buffer.withUnsafeMutableBytes { raw in
                recv(fd, raw.baseAddress! + received, raw.count - received, 0)
            }
            if result > 0 {
                received += result
                continue
            }
            if result == 0 {
                throw KafkaGroupClientError(
                    .network, "\(address) closed the connection", broker: address.description, isRetriable: true)
            }
            let code = errno
            if code == EAGAIN || code == EWOULDBLOCK || code == EINTR {
                try Self.wait(fd: fd, for: Int16(POLLIN), until: deadline, interrupt: interrupt, address: address)
                continue
            }
            throw KafkaGroupClientError(
                .network, "reading from \(address) failed: \(errnoText(code))", broker: address.description, isRetriable: true)
        }
        return buffer
    }

    private func closedError() -> KafkaGroupClientError {
        KafkaGroupClientError(.network, "connection to \(address) is closed", broker: address.description, isRetriable: true)
    }

    /// Waits until `fd` is ready for `events`, the deadline passes (``KafkaGroupClientError/Code/timedOut``)
    /// or `interrupt` fires (``KafkaGroupClientError/Code/cancelled``).
    private static func wait(
        fd: Int32, for events: Int16, until deadline: ContinuousClock.Instant, interrupt: IOInterrupt?,
        address: KafkaBrokerAddress
    ) throws(KafkaGroupClientError) {
        while true {
            if interrupt?.isInterrupted == true {
                throw KafkaGroupClientError(.cancelled, "I/O with \(address) was interrupted", broker: address.description)
            }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                throw KafkaGroupClientError(
                    .timedOut, "no response from \(address) in time", broker: address.description, isRetriable: true)
            }
            let slice = min(remaining, interruptCheckInterval)
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&descriptor, 1, Int32(max(1, slice.milliseconds)))
            if ready > 0 { return }  // readable/writable, or an error the next call reports
            if ready < 0, errno != EINTR {
                throw KafkaGroupClientError(
                    .network, "poll on \(address) failed: \(errnoText(errno))", broker: address.description, isRetriable: true)
            }
        }
    }

    private static func unreachable(_ address: KafkaBrokerAddress, _ reason: String) -> KafkaGroupClientError {
        KafkaGroupClientError(.brokerUnreachable, reason, broker: address.description, isRetriable: true)
    }
}

/// `strerror` text plus the symbolic errno number, e.g. "Connection refused (errno 111)".
func errnoText(_ code: Int32) -> String {
    "\(String(cString: strerror(code))) (errno \(code))"
}

extension Duration {
    /// Whole milliseconds, rounded down, saturating at `Int.max`.
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return seconds < 0 ? Int.min : Int.max }
        return Int(clamping: ms + attoseconds / 1_000_000_000_000_000)
    }
}

private func systemClose(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.close(fd)
    #else
    Darwin.close(fd)
    #endif
}

private func systemConnect(_ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>!, _ length: socklen_t) -> Int32 {
    #if canImport(Glibc)
    Glibc.connect(fd, address, length)
    #else
    Darwin.connect(fd, address, length)
    #endif
}
