/// Client configuration in Apache Kafka's (Java client) property names: `bootstrap.servers`,
/// `security.protocol`, `sasl.jaas.config`, `ssl.truststore.location`, …
///
/// A Connect user's existing worker or connector properties work unchanged: each name is
/// translated to librdkafka's equivalent when the client is created (see
/// ``KafkaConfiguration/translated()``). Names librdkafka shares with Java pass through and
/// librdkafka validates their values; Java-only properties with no librdkafka equivalent are
/// rejected with an error that names them, never dropped silently.
public struct KafkaConfiguration: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    public var properties: [String: String]

    public init(_ properties: [String: String] = [:]) {
        self.properties = properties
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    public subscript(_ name: String) -> String? {
        get { properties[name] }
        set { properties[name] = newValue }
    }

    /// This configuration with `overrides` applied on top.
    public func merging(_ overrides: [String: String]) -> KafkaConfiguration {
        KafkaConfiguration(properties.merging(overrides) { _, override in override })
    }
}

/// A configuration translated for librdkafka, plus the settings this layer handles itself.
struct TranslatedConfiguration: Sendable {
    /// librdkafka property names and values, sorted by name.
    var librdkafka: [(name: String, value: String)]
    /// `default.api.timeout.ms`: the timeout of blocking calls that take none explicitly.
    var defaultAPITimeout: Duration
    /// `max.poll.records`: the most records one consumer poll returns.
    var maxPollRecords: Int
}

