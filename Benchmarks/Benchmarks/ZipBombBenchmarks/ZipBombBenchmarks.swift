import Benchmark
import Seamless
import SeamlessBenchmarkSupport

// A correctly signed envelope whose 1 MiB payload inflates to 1 GiB of zeros. Time and peak resident memory
// to refuse it: with the default limits (refused on the 200× ratio cap soon after the first MiB) and with
// the ratio cap off (refused on the 64 MiB output cap). The bomb is built in setup, in milliseconds.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .microseconds,
        warmupIterations: 1,
        maxDuration: .seconds(3),
        maxIterations: 200
    )

    Benchmark("1GiB bomb: refused by default limits (ratio cap)") { benchmark, bomb in
        for _ in benchmark.scaledIterations {
            blackHole(try bomb.refusal(by: bomb.opener))
        }
    } setup: {
        try ZipBombEnvelope()
    }

    Benchmark("1GiB bomb: refused by 64 MiB output cap (ratio cap off)") { benchmark, bomb in
        for _ in benchmark.scaledIterations {
            blackHole(try bomb.refusal(by: bomb.openerWithoutRatioCap))
        }
    } setup: {
        try ZipBombEnvelope()
    }
}
