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
        .executable(name: "exchange-node", targets: ["exchange-node"]),
        .executable(name: "exchange-audit", targets: ["exchange-audit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
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
        .target(
            name: "SeamlessCLI",
            dependencies: [
                "Seamless",
                "SeamlessCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: upcoming
        ),
        .executableTarget(
            name: "exchange-node",
            dependencies: [
                "Seamless",
                "SeamlessCLI",
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
        .testTarget(
            name: "SeamlessCryptoTests",
            dependencies: ["SeamlessCrypto", "SeamlessTestSupport"],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SeamlessTests",
            dependencies: ["Seamless", "SeamlessCrypto", "SeamlessTestSupport"],
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