extension KafkaConfiguration {
    /// Translates Java client property names to librdkafka's.
    ///
    /// - Throws: ``KafkaError/Code/configuration`` naming every property that has no
    ///   librdkafka equivalent or an unusable value.
    func translated() throws -> TranslatedConfiguration {
        var output: [String: String] = [:]
        var problems: [String] = []
        var defaultAPITimeoutMs = 60_000
        var maxPollRecords = 500

        for (name, rawValue) in properties.sorted(by: { $0.key < $1.key }) {
            let value = rawValue.trimmingWhitespace()
            do {
                switch name {
                case "default.api.timeout.ms":
                    defaultAPITimeoutMs = try positiveInteger(name, value)
                case "max.poll.records":
                    maxPollRecords = try positiveInteger(name, value)
                case "fetch.max.wait.ms":
                    output["fetch.wait.max.ms"] = value
                case "receive.buffer.bytes", "send.buffer.bytes":
                    // Java's -1 ("OS default") is librdkafka's 0.
                    output["socket." + name] = value == "-1" ? "0" : value
                case "buffer.memory":
                    let bytes = try positiveInteger(name, value)
                    output["queue.buffering.max.kbytes"] = String(max(1, (bytes + 1023) / 1024))
                case "max.request.size":
                    output["message.max.bytes"] = value
                case "sasl.mechanism":
                    output["sasl.mechanisms"] = value
                case "auto.offset.reset":
                    output[name] = value.lowercased() == "none" ? "error" : value
                case "partition.assignment.strategy":
                    output[name] = try assignmentStrategies(value)
                case "ssl.endpoint.identification.algorithm":
                    output[name] = value.isEmpty ? "none" : value
                case "ssl.truststore.certificates":
                    output["ssl.ca.pem"] = rawValue
                case "ssl.keystore.certificate.chain":
                    output["ssl.certificate.pem"] = rawValue
                case "ssl.keystore.key":
                    output["ssl.key.pem"] = rawValue
                case "ssl.truststore.location", "ssl.truststore.type", "ssl.truststore.password":
                    if name == "ssl.truststore.location" {
                        output.merge(try truststore(location: value)) { _, new in new }
                    }
                case "ssl.keystore.location", "ssl.keystore.type", "ssl.keystore.password":
                    if name == "ssl.keystore.location" {
                        output.merge(try keystore(location: value)) { _, new in new }
                    }
                case "sasl.jaas.config":
                    output.merge(try jaasCredentials(rawValue)) { _, new in new }
                case "key.serializer", "value.serializer":
                    try requireByteArray(name, value, expected: "org.apache.kafka.common.serialization.ByteArraySerializer")
                case "key.deserializer", "value.deserializer":
                    try requireByteArray(name, value, expected: "org.apache.kafka.common.serialization.ByteArrayDeserializer")
                default:
                    if let reason = Self.javaOnlyProperties[name] {
                        throw configurationError("'\(name)' is a Java client property with no librdkafka equivalent: \(reason)")
                    }
                    output[name] = rawValue
                }
            } catch let error as KafkaError {
                problems.append(error.message)
            }
        }
        if let problem = trustAndKeyStoreTypeProblem() { problems.append(problem) }
        guard problems.isEmpty else {
            throw configurationError(problems.joined(separator: "; "))
        }
        return TranslatedConfiguration(
            librdkafka: output.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) },
            defaultAPITimeout: .milliseconds(defaultAPITimeoutMs),
            maxPollRecords: maxPollRecords
        )
    }

    /// Properties of Apache Kafka's Java clients that librdkafka cannot honour, with why.
    static let javaOnlyProperties: [String: String] = [
        "max.block.ms": "the client never blocks the caller on a full buffer; sends fail with queueFull instead",
        "interceptor.classes": "Java interceptors cannot run in this runtime",
        "metric.reporters": "client metrics are exported by swift-connect itself",
        "metrics.num.samples": "client metrics are exported by swift-connect itself",
        "metrics.sample.window.ms": "client metrics are exported by swift-connect itself",
        "metrics.recording.level": "client metrics are exported by swift-connect itself",
        "auto.include.jmx.reporter": "there is no JMX in this runtime",
        "partitioner.class": "keyed records are partitioned with murmur2_random, Java's default partitioner",
        "ssl.protocol": "librdkafka negotiates the TLS version through OpenSSL",
        "ssl.enabled.protocols": "librdkafka negotiates the TLS version through OpenSSL",
        "ssl.provider": "librdkafka always uses OpenSSL",
        "ssl.keymanager.algorithm": "Java KeyManager algorithms do not apply to OpenSSL",
        "ssl.trustmanager.algorithm": "Java TrustManager algorithms do not apply to OpenSSL",
        "ssl.secure.random.implementation": "OpenSSL provides randomness",
        "ssl.engine.factory.class": "Java SSL engines cannot run in this runtime",
        "security.providers": "Java security providers cannot run in this runtime",
        "sasl.login.class": "Java login modules cannot run in this runtime",
        "sasl.login.callback.handler.class": "Java callback handlers cannot run in this runtime",
        "sasl.client.callback.handler.class": "Java callback handlers cannot run in this runtime",
        "exclude.internal.topics": "subscriptions here are explicit topic lists",
    ]

    private func trustAndKeyStoreTypeProblem() -> String? {
        for (kind, passwordAllowed) in [("truststore", false), ("keystore", true)] {
            let type = (properties["ssl.\(kind).type"] ?? "JKS").uppercased()
            let hasLocation = properties["ssl.\(kind).location"] != nil
            if properties["ssl.\(kind).password"] != nil, !(passwordAllowed && hasLocation && type == "PKCS12") {
                return "'ssl.\(kind).password' has no librdkafka equivalent here: only PKCS12 keystores take a password (use 'ssl.key.password' for an encrypted PEM key)"
            }
        }
        return nil
    }

    private func truststore(location: String) throws -> [String: String] {
        let type = (properties["ssl.truststore.type"] ?? "JKS").uppercased()
        guard type == "PEM" else {
            throw configurationError("'ssl.truststore.location' with ssl.truststore.type=\(type) is not supported by librdkafka: convert the truststore to a PEM file and set ssl.truststore.type=PEM")
        }
        return ["ssl.ca.location": location]
    }

    private func keystore(location: String) throws -> [String: String] {
        switch (properties["ssl.keystore.type"] ?? "JKS").uppercased() {
        case "PKCS12":
            var result = ["ssl.keystore.location": location]
            if let password = properties["ssl.keystore.password"] { result["ssl.keystore.password"] = password }
            return result
        case "PEM":
            // A PEM keystore file holds the private key and the certificate chain.
            return ["ssl.certificate.location": location, "ssl.key.location": location]
        case let type:
            throw configurationError("'ssl.keystore.location' with ssl.keystore.type=\(type) is not supported by librdkafka: use a PKCS12 or PEM keystore")
        }
    }

    private func jaasCredentials(_ jaas: String) throws -> [String: String] {
        let supportedModules = [
            "org.apache.kafka.common.security.plain.PlainLoginModule",
            "org.apache.kafka.common.security.scram.ScramLoginModule",
        ]
        let trimmed = jaas.trimmingWhitespace()
        guard let module = supportedModules.first(where: { trimmed.hasPrefix($0) }) else {
            let name = trimmed.split(whereSeparator: \.isWhitespace).first.map(String.init) ?? ""
            throw configurationError("'sasl.jaas.config' login module '\(name)' is not supported: only PlainLoginModule and ScramLoginModule map to librdkafka (sasl.username/sasl.password)")
        }
        let options = JAASOptions.parse(trimmed.dropFirst(module.count))
        guard let username = options["username"], let password = options["password"] else {
            throw configurationError("'sasl.jaas.config' must set username and password for \(module)")
        }
        return ["sasl.username": username, "sasl.password": password]
    }

    private func assignmentStrategies(_ value: String) throws -> String {
        let names: [String: String] = [
            "org.apache.kafka.clients.consumer.RangeAssignor": "range",
            "org.apache.kafka.clients.consumer.RoundRobinAssignor": "roundrobin",
            "org.apache.kafka.clients.consumer.CooperativeStickyAssignor": "cooperative-sticky",
            "range": "range", "roundrobin": "roundrobin", "cooperative-sticky": "cooperative-sticky",
        ]
        return try value.split(separator: ",").map { entry in
            let name = entry.trimmingWhitespace()
            guard let mapped = names[name] else {
                throw configurationError("'partition.assignment.strategy' value '\(name)' has no librdkafka equivalent (use RangeAssignor, RoundRobinAssignor or CooperativeStickyAssignor)")
            }
            return mapped
        }.joined(separator: ",")
    }

    private func requireByteArray(_ name: String, _ value: String, expected: String) throws {
        guard value == expected || value == expected.split(separator: ".").last.map(String.init) else {
            throw configurationError("'\(name)'=\(value) is not supported: this client always exchanges raw bytes (\(expected))")
        }
    }

    private func positiveInteger(_ name: String, _ value: String) throws -> Int {
        guard let number = Int(value), number > 0 else {
            throw configurationError("'\(name)' must be a positive integer, got '\(value)'")
        }
        return number
    }

    private func configurationError(_ message: String) -> KafkaError {
        KafkaError(.configuration, message)
    }
}

/// The `key="value"` options of a JAAS login module entry.
enum JAASOptions {
    static func parse(_ text: Substring) -> [String: String] {
        var options: [String: String] = [:]
        var rest = text
        while let equals = rest.firstIndex(of: "=") {
            let key = rest[..<equals].split(whereSeparator: \.isWhitespace).last.map(String.init) ?? ""
            rest = rest[rest.index(after: equals)...].drop(while: \.isWhitespace)
            let value: Substring
            if rest.first == "\"" {
                let body = rest.dropFirst()
                let end = body.firstIndex(of: "\"") ?? body.endIndex
                value = body[..<end]
                rest = end < body.endIndex ? body[body.index(after: end)...] : body[end...]
            } else {
                let end = rest.firstIndex { $0.isWhitespace || $0 == ";" } ?? rest.endIndex
                value = rest[..<end]
                rest = rest[end...]
            }
            options[key] = String(value)
        }
        return options
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return String(self[start..<Swift.max(start, end)])
    }
}
