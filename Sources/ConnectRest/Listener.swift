/// One parsed `listeners` entry: `protocol://host:port`, where an empty host means every
/// interface and port 0 means any free port.
struct Listener: Sendable, Hashable {
    var scheme: String
    /// The host as written (empty for all interfaces), without IPv6 brackets.
    var host: String
    var port: Int

    /// Parses `http://host:port`, `http://:8083` or `http://[::1]:8083`.
    /// - Throws: ``RestServerConfigurationError`` for another shape or a protocol other than
    ///   `http` (TLS listeners are not supported).
    init(parsing text: String) throws(RestServerConfigurationError) {
        guard let separator = text.range(of: "://") else {
            throw RestServerConfigurationError("Listener \(text) doesn't have the right format (protocol://hostname:port).")
        }
        let scheme = text[..<separator.lowerBound].lowercased()
        var rest = Substring(text[separator.upperBound...])
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
              (0...65535).contains(port)
        else {
            throw RestServerConfigurationError("Listener \(text) doesn't have the right format (protocol://hostname:port).")
        }
        var host = rest[..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard scheme == "http" else {
            throw RestServerConfigurationError("Listener \(text) uses protocol \(scheme); only http listeners are supported")
        }
        self.scheme = scheme
        self.host = String(host)
        self.port = port
    }

    /// The address to bind: all IPv4 interfaces for an empty host.
    var bindHost: String { host.isEmpty ? "0.0.0.0" : host }

    /// `scheme://host:port` with the given port, bracketing IPv6 literals.
    func url(host: String, port: Int) -> String {
        let printedHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(printedHost):\(port)"
    }
}
