import ConnectRuntime
import Hummingbird
import Logging

/// Everything a route handler needs, shared by all resources.
struct RestContext: Sendable {
    let herder: any Herder
    let loggerLevels: LoggerLevels
    let configuration: RestServerConfiguration
    let requests: HerderRequestHandler
    let logger: Logger

    /// The request body, at most ``RestServerConfiguration/maximumRequestBodyBytes``.
    func body(of request: Request) async throws -> [UInt8] {
        let buffer = try await request.body.collect(upTo: configuration.maximumRequestBodyBytes)
        return Array(buffer.readableBytesView)
    }
}

/// Registers routes on a router and records their path patterns in ``patterns``.
struct RestRouteTable {
    typealias Handler = @Sendable (Request, BasicRequestContext) async throws -> Response

    let router: Router<BasicRequestContext>
    let patterns: RoutePatterns

    func add(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
        router.on(RouterPath(path), method: method, use: handler)
        patterns.add(path)
    }
}

/// The path patterns of all routes, so a request whose path exists under another method gets
/// 405 rather than 404.
final class RoutePatterns: Sendable {
    private let patterns = Mutex<[[String]]>([])

    func add(_ path: String) {
        let segments = path.split(separator: "/").map(String.init)
        patterns.withLock { $0.append(segments) }
    }

    /// True if some route matches `path` (under any method).
    func matches(path: String) -> Bool {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        return patterns.withLock { patterns in
            patterns.contains { pattern in
                pattern.count == segments.count
                    && zip(pattern, segments).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
            }
        }
    }
}

import Synchronization

// MARK: Request helpers

extension Request {
    /// The path parameter `name`, percent-decoded (JAX-RS decodes path parameters).
    func pathParameter(_ name: String, in context: BasicRequestContext) throws -> String {
        guard let raw = context.parameters.get(name) else {
            throw ConnectRestError(code: .notFound, status: 404, message: "HTTP 404 Not Found")
        }
        return raw.percentDecoded()
    }

    /// The value of a header, found by case-insensitive name.
    func headerValue(named name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.canonicalName == lowered }?.value
    }

    /// A boolean query parameter as JAX-RS reads `Boolean`: "true" in any case is true, other
    /// values are false; `nil` when absent or empty.
    func booleanQuery(_ name: String) -> Bool? {
        guard let value = uri.queryParameters.get(name), !value.isEmpty else { return nil }
        return value.lowercased() == "true"
    }
}

extension String {
    /// Decodes `%XX` escapes; malformed escapes and invalid UTF-8 are kept as written.
    func percentDecoded() -> String {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        var utf8 = Array(self.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self) ?? self
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters, for one path segment.
    func percentEncodedPathSegment() -> String {
        var result = ""
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }
}

// MARK: Responses

enum RestResponse {
    /// A JSON response.
    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A response without a body (204, or 202 for pause/resume).
    static func empty(_ status: HTTPResponse.Status) -> Response {
        Response(status: status)
    }

    /// Apache's error body with the given status.
    static func error(status: Int, errorCode: Int? = nil, message: String?) -> Response {
        json(ErrorMessage(errorCode: errorCode ?? status, message: message).jsonBytes(), status: .init(code: status))
    }

    /// Relays a response another worker gave to a forwarded request, as Apache's RestClient
    /// does: 2xx bodies as they are, error bodies as Connect errors, anything else as 500.
    static func relay(_ forwarded: RestClientResponse, locationFor name: String? = nil, request: Request) -> Response {
        switch forwarded.status {
        case 200..<300:
            var headers: HTTPFields = [:]
            if forwarded.status == 201, let name {
                headers[.location] = location(of: name, request: request)
            }
            if forwarded.status == 204 || forwarded.body.isEmpty {
                return Response(status: .init(code: forwarded.status), headers: headers)
            }
            return json(forwarded.body, status: .init(code: forwarded.status), headers: headers)
        case 400...:
            guard let message = ErrorMessage(jsonBytes: forwarded.body) else {
                return error(
                    status: 500,
                    message: "Error trying to forward REST request: the response (HTTP \(forwarded.status)) is not a Connect error body")
            }
            return error(status: forwarded.status, errorCode: message.errorCode, message: message.message)
        default:
            return error(status: 500, message: "Unexpected status code when handling forwarded request: \(forwarded.status)")
        }
    }

    /// The `Location` of a connector: absolute when the request names its host, as JAX-RS builds it.
    static func location(of connector: String, request: Request) -> String {
        let path = "/connectors/" + connector.percentEncodedPathSegment()
        guard let host = request.head.authority ?? request.headerValue(named: "Host"), !host.isEmpty else { return path }
        return "http://\(host)\(path)"
    }
}

import RestClient

typealias RestClientResponse = RestClient.Response
