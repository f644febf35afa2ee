import Foundation
import Seamless
import SeamlessBenchmarkSupport
import SeamlessCrypto

/// Two nodes on loopback over HTTP: signed single-record round trips from concurrent requesters, and a
/// bulk subscription sync (verify, inflate, store and audit included), with a Markdown report.
///
/// Environment: `EXCHANGE_BULK_RECORDS` (200,000), `EXCHANGE_PAGE_SIZE` (5,000), `EXCHANGE_REQUESTERS` (32),
/// `EXCHANGE_SECONDS` (10, after a 1 s warm-up), `EXCHANGE_ONLY` (`round-trips` or `sync`, for a profiler),
/// `EXCHANGE_TRANSPORT=in-process` (no HTTP: what the engines alone cost), `EXCHANGE_ALGORITHM` (`Ed25519`,
/// `ES256` or `SM2-SM3`).
@main
struct ExchangeThroughput {
    typealias H = HouseholdRecords

    static func main() async throws {
        let environment = ProcessInfo.processInfo.environment
        let bulk = Int(environment["EXCHANGE_BULK_RECORDS"] ?? "") ?? 200_000
        let pageSize = Int(environment["EXCHANGE_PAGE_SIZE"] ?? "") ?? 5_000
        let requesters = Int(environment["EXCHANGE_REQUESTERS"] ?? "") ?? 32
        let seconds = Double(environment["EXCHANGE_SECONDS"] ?? "") ?? 10
        let only = environment["EXCHANGE_ONLY"]

        guard let algorithm = SignatureAlgorithm(rawValue: environment["EXCHANGE_ALGORITHM"] ?? "Ed25519") else {
            throw ExchangeError(code: "bad-request", reason: "EXCHANGE_ALGORITHM must be Ed25519, ES256 or SM2-SM3")
        }
        let inProcess = environment["EXCHANGE_TRANSPORT"] == "in-process"
        let nodes = try await TwoNodes(inProcess: inProcess, algorithm: algorithm)
        do {
            print("# Exchange \(inProcess ? "in process (no HTTP)" : "over HTTP"), two nodes on 127.0.0.1")
            print("")
            print(
                "\(algorithm.rawValue) keys, a SQLite file (WAL) per node, "
                    + "\(inProcess ? "`InProcessTransport`" : "`HTTPTransport` ↔ `NodeServer`"), one process.")
            if only != "sync" {
                try await roundTrips(nodes, requesters: requesters, seconds: seconds)
            }
            if only != "round-trips" {
                try await bulkSync(nodes, records: bulk, pageSize: pageSize)
            }
        } catch {
            try? await nodes.shutdown()
            throw error
        }
        try await nodes.shutdown()
    }

    // MARK: Round trips

