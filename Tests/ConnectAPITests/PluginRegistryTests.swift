import ConnectAPI
import Testing

/// Minimal plugins for the registry tests: they are never started.
final class DummySourceConnector: SourceConnector {
    init() {}
    var version: String { "1.2.3" }
    var configDef: ConfigDef { ConfigDef() }
    var taskType: any SourceTask.Type { DummySourceTask.self }
    func start(_ props: [String: String], context: any ConnectorContext) async throws {}
    func taskConfigs(maxTasks: Int) async throws -> [[String: String]] { [] }
    func stop() async {}
}

final class DummySourceTask: SourceTask {
    init() {}
    var version: String { "1.2.3" }
    func start(_ props: [String: String], context: any SourceTaskContext) async throws {}
    func poll() async throws -> [SourceRecord] { [] }
    func stop() async {}
}

final class DummySinkConnector: SinkConnector {
    init() {}
    var version: String { "0.1" }
    var configDef: ConfigDef { ConfigDef() }
    var taskType: any SinkTask.Type { DummySinkTask.self }
    func start(_ props: [String: String], context: any ConnectorContext) async throws {}
    func taskConfigs(maxTasks: Int) async throws -> [[String: String]] { [] }
    func stop() async {}
}

final class DummySinkTask: SinkTask {
    init() {}
    var version: String { "0.1" }
    func start(_ props: [String: String], context: any SinkTaskContext) async throws {}
    func put(_ records: [SinkRecord]) async throws {}
    func stop() async {}
}

@Suite("PluginRegistry")
struct PluginRegistryTests {
    private var registry: PluginRegistry {
        var registry = PluginRegistry.standardConverters
        registry.registerSourceConnector(DummySourceConnector.self, className: "org.apache.kafka.connect.mirror.MirrorSourceConnector")
        registry.registerSinkConnector(DummySinkConnector.self, className: "org.example.sink.FancySinkConnector")
        // Two classes with the same simple name: neither gets that alias.
        registry.registerSourceConnector(DummySourceConnector.self, className: "com.a.TwinConnector")
        registry.registerSourceConnector(DummySourceConnector.self, className: "com.b.TwinConnector")
        return registry
    }

    @Test func aliasesFollowKafka() throws {
        let registry = registry
        let mirror = try registry.lookupConnector("org.apache.kafka.connect.mirror.MirrorSourceConnector")
        #expect(mirror.aliases == ["MirrorSourceConnector", "MirrorSource"])
        #expect(mirror.type == .source)
        #expect(try registry.lookupConnector("MirrorSource").className == mirror.className)
        #expect(try registry.lookupConnector("MirrorSourceConnector").className == mirror.className)
        #expect(try registry.lookupConnector("FancySink").type == .sink)

        let json = try registry.lookupConverter("JsonConverter")
        #expect(json.className == "org.apache.kafka.connect.json.JsonConverter")
        #expect(json.aliases == ["JsonConverter", "Json"])
        #expect(try registry.lookupHeaderConverter("Simple").className == "org.apache.kafka.connect.storage.SimpleHeaderConverter")
        #expect(try registry.lookupHeaderConverter("ByteArrayConverter").className == ByteArrayConverter.className)

        let twins = try #require(registry.plugins.first { $0.className == "com.a.TwinConnector" })
        #expect(twins.aliases.isEmpty)
        #expect(registry.connectorType("com.b.TwinConnector") == .source)
    }

    @Test func ambiguousAndUnknownNamesFailLikeKafka() throws {
        let registry = registry
        do {
            _ = try registry.lookupConnector("Twin")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix("More than one connector matches alias Twin. Please use full package and class name instead. Classes found: "))
        }
        do {
            _ = try registry.newConnector("NoSuchConnector")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix(
                "Failed to find any class that implements Connector and which name matches NoSuchConnector, available connectors are: PluginDesc{klass=class com.a.TwinConnector, name='com.a.TwinConnector', version='1.2.3', encodedVersion=1.2.3, type=source, typeName='source', location='classpath'}, "))
            #expect(error.message.contains("org.example.sink.FancySinkConnector"))
        }
        #expect(throws: ConnectError.self) { try registry.lookupConverter("org.apache.kafka.connect.storage.SimpleHeaderConverter") }
        #expect(throws: ConnectError.self) { try registry.newConverter("Nope", props: [:], isKey: false) }
    }

    @Test func instantiatesAndConfigures() throws {
        let registry = registry
        let connector = try registry.newConnector("MirrorSource")
        #expect(connector is DummySourceConnector)
        let source = try #require(connector as? any SourceConnector)
        #expect(source.createTask() is DummySourceTask)
        #expect(try registry.newConnector("FancySinkConnector") is any SinkConnector)

        let converter = try registry.newConverter("JsonConverter", props: ["schemas.enable": "false"], isKey: false)
        #expect(try converter.fromConnectData(topic: "t", schema: nil, value: .int64(5)) == Array("5".utf8))
        do {
            _ = try registry.newConverter("JsonConverter", props: ["schemas.enable": "x"], isKey: false)
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "Invalid value x for configuration schemas.enable: Expected value to be either true or false")
        }
        #expect(try registry.newHeaderConverter("SimpleHeaderConverter", props: [:]) is SimpleHeaderConverter)
    }

    @Test func restListing() throws {
        let registry = registry
        #expect(registry.connectorPlugins.map(\.className) == [
            "com.a.TwinConnector", "com.b.TwinConnector",
            "org.apache.kafka.connect.mirror.MirrorSourceConnector", "org.example.sink.FancySinkConnector",
        ])
        #expect(registry.connectorPlugins.map(\.type.rawValue) == ["source", "source", "source", "sink"])
        #expect(registry.connectorPlugins.map(\.version) == ["1.2.3", "1.2.3", "1.2.3", "0.1"])

        let all = registry.allPlugins
        #expect(all.filter { $0.className == JsonConverter.className }.map(\.type.rawValue) == ["converter", "header_converter"])
        #expect(all.count == 11)
        #expect(all.map(\.className) == all.map(\.className).sorted())
    }
}
