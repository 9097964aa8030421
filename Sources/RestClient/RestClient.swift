import CCurl
import Dispatch
import Logging
import Synchronization

/// A small HTTP client for worker-to-worker REST calls (request forwarding, task configs sent
/// to the leader), built on libcurl's easy interface.
///
/// Each request gets its own curl handle, created and cleaned up around one blocking
/// `curl_easy_perform`, which runs on its own serial dispatch queue, never on Swift's
/// cooperative pool. (Serial queues target libdispatch's overcommit pool, which starts a
/// thread when none is free; a concurrent queue would share the cooperative pool's width-limited
/// threads on Linux, so blocked transfers could starve every task.)
/// Cancelling the calling task aborts the transfer (within about a second). Proxies from the
/// environment are ignored, as Connect's Jetty client does.
public final class RestClient: Sendable {
    /// The parts of an HTTP response.
    public typealias Response = (status: Int, headers: [String: String], body: [UInt8])

    private let logger: Logger
    private let userAgent: String
    private let maximumResponseBytes: Int

    /// - Parameters:
    ///   - userAgent: sent as `User-Agent` (Apache sends `kafka-connect`).
    ///   - maximumResponseBytes: responses with larger bodies fail with ``RestClientError/Code/responseTooLarge``.
    public init(logger: Logger, userAgent: String = "kafka-connect", maximumResponseBytes: Int = 64 << 20) {
        RestClient.initializeCurl
        self.logger = logger
        self.userAgent = userAgent
        self.maximumResponseBytes = maximumResponseBytes
    }

    /// `curl_global_init` must run once before any handle exists.
    private static let initializeCurl: Void = {
        _ = curl_global_init(Int(CURL_GLOBAL_ALL))
    }()

    /// Sends one request and returns the response, whatever its status.
    /// - Parameters:
    ///   - method: `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, ...
    ///   - url: an absolute `http://` or `https://` URL.
    ///   - headers: extra request headers; `Content-Type: application/json` is added when there
    ///     is a body and no content type is given.
    ///   - body: the request body; `nil` sends none.
    ///   - timeout: for the whole exchange, connecting included.
    /// - Returns: the status, the response headers (names lower-cased, repeated headers joined
    ///   with `, `) and the body.
    /// - Throws: ``RestClientError`` naming `url`: `connectionFailed` (refused, unresolvable
    ///   host), `timedOut`, `cancelled`, `invalidRequest`, `responseTooLarge` or `transferFailed`.
    public func send(
        method: String,
        url: String,
        headers: [String: String] = [:],
        body: [UInt8]? = nil,
        timeout: Duration
    ) async throws -> Response {
        let transfer = Transfer(
            method: method, url: url, headers: headers, body: body, timeout: timeout,
            userAgent: userAgent, maximumResponseBytes: maximumResponseBytes)
        logger.trace("Sending REST request", metadata: ["rest.method": "\(method)", "rest.url": "\(url)"])
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Response, any Error>) in
                DispatchQueue(label: "swift-connect.rest-client.transfer").async {
                    continuation.resume(with: Result { try transfer.perform() })
                }
            }
        } onCancel: {
            transfer.cancel()
        }
    }
}

/// The state of one transfer, shared between the caller (cancellation) and the dispatch
/// thread running `curl_easy_perform` (everything else).
private final class Transfer: Sendable {
    let method: String
    let url: String
    let headers: [String: String]
    let body: [UInt8]?
    let timeout: Duration
    let userAgent: String
    let maximumResponseBytes: Int
    let cancelled = Atomic<Bool>(false)
    /// Written only by curl callbacks during `perform`, on the performing thread.
    let response = Mutex(ResponseBuffer())

    struct ResponseBuffer {
        var body: [UInt8] = []
        var headerLines: [String] = []
        var tooLarge = false
    }

    init(
        method: String, url: String, headers: [String: String], body: [UInt8]?, timeout: Duration,
        userAgent: String, maximumResponseBytes: Int
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.userAgent = userAgent
        self.maximumResponseBytes = maximumResponseBytes
    }

    func cancel() {
        cancelled.store(true, ordering: .relaxed)
    }

    private func failure(_ code: RestClientError.Code, _ message: String) -> RestClientError {
        RestClientError(code: code, url: url, message: message)
    }

