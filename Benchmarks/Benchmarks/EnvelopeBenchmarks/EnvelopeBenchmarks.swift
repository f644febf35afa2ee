import Benchmark
import Seamless
import SeamlessBenchmarkSupport
import SeamlessCrypto

// Seal and open, each next to the raw SeamlessCrypto calls on the same bytes (zlib + one signature, or one
// verification + inflate), for the ~1 MB record batch and the ~1 KB request. The ratio lives in
// overhead-report, which interleaves the two in one process; these give the per-call distributions,
// allocation counts and peak memory.
//
// Rows per case ("<message> <alg> z<level>: …"):
//   seal                           seal(canonicalJSON:) — the figure that is held to ≤ 1.25× raw
//   raw compress+sign              Zlib.compress(message) + signature(over an envelope-sized signing input)
//   seal from JSONValue (+canon)   seal(_ value:) — also canonicalises, so more work than raw
//   open                           open(_:) — the figure that is held to ≤ 1.25× raw
//   raw verify+inflate             isValidSignature(signing input) + Zlib.decompress(payload)
//   open + json() (+parse)         open(_:).json() — also parses the payload, so more work than raw
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .microseconds,
        warmupIterations: 3,
        maxDuration: .seconds(2),
        maxIterations: 1_000
    )

    var cases: [(message: String, algorithm: SignatureAlgorithm, level: Int)] = []
    cases += SignatureAlgorithm.allCases.map { ("1MB", $0, 6) }
    cases += [("1MB", .ed25519, 1), ("1MB", .ed25519, 9)]
    cases += SignatureAlgorithm.allCases.map { ("1KB", $0, 6) }

    for (messageName, algorithm, level) in cases {
        let prefix = "\(messageName) \(algorithm) z\(level)"
        let setup = { @Sendable () throws -> Workload in
            try Workload(algorithm, level: level, message: messageName == "1MB" ? .batch : .request)
        }
        let rows: [(String, @Sendable (Workload) throws -> Int)] = [
            ("seal", { try $0.seal() }),
            ("raw compress+sign", { try $0.rawSeal() }),
            ("seal from JSONValue (+canon)", { try $0.sealValue() }),
            ("open", { try $0.open() }),
            ("raw verify+inflate", { try $0.rawOpen() }),
            ("open + json() (+parse)", { try $0.openAndParse() }),
        ]
        for (row, operation) in rows {
            Benchmark("\(prefix): \(row)") { benchmark, workload in
                for _ in benchmark.scaledIterations {
                    blackHole(try operation(workload))
                }
            } setup: {
                try setup()
            }
        }
    }
}
