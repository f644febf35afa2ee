import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Resident-memory figures of this process from /proc (Linux only; `nil` elsewhere).
public enum ResidentMemory {
    /// `VmHWM` (peak resident set) in bytes.
    public static var peak: Int? { field("VmHWM") }
    /// `VmRSS` (current resident set) in bytes.
    public static var current: Int? { field("VmRSS") }

    /// Resets `VmHWM` to the current resident set (Linux ≥ 4.0: write 5 to clear_refs).
    @discardableResult
    public static func resetPeak() -> Bool {
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