    static func roundTrips(_ nodes: TwoNodes, requesters: Int, seconds: Double) async throws {
        let lookupRecords = 10_000
        let loaded = try await nodes.load(0..<lookupRecords, of: H.lookup)
        let clock = ContinuousClock()
        let measureFrom = clock.now + .seconds(1)
        let measureUntil = measureFrom + .seconds(seconds)
        _ = nodes.providerClock.take()
        _ = nodes.transportClock.take()
        // CPU of the whole process (both nodes, client and servers) over the measured window.
        let cpuWindow = Task {
            try? await Task.sleep(until: measureFrom, clock: clock)
            let before = (own: ProcessCPU.seconds, machine: MachineCPU.busySeconds)
            try? await Task.sleep(until: measureUntil, clock: clock)
            let own = ProcessCPU.seconds - before.own
            return (own: own, others: max(0, MachineCPU.busySeconds - before.machine - own))
        }
        let perRequester = try await withThrowingTaskGroup(of: (latencies: [Duration], failures: [String: Int]).self) {
            group in
            for requester in 0..<requesters {
                group.addTask {
                    var random = SplitMix64(seed: UInt64(requester) &+ 1)
                    var latencies: [Duration] = []
                    var failures: [String: Int] = [:]
                    while clock.now < measureUntil {
                        let key = H.key(random.int(0...(lookupRecords - 1)))
                        let request = ExchangeRequest(
                            resource: H.lookup, fields: H.fieldNames, selector: .keys([key]), purpose: H.purpose,
                            legalBasis: .statutoryDuty)
                        let begin = clock.now
                        do throws(ExchangeError) {
                            let result = try await nodes.consumer.request(request, from: H.provider)
                            if result.records.map(\.key) != [key] { failures["wrong-record", default: 0] += 1 }
                        } catch {
                            failures[error.code, default: 0] += 1
                        }
                        let end = clock.now
                        // Requests that finish inside the window count; the warm-up's do not.
                        if end >= measureFrom && end < measureUntil { latencies.append(end - begin) }
                    }
                    return (latencies, failures)
                }
            }
            var all: [(latencies: [Duration], failures: [String: Int])] = []
            for try await result in group { all.append(result) }
            return all
        }
        let provider = nodes.providerClock.take()
        let transport = nodes.transportClock.take()
        let (cpu, others) = await cpuWindow.value
        let latencies = perRequester.flatMap { $0.latencies }.map { $0.seconds * 1_000 }.sorted()
        let failures = perRequester.reduce(into: [String: Int]()) { total, next in
            total.merge(next.failures, uniquingKeysWith: +)
        }
        let rate = Double(latencies.count) / seconds
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(p * Double(latencies.count)))]
        }
        let mean = latencies.reduce(0, +) / Double(max(1, latencies.count))
        print("")
        print("## Single-record signed round trips")
        print("")
        print(
            "\(requesters) concurrent requesters, `request(_:from:)` with `.keys([one key])` out of \(lookupRecords) "
                + "records (\(loaded.bytes) canonical bytes each), \(format(seconds, 0)) s after a 1 s warm-up.")
        print("")
        print("| requests/s | p50 ms | p90 ms | p99 ms | max ms | requests | failed | target |")
        print("|---:|---:|---:|---:|---:|---:|---:|---|")
        let met = rate >= 2_000 && percentile(0.99) < 20 ? "met" : "missed"
        print(
            "| \(grouped(rate)) | \(format(percentile(0.5), 2)) | \(format(percentile(0.9), 2)) | "
                + "\(format(percentile(0.99), 2)) | \(format(latencies.last ?? 0, 2)) | \(latencies.count) | "
                + "\(failures.values.reduce(0, +)) | ≥ 2,000/s, p99 < 20 ms: \(met) |")
        if !failures.isEmpty {
            print("")
            print(
                "Failures: "
                    + failures.sorted { $0.key < $1.key }.map { "\($0.key) × \($0.value)" }.joined(separator: ", "))
        }
        // Means over every request, warm-up included.
        let providerMean = provider.seconds / Double(max(1, provider.calls)) * 1_000
        let postMean = transport.seconds / Double(max(1, transport.calls)) * 1_000
        print("")
        print(
            "CPU (both nodes, one process, \(ProcessInfo.processInfo.activeProcessorCount) cores): "
                + "\(format(cpu / seconds, 2)) cores busy, \(format(cpu / Double(max(1, latencies.count)) * 1_000, 2)) ms "
                + "of CPU per round trip; other processes kept \(format(others / seconds, 2)) cores busy meanwhile.")
        print("")
        print("Where a request's \(format(mean, 2)) ms (mean) go:")
        print("")
        print("| stage | mean ms |")
        print("|---|---:|")
        print(
            "| provider engine `handle` (verify, nonce, decide, 3 audit entries in 2 commits, select, seal) | \(format(providerMean, 2)) |"
        )
        print("| HTTP both ways (post − provider) | \(format(postMean - providerMean, 2)) |")
        print(
            "| consumer (seal request, open answer, receipt + records in one commit) | \(format(mean - postMean, 2)) |")
    }

    // MARK: Bulk sync

    static func bulkSync(_ nodes: TwoNodes, records: Int, pageSize: Int) async throws {
        let clock = ContinuousClock()
        let loadStart = clock.now
        let loaded = try await nodes.load(0..<records, of: H.registration)
        let loadSeconds = (clock.now - loadStart).seconds
        let subscription = try await nodes.subscribe()
        let before = ResidentMemory.mebibytes(ResidentMemory.current)
        let reset = ResidentMemory.resetPeak()
        _ = nodes.providerClock.take()
        _ = nodes.transportClock.take()
        // Sampled as well, in case the peak cannot be reset (no procfs, no permission).
        let sampler = Task {
            var highest = 0.0
            while !Task.isCancelled {
                highest = max(highest, ResidentMemory.mebibytes(ResidentMemory.current))
                try? await Task.sleep(for: .milliseconds(50))
            }
            return highest
        }
        let start = clock.now
        let cpuBefore = ProcessCPU.seconds
        let machineBefore = MachineCPU.busySeconds
        let outcome = try await nodes.consumer.sync(subscription, pageSize: pageSize)
        let elapsed = (clock.now - start).seconds
        let cpu = ProcessCPU.seconds - cpuBefore
        let others = max(0, MachineCPU.busySeconds - machineBefore - cpu)
        sampler.cancel()
        let sampled = await sampler.value
        let peak = ResidentMemory.mebibytes(ResidentMemory.peak)
        let provider = nodes.providerClock.take()
        let transport = nodes.transportClock.take()
        guard outcome.records == records else {
            throw ExchangeError(code: "incomplete", reason: "the sync brought \(outcome.records) of \(records) records")
        }
        let rate = Double(records) / elapsed
        print("")
        print("## Bulk sync of a subscription")
        print("")
        print(
            "\(grouped(Double(records))) records of \(loaded.bytes) canonical bytes (10 fields) at the provider "
                + "(loaded in \(format(loadSeconds, 1)) s, \(grouped(Double(records) / loadSeconds)) records/s); "
                + "`sync(_:pageSize: \(pageSize))` on an approved agreement.")
        print("")
        print("| records | pages | seconds | records/s | target ≥ 50,000/s | peak resident (VmHWM) | target < 300 MB |")
        print("|---:|---:|---:|---:|---|---:|---|")
        let peakMB = peak * 1.048576
        print(
            "| \(grouped(Double(records))) | \(outcome.pages) | \(format(elapsed, 2)) | \(grouped(rate)) | "
                + "\(rate >= 50_000 ? "met" : "missed") | \(format(peakMB, 0)) MB | "
                + "\(peakMB < 300 ? "met" : "missed")\(records < 1_000_000 ? " (target is for 1,000,000)" : "") |")
        print("")
        print(
            "Resident before the sync \(format(before * 1.048576, 0)) MB; highest sampled every 50 ms during it "
                + "\(format(sampled * 1.048576, 0)) MB\(reset ? "" : " (the peak could not be reset: VmHWM is the process's)"). "
                + "Both nodes live in this process, so the figure holds the provider's memory too.")
        print("")
        print(
            "CPU: \(format(cpu, 1)) s over \(format(elapsed, 1)) s (\(format(cpu / elapsed, 2)) cores busy), "
                + "\(format(cpu / Double(records) * 1e6, 1)) µs per record; other processes kept "
                + "\(format(others / elapsed, 2)) cores busy meanwhile. The sync asks for the next page while it keeps "
                + "the current one, so provider and consumer overlap. Stages, from the provider's `handle` and the consumer's transport:"
        )
        print("")
        print("| stage | seconds | share |")
        print("|---|---:|---:|")
        let consumer = elapsed - transport.seconds
        for (stage, seconds) in [
            ("provider engine `handle` (verify, decide, query, minimise, encode, seal, audit)", provider.seconds),
            ("HTTP both ways (post − provider)", transport.seconds - provider.seconds),
            ("consumer (open, decode, receipt + records + cursor in one commit)", consumer),
        ] {
            print("| \(stage) | \(format(seconds, 2)) | \(format(seconds / elapsed * 100, 0)) % |")
        }
    }

    static func format(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }

    static func grouped(_ value: Double) -> String {
        let digits = String(Int(value.rounded()))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return out
    }
}