    /// Runs the transfer; blocks the calling thread.
    func perform() throws(RestClientError) -> RestClient.Response {
        guard !cancelled.load(ordering: .relaxed) else {
            throw failure(.cancelled, "Request \(method) \(url) was cancelled")
        }
        guard !method.isEmpty, !method.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) else {
            throw failure(.invalidRequest, "Invalid HTTP method '\(method)' for \(url)")
        }
        guard let handle = curl_easy_init() else {
            throw failure(.transferFailed, "Could not create a libcurl handle for \(method) \(url)")
        }
        defer { curl_easy_cleanup(handle) }

        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        var requestHeaders = headers
        if body != nil, !requestHeaders.keys.contains(where: { $0.lowercased() == "content-type" }) {
            requestHeaders["Content-Type"] = "application/json"
        }
        if !requestHeaders.keys.contains(where: { $0.lowercased() == "accept" }) {
            requestHeaders["Accept"] = "application/json"
        }
        for (name, value) in requestHeaders.sorted(by: { $0.key < $1.key }) {
            guard !name.isEmpty, !(name + value).utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0 }) else {
                throw failure(.invalidRequest, "Invalid header '\(name)' for \(method) \(url)")
            }
            guard let appended = curl_slist_append(headerList, "\(name): \(value)") else {
                throw failure(.transferFailed, "Could not build the headers of \(method) \(url)")
            }
            headerList = appended
        }
        // Never wait for "100 Continue" before sending a body.
        guard let withExpect = curl_slist_append(headerList, "Expect:") else {
            throw failure(.transferFailed, "Could not build the headers of \(method) \(url)")
        }
        headerList = withExpect

        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }

        let timeoutMillis = max(1, Int(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
        let context = Unmanaged.passUnretained(self).toOpaque()

        // Every option below is valid for an easy handle, so setopt results are checked together.
        var setupCodes: [CURLcode] = [
            ccurl_easy_setopt_string(handle, CURLOPT_URL, url),
            ccurl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method),
            ccurl_easy_setopt_string(handle, CURLOPT_USERAGENT, userAgent),
            ccurl_easy_setopt_string(handle, CURLOPT_NOPROXY, "*"),
            ccurl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList),
            ccurl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1),
            ccurl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMillis),
            ccurl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, timeoutMillis),
            ccurl_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0),
            ccurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer),
            ccurl_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, transferWriteBody),
            ccurl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context),
            ccurl_easy_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, transferWriteHeader),
            ccurl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context),
            ccurl_easy_setopt_xferinfo_callback(handle, transferProgress),
            ccurl_easy_setopt_pointer(handle, CURLOPT_XFERINFODATA, context),
            ccurl_easy_setopt_long(handle, CURLOPT_NOPROGRESS, 0),
        ]
        if method == "HEAD" {
            setupCodes.append(ccurl_easy_setopt_long(handle, CURLOPT_NOBODY, 1))
        }

        let result: CURLcode = withBody { bodyPointer, bodyCount in
            if let bodyPointer {
                // POSTFIELDS does not copy: the body stays alive until `withBody` returns.
                setupCodes.append(ccurl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bodyCount)))
                setupCodes.append(ccurl_easy_setopt_pointer(handle, CURLOPT_POSTFIELDS, bodyPointer))
            }
            if let failed = setupCodes.first(where: { $0 != CURLE_OK }) { return failed }
            return curl_easy_perform(handle)
        }

        let detail = String(cString: errorBuffer)
        let summary = String(cString: curl_easy_strerror(result))
        let explanation = detail.isEmpty ? summary : "\(summary) (\(detail))"
        switch result {
        case CURLE_OK:
            break
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_SEND_ERROR,
             CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_SSL_CONNECT_ERROR:
            throw failure(.connectionFailed, "Connection to \(url) for \(method) failed: \(explanation)")
        case CURLE_OPERATION_TIMEDOUT:
            throw failure(.timedOut, "\(method) \(url) timed out after \(timeoutMillis) ms: \(explanation)")
        case CURLE_ABORTED_BY_CALLBACK:
            throw failure(.cancelled, "Request \(method) \(url) was cancelled")
        case CURLE_WRITE_ERROR where response.withLock { $0.tooLarge }:
            throw failure(.responseTooLarge, "The response to \(method) \(url) is larger than \(maximumResponseBytes) bytes")
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            throw failure(.invalidRequest, "Invalid URL \(url): \(explanation)")
        default:
            throw failure(.transferFailed, "\(method) \(url) failed: \(explanation)")
        }

        var status = 0
        _ = ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return response.withLock { buffer in
            (status: status, headers: Transfer.parseHeaders(buffer.headerLines), body: buffer.body)
        }
    }

    private func withBody<Result>(_ body: (UnsafeRawPointer?, Int) -> Result) -> Result {
        guard let requestBody = self.body else { return body(nil, 0) }
        if requestBody.isEmpty {
            // A non-nil pointer so libcurl sends `Content-Length: 0` instead of reading stdin.
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1) { body(UnsafeRawPointer($0.baseAddress), 0) }
        }
        return requestBody.withUnsafeBytes { body($0.baseAddress, $0.count) }
    }

    /// Turns the header lines of the final response into a map with lower-cased names.
    static func parseHeaders(_ lines: [String]) -> [String: String] {
        var result: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingSpaces().lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces()
            guard !name.isEmpty else { continue }
            if let existing = result[name] {
                result[name] = existing + ", " + value
            } else {
                result[name] = value
            }
        }
        return result
    }

    fileprivate func appendBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        response.withLock { buffer in
            guard buffer.body.count + bytes.count <= maximumResponseBytes else {
                buffer.tooLarge = true
                return false
            }
            buffer.body.append(contentsOf: bytes)
            return true
        }
    }

    fileprivate func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self)
        response.withLock { buffer in
            // A new status line starts the headers of a new response (after 1xx or redirects).
            if line.hasPrefix("HTTP/") {
                buffer.headerLines.removeAll()
            } else if !line.trimmingSpaces().isEmpty {
                buffer.headerLines.append(line)
            }
        }
    }
}

extension StringProtocol {
    /// Strips spaces, tabs, CR and LF (by scalar, so a CRLF pair goes too).
    fileprivate func trimmingSpaces() -> String {
        let scalars = String(self).unicodeScalars
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(scalars[first...last])
    }
}

// MARK: libcurl callbacks (C function pointers: no captures, the Transfer comes as context)

private func transferWriteBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard length > 0, let data else { return length }
    return transfer.appendBody(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}

private func transferWriteHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard length > 0, let data else { return length }
    transfer.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: length))
    return length
}

private func transferProgress(
    _ context: UnsafeMutableRawPointer?, _ downloadTotal: curl_off_t, _ downloadNow: curl_off_t,
    _ uploadTotal: curl_off_t, _ uploadNow: curl_off_t
) -> Int32 {
    guard let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    // Non-zero aborts the transfer with CURLE_ABORTED_BY_CALLBACK.
    return transfer.cancelled.load(ordering: .relaxed) ? 1 : 0
}
