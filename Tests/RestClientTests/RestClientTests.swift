import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RestClient
import Synchronization
import Testing

/// RestClient against a live local Hummingbird server.
@Suite struct RestClientTests {
    let client = RestClient(logger: Logger(label: "rest-client-test"), maximumResponseBytes: 1 << 20)

    /// Runs a server with echo, slow and large routes on a free port and passes its base URL.
    func withServer(_ test: (String) async throws -> Void) async throws {
        let router = Router()
        router.on("/echo", method: .post) { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers: HTTPFields = [.contentType: request.headers[.contentType] ?? "none"]
            headers[HTTPField.Name("X-Method")!] = request.method.rawValue
            headers[HTTPField.Name("X-Echo-Header")!] = request.headers[HTTPField.Name("X-Test")!] ?? "missing"
            headers[HTTPField.Name("X-Agent")!] = request.headers[.userAgent] ?? "missing"
            headers[HTTPField.Name("Set-Cookie")!] = "a=1"
            headers.append(HTTPField(name: HTTPField.Name("Set-Cookie")!, value: "b=2"))
            return Response(status: .created, headers: headers, body: .init(byteBuffer: body))
        }
        router.on("/echo", method: .put) { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            return Response(status: .ok, body: .init(byteBuffer: body))
        }
        router.get("/missing") { _, _ -> Response in
            Response(status: .notFound, body: .init(byteBuffer: ByteBuffer(string: #"{"error_code":404}"#)))
        }
        router.get("/slow") { _, _ -> Response in
            try await Task.sleep(for: .seconds(30))
            return Response(status: .ok)
        }
        router.get("/large") { _, _ -> Response in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: 0x61, count: 2 << 20)))
        }
        let port = Mutex<Int?>(nil)
        let (bound, boundContinuation) = AsyncStream<Int>.makeStream()
        let application = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                port.withLock { $0 = channel.localAddress?.port }
                boundContinuation.yield(channel.localAddress?.port ?? 0)
            },
            logger: Logger(label: "rest-client-test-server"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await application.run() }
            var iterator = bound.makeAsyncIterator()
            let port = try #require(await iterator.next())
            try await test("http://127.0.0.1:\(port)")
            group.cancelAll()
        }
    }

    @Test func sendsMethodHeadersAndBody() async throws {
        try await withServer { base in
            let response = try await client.send(
                method: "POST", url: base + "/echo", headers: ["X-Test": "yes"], body: Array(#"{"a":1}"#.utf8),
                timeout: .seconds(5))
            #expect(response.status == 201)
            #expect(String(decoding: response.body, as: UTF8.self) == #"{"a":1}"#)
            #expect(response.headers["content-type"] == "application/json")
            #expect(response.headers["x-method"] == "POST")
            #expect(response.headers["x-echo-header"] == "yes")
            #expect(response.headers["x-agent"] == "kafka-connect")
            #expect(response.headers["set-cookie"] == "a=1, b=2")

            let empty = try await client.send(method: "PUT", url: base + "/echo", body: [], timeout: .seconds(5))
            #expect(empty.status == 200)
            #expect(empty.body.isEmpty)

            let notFound = try await client.send(method: "GET", url: base + "/missing", timeout: .seconds(5))
            #expect(notFound.status == 404)
            #expect(String(decoding: notFound.body, as: UTF8.self) == #"{"error_code":404}"#)
        }
    }

    @Test func connectionRefusedNamesTheURL() async throws {
        let url = "http://127.0.0.1:1/connectors"
        let error = try await #require(throws: RestClientError.self) {
            _ = try await client.send(method: "GET", url: url, timeout: .seconds(5))
        }
        #expect(error.code == .connectionFailed)
        #expect(error.url == url)
        #expect(error.message.contains(url))
        #expect(error.message.lowercased().contains("connect"))
    }

    @Test func unresolvableHostIsAConnectionFailure() async throws {
        let error = try await #require(throws: RestClientError.self) {
            _ = try await client.send(method: "GET", url: "http://no-such-host.invalid:8083/", timeout: .seconds(10))
        }
        #expect(error.code == .connectionFailed)
        #expect(error.message.contains("no-such-host.invalid"))
    }

    @Test func timesOut() async throws {
        try await withServer { base in
            let clock = ContinuousClock()
            let started = clock.now
            let error = try await #require(throws: RestClientError.self) {
                _ = try await client.send(method: "GET", url: base + "/slow", timeout: .milliseconds(300))
            }
            #expect(error.code == .timedOut)
            #expect(error.message.contains(base + "/slow"))
            #expect(clock.now - started < .seconds(10))
        }
    }

    @Test func cancellationAbortsTheTransfer() async throws {
        try await withServer { base in
            let clock = ContinuousClock()
            let started = clock.now
            let result = await withTaskGroup(of: Result<RestClient.Response, any Error>.self) { group in
                group.addTask {
                    do {
                        return .success(try await client.send(method: "GET", url: base + "/slow", timeout: .seconds(60)))
                    } catch {
                        return .failure(error)
                    }
                }
                try? await Task.sleep(for: .milliseconds(200))
                group.cancelAll()
                return await group.next()!
            }
            guard case .failure(let error) = result, let clientError = error as? RestClientError else {
                Issue.record("expected a RestClientError, got \(result)")
                return
            }
            #expect(clientError.code == .cancelled)
            #expect(clock.now - started < .seconds(10))
        }
    }

    @Test func oversizedResponsesAndBadInputAreErrors() async throws {
        try await withServer { base in
            let large = try await #require(throws: RestClientError.self) {
                _ = try await client.send(method: "GET", url: base + "/large", timeout: .seconds(5))
            }
            #expect(large.code == .responseTooLarge)
        }
        let badURL = try await #require(throws: RestClientError.self) {
            _ = try await client.send(method: "GET", url: "nope://x", timeout: .seconds(5))
        }
        #expect(badURL.code == .invalidRequest)
        let badHeader = try await #require(throws: RestClientError.self) {
            _ = try await client.send(method: "GET", url: "http://127.0.0.1:1/", headers: ["X": "a\r\nB: c"], timeout: .seconds(5))
        }
        #expect(badHeader.code == .invalidRequest)
    }
}
