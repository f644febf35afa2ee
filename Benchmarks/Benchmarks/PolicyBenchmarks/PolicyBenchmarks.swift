import Benchmark
import Seamless
import SeamlessBenchmarkSupport

let benchmarks: @Sendable () -> Void = {
    let workload = PolicyWorkload()
    Benchmark(
        "Policy: 1024 mixed decisions",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(3))
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(workload.decideAll())
        }
    }
}
