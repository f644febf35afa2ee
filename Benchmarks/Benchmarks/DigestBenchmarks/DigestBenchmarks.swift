import Benchmark
import SeamlessCrypto

// Audit-leaf-sized digests: 64-byte inputs, one-shot Digest.hash vs. a reused DigestContext, SHA-256 and SM3.
// Each iteration hashes 1,000 inputs (scaling factor kilo), so throughput reads as thousands of digests/s.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 10,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 100_000
    )

    let input = (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }

    for algorithm in DigestAlgorithm.allCases {
        Benchmark("\(algorithm) 64 B: one-shot Digest.hash") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(Digest.hash(input, using: algorithm))
            }
        }

        Benchmark("\(algorithm) 64 B: DigestContext update+finalize(into:)") { benchmark in
            let context = DigestContext(algorithm)
            var output = [UInt8](repeating: 0, count: algorithm.length)
            benchmark.startMeasurement()
            input.withUnsafeBytes { bytes in
                output.withUnsafeMutableBytes { out in
                    for _ in benchmark.scaledIterations {
                        context.update(bytes)
                        context.finalize(into: out)
                    }
                }
            }
            benchmark.stopMeasurement()
            blackHole(output)
        }
    }
}
