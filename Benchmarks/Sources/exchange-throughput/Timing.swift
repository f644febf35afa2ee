import Foundation
import Seamless
import SeamlessBenchmarkSupport
import SeamlessHTTP
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Time spent inside a stage, summed over calls from any task.
final class StageClock: Sendable {
    private let totals = Mutex<(calls: Int, nanoseconds: Int64)>((0, 0))

    func add(_ duration: Duration) {
        let nanoseconds = duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
        totals.withLock {
            $0.calls += 1
            $0.nanoseconds += nanoseconds
        }
    }

    /// Calls and seconds so far, then zero.
    func take() -> (calls: Int, seconds: Double) {
        totals.withLock { value in
            defer { value = (0, 0) }
            return (value.calls, Double(value.nanoseconds) / 1e9)
        }
    }
}

/// The provider engine behind the HTTP server, timed: how long the node takes to answer, without HTTP.
struct TimedService: ExchangeService {
    let engine: ExchangeEngine
    let clock: StageClock

    func handle(path: String, body: [UInt8]) async -> TransportReply {
        let start = ContinuousClock.now
        let reply = await engine.handle(path: path, body: body)
        clock.add(ContinuousClock.now - start)
        return reply
    }

    func refuseTooLarge(path: String, limit: Int) async -> TransportReply {
        await engine.refuseTooLarge(path: path, limit: limit)
    }
}

/// The consumer's HTTP transport, timed: post to last byte of the answer, provider's work included.
struct TimedTransport: Transport {
    let inner: any Transport
    let clock: StageClock

    func post(_ body: [UInt8], to base: String, path: String) async throws(TransportError) -> TransportReply {
        let start = ContinuousClock.now
        defer { clock.add(ContinuousClock.now - start) }
        return try await inner.post(body, to: base, path: path)
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

extension ResidentMemory {
    /// `bytes` in MiB (0 where there is no procfs).
    static func mebibytes(_ bytes: Int?) -> Double { Double(bytes ?? 0) / Double(1 << 20) }
}

/// CPU time this process used (user + system, every thread), in seconds.
enum ProcessCPU {
    static var seconds: Double {
        var usage = rusage()
        #if os(Linux)
        let who = RUSAGE_SELF.rawValue
        #else
        let who = RUSAGE_SELF
        #endif
        guard getrusage(who, &usage) == 0 else { return 0 }
        func value(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return value(usage.ru_utime) + value(usage.ru_stime)
    }
}

/// CPU time every process on the machine used (Linux `/proc/stat`), in seconds: with ``ProcessCPU`` it
/// tells how much of the machine other work took during a measurement.
enum MachineCPU {
    static var busySeconds: Double {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = text.split(separator: "\n").first, line.hasPrefix("cpu ")
        else { return 0 }
        let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard ticks.count >= 5 else { return 0 }
        // user nice system idle iowait irq softirq steal …, in 1/100 s.
        return (ticks.reduce(0, +) - ticks[3] - ticks[4]) / 100
    }
}
