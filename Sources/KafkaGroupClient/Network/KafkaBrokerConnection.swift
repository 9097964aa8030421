import KafkaProtocol

/// One TCP connection to a broker: request/response framing with correlation ids, and the
/// API versions negotiated with ApiVersions when it opens.
///
/// Requests are strictly sequential (one in flight). All calls block the calling thread; the
/// owner confines a connection to one thread or serial dispatch queue at a time, which is
/// why the type is `@unchecked Sendable`: it only crosses into that queue's closures.
final class KafkaBrokerConnection: @unchecked Sendable {
    /// Identity sent with every request (`client.id`) and in ApiVersions v3+.
    struct ClientIdentity: Sendable {
        var clientId: String
        var softwareName: String
        var softwareVersion: String
    }

    /// The largest response accepted, guarding against a corrupt size prefix.
    static let maxResponseSize = 128 * 1024 * 1024

    let address: KafkaBrokerAddress
    let apiVersions: ApiVersionsResponse
    private let socket: KafkaSocket
    private let identity: ClientIdentity
    private var nextCorrelationId: Int32

    private init(
        address: KafkaBrokerAddress, socket: KafkaSocket, identity: ClientIdentity, apiVersions: ApiVersionsResponse,
        nextCorrelationId: Int32
    ) {
        self.address = address
        self.socket = socket
        self.identity = identity
        self.apiVersions = apiVersions
        self.nextCorrelationId = nextCorrelationId
    }

    var isOpen: Bool { socket.isOpen }

    /// Whether the connection can take the next request (see ``KafkaSocket/isUsableWhenIdle``).
    var isUsable: Bool { socket.isUsableWhenIdle }

    func close() { socket.close() }

    /// Connects and negotiates API versions: ApiVersions v3 first; if the broker answers
    /// UNSUPPORTED_VERSION, again with the highest version it advertises for ApiVersions
    /// (brokers answer in the v0 layout; when that does not parse, v0).
    static func open(
        to address: KafkaBrokerAddress, identity: ClientIdentity, connectTimeout: Duration, requestTimeout: Duration,
        interrupt: IOInterrupt?
    ) throws(KafkaGroupClientError) -> KafkaBrokerConnection {
        let socket = try KafkaSocket.connect(to: address, timeout: connectTimeout, interrupt: interrupt)
        let request = ApiVersionsRequest(clientSoftwareName: identity.softwareName, clientSoftwareVersion: identity.softwareVersion)
        var version = ApiVersionsRequest.implementedVersions.upperBound
        var correlationId: Int32 = 0
        while true {
            let frame = try exchange(
                socket: socket, request: request, version: version, correlationId: correlationId,
                clientId: identity.clientId, timeout: requestTimeout, interrupt: interrupt)
            let response: ApiVersionsResponse
            do {
                response = try decodeApiVersions(frame, version: version, correlationId: correlationId)
            } catch {
                socket.close()
                throw KafkaGroupClientError(
                    .malformedResponse, "malformed ApiVersions v\(version) response from \(address): \(error)",
                    broker: address.description, isRetriable: true)
            }
            correlationId += 1
            if response.errorCode == .unsupportedVersion, version > 0 {
                let advertised = response.versions(of: .apiVersions)?.upperBound ?? 0
                version = max(0, min(advertised, version - 1))
                continue
            }
            guard response.errorCode == .none else {
                socket.close()
                throw .broker(response.errorCode, "ApiVersions v\(version) at \(address)", broker: address.description)
            }
            return KafkaBrokerConnection(
                address: address, socket: socket, identity: identity, apiVersions: response, nextCorrelationId: correlationId)
        }
    }

    /// ApiVersions responses use header v0 even when flexible. An UNSUPPORTED_VERSION answer
    /// should come in the v0 layout; if it does not parse, it counts as advertising nothing.
    static func decodeApiVersions(
        _ frame: [UInt8], version: Int16, correlationId: Int32
    ) throws(KafkaProtocolDecodingError) -> ApiVersionsResponse {
        var reader = KafkaBinaryReader(frame)
        let received = try reader.readInt32()
        guard received == correlationId else {
            throw KafkaProtocolDecodingError("correlation id \(received), expected \(correlationId)", at: 0)
        }
        var peek = reader
        let errorCode = KafkaProtocolErrorCode(rawValue: try peek.readInt16())
        if errorCode == .unsupportedVersion {
            var fallback = reader
            if let response = try? ApiVersionsResponse(from: &fallback, version: 0), fallback.isAtEnd { return response }
            return ApiVersionsResponse(errorCode: errorCode, apiKeys: [])
        }
        let response = try ApiVersionsResponse(from: &reader, version: version)
        try reader.expectEnd("ApiVersionsResponse v\(version)")
        return response
    }

