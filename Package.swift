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
        // Starts throwaway noida-db brokers for tests, benchmarks and the demo.
        .target(
            name: "KafkaTestSupport",
            dependencies: ["Kafka"]
        ),

        // MARK: Connect
        // What connectors are written against: config definitions (and, later, Connector/Task).
        .target(name: "ConnectAPI"),
        // The worker runtime: group protocol, internal-topic formats, worker config.
        .target(
            name: "ConnectRuntime",
            dependencies: [
                "ConnectAPI",
                "Kafka",
                "KafkaProtocol",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: MirrorMaker 2
        // Replication policies, MM2 record formats, RemoteClusterUtils-style helpers.
        .target(name: "MirrorClient", dependencies: ["KafkaProtocol"]),
        // Configuration shared by the three MM2 connectors.
        .target(name: "MirrorCommon", dependencies: ["ConnectAPI", "MirrorClient"]),
        .target(name: "MirrorSourceConnector", dependencies: ["MirrorCommon"]),
        .target(name: "MirrorCheckpointConnector", dependencies: ["MirrorCommon"]),
        .target(name: "MirrorHeartbeatConnector", dependencies: ["MirrorCommon"]),

        // MARK: Executables
        .executableTarget(
            name: "connect-worker",
            dependencies: [
                "Kafka",
                "ConnectRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: Tests
        .testTarget(name: "KafkaProtocolTests", dependencies: ["KafkaProtocol"]),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka", "KafkaTestSupport"]),
        .testTarget(name: "KafkaIntegrationTests", dependencies: ["Kafka", "KafkaTestSupport"]),
        .testTarget(name: "ConnectAPITests", dependencies: ["ConnectAPI"]),
        .testTarget(name: "ConnectRuntimeTests", dependencies: ["ConnectRuntime"]),
        .testTarget(name: "MirrorClientTests", dependencies: ["MirrorClient"]),
        .testTarget(
            name: "MirrorConnectorTests",
            dependencies: ["MirrorCommon", "MirrorSourceConnector", "MirrorCheckpointConnector", "MirrorHeartbeatConnector"]
        ),
        // End-to-end: runs the connect-worker binary against real brokers.
        .testTarget(name: "ConnectWorkerTests", dependencies: ["Kafka", "KafkaTestSupport"]),
    ]
)
