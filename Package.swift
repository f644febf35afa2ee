// swift-tools-version: 6.1
import PackageDescription

let upcoming: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Seamless",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SeamlessCrypto", targets: ["SeamlessCrypto"]),
        .library(name: "Seamless", targets: ["Seamless"]),
        .library(name: "SeamlessHTTP", targets: ["SeamlessHTTP"]),
        .library(name: "SeamlessPostgres", targets: ["SeamlessPostgres"]),
        .executable(name: "exchange-node", targets: ["exchange-node"]),
        .executable(name: "exchange-audit", targets: ["exchange-audit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "SeamlessCrypto",
            dependencies: ["COpenSSL", "CZlib"],
            swiftSettings: upcoming
        ),
        .target(
            name: "Seamless",
            dependencies: [
                "SeamlessCrypto",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: upcoming
        ),
        // The HTTP binding: Hummingbird routes in front of the engine, AsyncHTTPClient as the peer transport.
        .target(
            name: "SeamlessHTTP",
            dependencies: [
                "Seamless",
                "SeamlessCrypto",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: upcoming
        ),
        // The PostgreSQL store, for several exchange-node replicas sharing one database.
        .target(
            name: "SeamlessPostgres",
            dependencies: [
                "Seamless",
                "SeamlessCrypto",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: upcoming
        ),
        .target(
            name: "SeamlessCLI",
            dependencies: [
                "Seamless",
                "SeamlessCrypto",
                "SeamlessPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcoming
        ),
        .executableTarget(
            name: "exchange-node",
            dependencies: [
                "Seamless",
                "SeamlessCLI",
                "SeamlessHTTP",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                "SeamlessCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: upcoming
        ),
        .executableTarget(
            name: "exchange-audit",
            dependencies: [
                "Seamless",
                "SeamlessCLI",
                "SeamlessCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: upcoming
        ),
        .target(
            name: "SeamlessTestSupport",
            path: "Tests/SeamlessTestSupport",
            swiftSettings: upcoming
        ),
        // Federations of several departments for the engine and HTTP tests.
        .target(
            name: "SeamlessFixtures",
            dependencies: ["Seamless", "SeamlessCrypto", "SeamlessTestSupport"],
            path: "Tests/SeamlessFixtures",
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SeamlessCryptoTests",
            dependencies: ["SeamlessCrypto", "SeamlessTestSupport"],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SeamlessTests",
            dependencies: [
                "Seamless", "SeamlessCrypto", "SeamlessTestSupport", "SeamlessFixtures",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SeamlessHTTPTests",
            dependencies: [
                "Seamless", "SeamlessCrypto", "SeamlessHTTP", "SeamlessTestSupport", "SeamlessFixtures",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: upcoming
        ),
        // The store conformance suite, run against SQLite and against a real PostgreSQL server.
        .testTarget(
            name: "SeamlessPostgresTests",
            dependencies: [
                "Seamless", "SeamlessCrypto", "SeamlessPostgres", "SeamlessTestSupport", "SeamlessFixtures",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: upcoming
        ),
        // A process the durability test kills with SIGKILL in the middle of appends.
        .executableTarget(
            name: "audit-append-probe",
            dependencies: ["Seamless", "SeamlessCrypto"],
            path: "Tests/AuditAppendProbe",
            swiftSettings: upcoming
        ),
        // Runs the built exchange-node and exchange-audit binaries as a user would, and checks them
        // against independent tools (openssl, Python's joserfc and jsonschema).
        .testTarget(
            name: "ExchangeNodeTests",
            dependencies: ["Seamless", "SeamlessCrypto", "SeamlessTestSupport"],
            swiftSettings: upcoming
        ),
    ]
)
