import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Nanoseconds on the monotonic clock.
func nowNanoseconds() -> UInt64 {
    DispatchTime.now().uptimeNanoseconds
}

/// The per-call time of `body`, run `repetitions` times back to back, in nanoseconds.
func timePerCall(repetitions: Int, _ body: () throws -> Int) rethrows -> (nanoseconds: Double, sink: Int) {
    var sink = 0
    let start = nowNanoseconds()
    for _ in 0..<repetitions {
        sink &+= try body()
    }
    let elapsed = nowNanoseconds() - start
    return (Double(elapsed) / Double(repetitions), sink)
}

/// How many back-to-back calls of `body` take about `target` nanoseconds (at least one).
func calibrate(target: Double, _ body: () throws -> Int) rethrows -> Int {
    var repetitions = 1
    while true {
        let (perCall, _) = try timePerCall(repetitions: repetitions, body)
        if perCall * Double(repetitions) >= target / 4 || repetitions >= 1 << 20 {
            return max(1, Int(target / perCall))
        }
        repetitions *= 4
    }
}

extension Array where Element == Double {
    /// The median (mean of the middle two for an even count).
    var median: Double {
        let sorted = self.sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

/// `12.3 ms`, `45.6 µs`: three significant digits in the unit that suits.
func formatDuration(_ nanoseconds: Double) -> String {
    switch nanoseconds {
    case 1e9...: String(format: "%.3g s", nanoseconds / 1e9)
    case 1e6...: String(format: "%.3g ms", nanoseconds / 1e6)
    case 1e3...: String(format: "%.3g µs", nanoseconds / 1e3)
    default: String(format: "%.0f ns", nanoseconds)
    }
}

func formatRatio(_ ratio: Double) -> String {
    String(format: "%.2f×", ratio)
}

func formatBytes(_ bytes: Int) -> String {
    switch bytes {
    case (1 << 20)...: String(format: "%.1f MiB", Double(bytes) / Double(1 << 20))
    case 1024...: String(format: "%.1f KiB", Double(bytes) / 1024)
    default: "\(bytes) B"
    }
}
