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

/// Resident-memory figures of this process from /proc (Linux only; `nil` elsewhere).
enum ResidentMemory {
    /// `VmHWM` (peak resident set) in bytes.
    static var peak: Int? { field("VmHWM") }
    /// `VmRSS` (current resident set) in bytes.
    static var current: Int? { field("VmRSS") }

    /// Resets `VmHWM` to the current resident set (Linux ≥ 4.0: write 5 to clear_refs).
    @discardableResult
    static func resetPeak() -> Bool {
        #if os(Linux)
        // A plain write(2): Foundation's file writing truncates, which /proc refuses.
        let descriptor = Glibc.open("/proc/self/clear_refs", O_WRONLY)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return write(descriptor, "5", 1) == 1
        #else
        return false
        #endif
    }

    private static func field(_ name: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            let kilobytes = line.dropFirst(name.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first
                .flatMap { Int($0) }
            return kilobytes.map { $0 * 1024 }
        }
        return nil
    }
}
