// swift-tools-version: 6.1
// Seamless benchmarks: a package of its own, so the library never depends on the benchmark harness.
//
//   swift package benchmark                       # ordo-one/benchmark suites in Benchmarks/
//   swift run -c release overhead-report          # seal/open vs. raw zlib + OpenSSL, interleaved
//   swift run -c release policy-throughput        # policy decisions per second
//   swift run -c release audit-throughput         # durable audit appends, verification, proofs
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
