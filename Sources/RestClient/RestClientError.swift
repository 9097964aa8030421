/// A request that ``RestClient`` could not complete. HTTP error statuses are not errors: they
/// come back as responses.
public struct RestClientError: Error, Sendable, CustomStringConvertible {
    /// What went wrong. New codes can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String, Hashable, Sendable {
            case connectionFailed, timedOut, cancelled, invalidRequest, responseTooLarge, transferFailed
        }

        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// The server could not be reached: connection refused, unknown host, connection reset.
        public static let connectionFailed = Code(.connectionFailed)
        /// No complete response arrived within the timeout.
        public static let timedOut = Code(.timedOut)
        /// The calling task was cancelled.
        public static let cancelled = Code(.cancelled)
        /// The URL, method or a header is malformed.
        public static let invalidRequest = Code(.invalidRequest)
        /// The response body exceeded the client's limit.
        public static let responseTooLarge = Code(.responseTooLarge)
        /// Any other transfer failure.
        public static let transferFailed = Code(.transferFailed)

        public var description: String { backing.rawValue }
    }

    public var code: Code
    /// The URL of the failed request.
    public var url: String
    /// What happened, naming the URL and libcurl's explanation.
    public var message: String

    public init(code: Code, url: String, message: String) {
        self.code = code
        self.url = url
        self.message = message
    }

    public var description: String { message }
}
