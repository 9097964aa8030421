/// A broker's `host:port`, as written in `bootstrap.servers` or returned by FindCoordinator.
public struct KafkaBrokerAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `host:port`, with IPv6 literals in brackets (`[::1]:9092`).
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Parses one `host:port` (`[v6-address]:port` for IPv6 literals).
    public init(parsing text: some StringProtocol) throws(KafkaGroupClientError) {
        let entry = text.trimmingWhitespace()
        let host: Substring
        let portText: Substring
        if entry.hasPrefix("[") {
            guard let close = entry.firstIndex(of: "]"), entry[entry.index(after: close)...].hasPrefix(":") else {
                throw KafkaGroupClientError(.configuration, "invalid broker address '\(entry)': expected [ipv6]:port")
            }
            host = entry[entry.index(after: entry.startIndex)..<close]
            portText = entry[entry.index(close, offsetBy: 2)...]
        } else {
            guard let colon = entry.lastIndex(of: ":") else {
                throw KafkaGroupClientError(.configuration, "invalid broker address '\(entry)': expected host:port")
            }
            host = entry[..<colon]
            portText = entry[entry.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (1...65535).contains(port) else {
            throw KafkaGroupClientError(.configuration, "invalid broker address '\(entry)': expected host:port with a port in 1...65535")
        }
        self.init(host: String(host), port: port)
    }

    /// Parses a `bootstrap.servers` list: comma-separated `host:port` entries, blanks ignored.
    ///
    /// - Throws: ``KafkaGroupClientError`` with code ``KafkaGroupClientError/Code/configuration``
    ///   for an empty list or a malformed entry.
    public static func parseList(_ list: String) throws(KafkaGroupClientError) -> [KafkaBrokerAddress] {
        var addresses: [KafkaBrokerAddress] = []
        for entry in list.split(separator: ",") where !entry.trimmingWhitespace().isEmpty {
            addresses.append(try KafkaBrokerAddress(parsing: entry))
        }
        guard !addresses.isEmpty else {
            throw KafkaGroupClientError(.configuration, "bootstrap.servers is empty: expected host:port[,host:port...]")
        }
        return addresses
    }
}

extension StringProtocol {
    fileprivate func trimmingWhitespace() -> Substring {
        let scalars = self[...]
        guard let first = scalars.firstIndex(where: { !$0.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.isWhitespace })
        else { return Substring() }
        return Substring(scalars[first...last])
    }
}
