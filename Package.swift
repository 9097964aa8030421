// swift-tools-version:6.1
// swift-connect: a Kafka Connect-compatible worker runtime hosting the MirrorMaker 2 connectors.
// Read docs/architecture.md first: it explains why the targets below are split the way they are.
import PackageDescription

let package = Package(
    name: "swift-connect",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "connect-worker", targets: ["connect-worker"]),
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "MirrorClient", targets: ["MirrorClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // MARK: Kafka layer (the only code that touches C)
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        // Kafka wire-protocol primitives and shared value types; pure Swift, no I/O.
        .target(name: "KafkaProtocol"),
        // Producer, consumer and admin clients over librdkafka.
        .target(
            name: "Kafka",
            dependencies: [
                "CRdKafka",
                "KafkaProtocol",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Kafka's classic group protocol over TCP (FindCoordinator, Join, Sync, Heartbeat, Leave):
        // the worker group needs protocol type "connect", which librdkafka cannot join.
        .target(
            name: "KafkaGroupClient",
            dependencies: ["KafkaProtocol", .product(name: "Logging", package: "swift-log")]
        ),
        // Worker-to-worker HTTP over libcurl (the only code that touches libcurl).
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(name: "RestClient", dependencies: ["CCurl", .product(name: "Logging", package: "swift-log")]),
        // Starts throwaway noida-db brokers for tests, benchmarks and the demo.
        .target(
            name: "KafkaTestSupport",
            dependencies: ["Kafka"]
        ),

        // MARK: Connect
        // What connectors are written against: Connector/Task protocols, records, converters,
        // config definitions, the plugin registry.
        .target(name: "ConnectAPI"),
        // The part of the Connect API that names Kafka client types: source tasks that hand the
        // worker consumed Kafka records to copy as they are (MirrorSourceTask).
        .target(name: "ConnectKafka", dependencies: ["ConnectAPI", "Kafka"]),
        // The worker runtime: herder, worker, group coordination and assignors, internal-topic stores.
        .target(
            name: "ConnectRuntime",
            dependencies: [
                "ConnectAPI",
                "ConnectKafka",
                "Kafka",
                "KafkaProtocol",
                "KafkaGroupClient",
                "RestClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The Connect REST API over a Herder (Hummingbird), with request forwarding.
        .target(
            name: "ConnectRest",
            dependencies: [
                "ConnectAPI",
                "ConnectRuntime",
                "RestClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // A sequence source and file sink for tests and demos, written like any connector.
        .target(name: "BuiltinConnectors", dependencies: ["ConnectAPI"]),

        // MARK: MirrorMaker 2
        // Replication policies, MM2 record formats, RemoteClusterUtils-style helpers.
        // Also a live client (checkpoints, heartbeats, remote topics) over the Kafka layer.
        .target(name: "MirrorClient", dependencies: ["KafkaProtocol", "Kafka", .product(name: "Logging", package: "swift-log")]),
        // Configuration and topic administration shared by the three MM2 connectors.
        .target(name: "MirrorCommon", dependencies: mirrorDependencies(["ConnectAPI", "MirrorClient"])),
        .target(name: "MirrorSourceConnector", dependencies: mirrorDependencies(["MirrorCommon", "ConnectKafka"])),
        .target(name: "MirrorCheckpointConnector", dependencies: mirrorDependencies(["MirrorCommon"])),
        .target(name: "MirrorHeartbeatConnector", dependencies: mirrorDependencies(["MirrorCommon"])),

        // MARK: Executables
        .executableTarget(
            name: "connect-worker",
            dependencies: [
                "Kafka",
                "ConnectAPI",
                "ConnectRuntime",
                "ConnectRest",
                "BuiltinConnectors",
                "MirrorClient",
                "MirrorSourceConnector",
                "MirrorCheckpointConnector",
                "MirrorHeartbeatConnector",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // MirrorSource throughput against a bare librdkafka loop (`bench/run`); the one place
        // outside the Kafka layer that calls librdkafka directly, to measure the ceiling.
        .executableTarget(
            name: "mirror-bench",
            dependencies: [
                "CRdKafka", "Kafka", "KafkaTestSupport", "MirrorClient", "RestClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/MirrorBench"
        ),

        // MARK: Tests
        .testTarget(name: "KafkaProtocolTests", dependencies: ["KafkaProtocol"]),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka", "KafkaTestSupport"]),
        .testTarget(name: "KafkaIntegrationTests", dependencies: ["Kafka", "KafkaTestSupport"]),
        .testTarget(name: "ConnectAPITests", dependencies: ["ConnectAPI"]),
        .testTarget(name: "ConnectRuntimeTests", dependencies: ["ConnectRuntime"]),
        .testTarget(
            name: "ConnectRuntimeIntegrationTests",
            dependencies: ["ConnectAPI", "ConnectRuntime", "Kafka", "KafkaTestSupport"]
        ),
        .testTarget(
            name: "KafkaGroupClientTests",
            dependencies: ["KafkaGroupClient", "KafkaProtocol", "Kafka", "KafkaTestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "ConnectRestTests",
            dependencies: [
                "ConnectRest", "ConnectRuntime", "ConnectAPI", "RestClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .testTarget(
            name: "RestClientTests",
            dependencies: [
                "RestClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .testTarget(name: "BuiltinConnectorsTests", dependencies: ["BuiltinConnectors", "ConnectAPI"]),
        .testTarget(name: "MirrorClientTests", dependencies: ["MirrorClient"]),
        .testTarget(
            name: "MirrorConnectorTests",
            dependencies: ["MirrorCommon", "MirrorSourceConnector", "MirrorCheckpointConnector", "MirrorHeartbeatConnector"]
        ),
        // The MM2 connectors and tasks driven directly against two real brokers.
        .testTarget(
            name: "MirrorIntegrationTests",
            dependencies: mirrorDependencies([
                "MirrorClient", "MirrorCommon", "MirrorSourceConnector", "MirrorCheckpointConnector",
                "MirrorHeartbeatConnector", "ConnectAPI", "ConnectKafka", "KafkaTestSupport",
                .product(name: "InMemoryLogging", package: "swift-log"),
            ])
        ),
        // End-to-end: runs the connect-worker binary against real brokers.
        .testTarget(name: "ConnectWorkerTests", dependencies: ["Kafka", "KafkaTestSupport", "ConnectRuntime", "RestClient", "MirrorClient", .product(name: "Logging", package: "swift-log")]),
    ]
)

/// The MM2 targets all talk to Kafka and log.
func mirrorDependencies(_ targets: [Target.Dependency]) -> [Target.Dependency] {
    targets + ["Kafka", .product(name: "Logging", package: "swift-log")]
}
