// swift-tools-version: 6.1
// Seamless benchmarks: a package of its own, so the library never depends on the benchmark harness.
//
//   swift package benchmark                       # ordo-one/benchmark suites in Benchmarks/
//   swift run -c release overhead-report          # seal/open vs. raw zlib + OpenSSL, interleaved
//   swift run -c release policy-throughput        # policy decisions per second
//   swift run -c release audit-throughput         # durable audit appends, verification, proofs
//   swift run -c release exchange-throughput      # two nodes over HTTP: signed round trips, bulk sync
import PackageDescription

let upcoming: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "SeamlessBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named explicitly: a path dependency is otherwise known by its folder name, which differs per clone.
        .package(name: "Seamless", path: "../"),
        // Only the MallocInterposer trait: the default traits pull a package this machine's mirror lacks.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        // The same as the root package's, for the HTTP nodes of exchange-throughput.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // zlib and libcrypto called directly, for the "raw C" baseline and to build zip bombs quickly.
        .systemLibrary(
            name: "CBaseline",
            path: "Sources/CBaseline",
            providers: [.apt(["libssl-dev", "zlib1g-dev"])]
        ),
        // Deterministic workloads (record batch, request, envelopes, zip bomb) shared by every runner.
        .target(
            name: "SeamlessBenchmarkSupport",
            dependencies: [
                "CBaseline",
                .product(name: "Seamless", package: "Seamless"),
                .product(name: "SeamlessCrypto", package: "Seamless"),
            ],
            swiftSettings: upcoming
        ),
        .executableTarget(
            name: "overhead-report",
            dependencies: [
                "CBaseline",
                "SeamlessBenchmarkSupport",
                .product(name: "Seamless", package: "Seamless"),
                .product(name: "SeamlessCrypto", package: "Seamless"),
            ],
            swiftSettings: upcoming
        ),
        // Durable audit appends with concurrent writers, tree recomputation, proofs at a million entries.
        .executableTarget(
            name: "audit-throughput",
            dependencies: ["SeamlessBenchmarkSupport", .product(name: "Seamless", package: "Seamless"), .product(name: "SeamlessCrypto", package: "Seamless")],
            swiftSettings: upcoming
        ),
        // Two nodes on loopback over HTTP: signed single-record round trips, and a bulk subscription sync.
        .executableTarget(
            name: "exchange-throughput",
            dependencies: [
                "SeamlessBenchmarkSupport",
                .product(name: "Seamless", package: "Seamless"),
                .product(name: "SeamlessCrypto", package: "Seamless"),
                .product(name: "SeamlessHTTP", package: "Seamless"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: upcoming
        ),
        // Policy decisions per second on a warm snapshot (one thread and all cores).
        .executableTarget(
            name: "policy-throughput",
            dependencies: ["SeamlessBenchmarkSupport", .product(name: "Seamless", package: "Seamless")],
            swiftSettings: upcoming
        ),
    ]
)

// ordo-one/benchmark suites: one executable per folder in Benchmarks/, found by the benchmark plugin.
for name in ["EnvelopeBenchmarks", "DigestBenchmarks", "ZipBombBenchmarks", "PolicyBenchmarks"] {
    package.targets.append(
        .executableTarget(
            name: name,
            dependencies: [
                "SeamlessBenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Seamless", package: "Seamless"),
                .product(name: "SeamlessCrypto", package: "Seamless"),
            ],
            path: "Benchmarks/\(name)",
            swiftSettings: upcoming,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    )
}