    /// The highest version of `Request` that both this client and the broker support.
    func version<Request: KafkaRequestMessage>(for type: Request.Type) throws(KafkaGroupClientError) -> Int16 {
        let ours = Request.implementedVersions
        guard let theirs = apiVersions.versions(of: Request.apiKey), theirs.overlaps(ours) else {
            let advertised = apiVersions.versions(of: Request.apiKey).map { "\($0.lowerBound)-\($0.upperBound)" } ?? "none"
            throw KafkaGroupClientError(
                .unsupportedVersion,
                "\(address) supports \(Request.self) versions \(advertised); this client implements \(ours.lowerBound)-\(ours.upperBound)",
                broker: address.description)
        }
        return min(ours.upperBound, theirs.upperBound)
    }

    /// Sends `request` with the negotiated version and waits for its response.
    ///
    /// Any I/O or decoding failure closes the connection (it may be out of step); broker
    /// error codes are left in the response for the caller.
    func send<Request: KafkaRequestMessage>(
        _ request: Request, timeout: Duration, interrupt: IOInterrupt?
    ) throws(KafkaGroupClientError) -> (version: Int16, response: Request.Response) {
        let version = try version(for: Request.self)
        guard socket.isOpen else {
            throw KafkaGroupClientError(.network, "connection to \(address) is closed", broker: address.description, isRetriable: true)
        }
        let correlationId = nextCorrelationId
        nextCorrelationId = correlationId == .max ? 0 : correlationId + 1
        do throws(KafkaGroupClientError) {
            let frame = try Self.exchange(
                socket: socket, request: request, version: version, correlationId: correlationId,
                clientId: identity.clientId, timeout: timeout, interrupt: interrupt)
            let decoded: (correlationId: Int32, response: Request.Response)
            do {
                decoded = try KafkaFraming.decodeResponse(Request.self, version: version, frame: frame)
            } catch {
                throw KafkaGroupClientError(
                    .malformedResponse, "malformed \(Request.Response.self) v\(version) from \(address): \(error)",
                    broker: address.description, isRetriable: true)
            }
            guard decoded.correlationId == correlationId else {
                throw KafkaGroupClientError(
                    .malformedResponse,
                    "\(address) answered correlation id \(decoded.correlationId), expected \(correlationId)",
                    broker: address.description, isRetriable: true)
            }
            return (version, decoded.response)
        } catch {
            socket.close()
            throw error
        }
    }

    /// Writes one request frame and reads one response frame (without its size prefix).
    private static func exchange<Request: KafkaRequestMessage>(
        socket: KafkaSocket, request: Request, version: Int16, correlationId: Int32, clientId: String,
        timeout: Duration, interrupt: IOInterrupt?
    ) throws(KafkaGroupClientError) -> [UInt8] {
        let frame: [UInt8]
        do {
            frame = try KafkaFraming.encodeRequest(request, version: version, correlationId: correlationId, clientId: clientId)
        } catch {
            throw KafkaGroupClientError(.configuration, "cannot encode \(Request.self) v\(version): \(error)")
        }
        let deadline = ContinuousClock.now + timeout
        do throws(KafkaGroupClientError) {
            try socket.write(frame, deadline: deadline, interrupt: interrupt)
            let sizeBytes = try socket.read(count: 4, deadline: deadline, interrupt: interrupt)
            let size = sizeBytes.reduce(0) { ($0 << 8) | Int($1) }
            guard size >= 4, size <= maxResponseSize else {
                throw KafkaGroupClientError(
                    .malformedResponse, "\(socket.address) sent a response of invalid size \(size)",
                    broker: socket.address.description, isRetriable: true)
            }
            return try socket.read(count: size, deadline: deadline, interrupt: interrupt)
        } catch {
            socket.close()
            if error.code == .timedOut {
                throw KafkaGroupClientError(
                    .timedOut, "\(socket.address) did not answer \(Request.self) v\(version) within \(timeout)",
                    broker: socket.address.description, isRetriable: true)
            }
            throw error
        }
    }
}
