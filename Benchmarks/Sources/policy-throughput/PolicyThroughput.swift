import Foundation
import Seamless
import SeamlessBenchmarkSupport

/// Decisions per second on a warm snapshot, one thread and all cores, over a mix of grant and denial paths.
@main
struct PolicyThroughput {
    static func main() async {
        let workload = PolicyWorkload()
        let perRound = workload.requests.count
        let granted = workload.decideAll()
        print("# Policy decisions on a warm snapshot")
        print("")
        print("- snapshot: \(workload.snapshot.catalog.entries.count) resources, \(workload.snapshot.consents.count) consents, \(workload.snapshot.allAgreements.count) agreements")
        print("- request mix: \(perRound) requests, \(granted) granted, \(perRound - granted) denied per round")
        let clock = ContinuousClock()
        var samples: [Double] = []
        for _ in 0..<15 {
            var rounds = 0
            var sink = 0
            let elapsed = clock.measure {
                while rounds < 200 {
                    sink &+= workload.decideAll()
                    rounds += 1
                }
            }
            precondition(sink > 0)
            samples.append(Double(rounds * perRound) / seconds(elapsed))
        }
        samples.sort()
        let median = samples[samples.count / 2]
        print("- one thread: median \(format(median)) decisions/s (\(String(format: "%.0f", 1e9 / median)) ns each), min \(format(samples.first!)), max \(format(samples.last!))")
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let start = clock.now
        let total = await withTaskGroup(of: Int.self) { group -> Int in
            for _ in 0..<cores {
                group.addTask {
                    var count = 0
                    for _ in 0..<400 {
                        _ = workload.decideAll()
                        count += perRound
                    }
                    return count
                }
            }
            var sum = 0
            for await count in group { sum += count }
            return sum
        }
        let parallel = Double(total) / seconds(clock.now - start)
        print("- \(cores) threads: \(format(parallel)) decisions/s")
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func format(_ value: Double) -> String {
        value >= 1e6 ? String(format: "%.2f M", value / 1e6) : String(format: "%.0f k", value / 1e3)
    }
}
