import Foundation
import Seamless
import SeamlessBenchmarkSupport
import SeamlessCrypto

/// Times seal and open against the raw zlib + OpenSSL calls on the same bytes, interleaved in one process
/// (round after round, the order rotating), and prints the overhead ratios as Markdown tables.
///
///     swift run -c release overhead-report [--rounds 30] [--only batch|request] [--no-bomb] [--no-breakdown]
///
/// `--profile OPERATION` instead runs one operation in a loop, for `valgrind --tool=callgrind` or `perf`.
@main
struct OverheadReport {
    struct Options {
        var rounds = 30
        var only: String?
        var bomb = true
        var breakdown = true
        /// Wall time each timed sample aims for, so short operations are repeated enough to time.
        var sampleNanoseconds = 4e6
        /// `--profile`: run only this operation `profileCount` times.
        var profile: Operation?
        var profileCount = 200
        var profileAlgorithm = SignatureAlgorithm.ed25519
        var profileLevel = 6
        var profileMessage = "batch"
    }

    static func main() throws {
        let options = try parse(Array(CommandLine.arguments.dropFirst()))
        if let operation = options.profile {
            try profile(operation, options: options)
            return
        }
        printEnvironment(options)
        var cases: [(Message, SignatureAlgorithm, Int)] = []
        if options.only != "request" {
            let batch = Message.batch
            cases += SignatureAlgorithm.allCases.map { (batch, $0, 6) }
            cases += [(batch, .ed25519, 1), (batch, .ed25519, 9)]
        }
        if options.only != "batch" {
            cases += SignatureAlgorithm.allCases.map { (Message.request, $0, 6) }
        }
        var results: [CaseResult] = []
        for (message, algorithm, level) in cases {
            let workload = try Workload(algorithm, level: level, message: message)
            let result = try measure(workload, options: options)
            results.append(result)
            FileHandle.standardError.write(Data("measured \(result.title)\n".utf8))
        }
        printTables(results)
        if options.breakdown && options.only != "request" {
            try printBreakdown(Workload(.ed25519, level: 6, message: .batch), options: options)
        }
        if options.bomb {
            try printZipBomb(rounds: min(options.rounds, 10))
        }
        print("")
        print("Load average at the end: \(loadAverage())")
    }

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--rounds":
                guard let value = iterator.next().flatMap(Int.init), value > 0 else {
                    throw WorkloadError("--rounds needs a positive number")
                }
                options.rounds = value
            case "--only":
                guard let value = iterator.next(), ["batch", "request"].contains(value) else {
                    throw WorkloadError("--only takes batch or request")
                }
                options.only = value
            case "--profile":
                guard let value = iterator.next(), let operation = Operation(rawValue: value) else {
                    let names = Operation.allCases.map(\.rawValue).joined(separator: ", ")
                    throw WorkloadError("--profile takes one of: \(names)")
                }
                options.profile = operation
            case "--count":
                guard let value = iterator.next().flatMap(Int.init), value > 0 else {
                    throw WorkloadError("--count needs a positive number")
                }
                options.profileCount = value
            case "--algorithm":
                guard let value = iterator.next().flatMap(SignatureAlgorithm.init(commandLineName:)) else {
                    throw WorkloadError("--algorithm takes ed25519, es256 or sm2")
                }
                options.profileAlgorithm = value
            case "--level":
                guard let value = iterator.next().flatMap(Int.init), (0...9).contains(value) else {
                    throw WorkloadError("--level takes 0...9")
                }
                options.profileLevel = value
            case "--message":
                guard let value = iterator.next(), ["batch", "request"].contains(value) else {
                    throw WorkloadError("--message takes batch or request")
                }
                options.profileMessage = value
            case "--no-bomb": options.bomb = false
            case "--no-breakdown": options.breakdown = false
            case "-h", "--help":
                print(
                    """
                    usage: overhead-report [--rounds N] [--only batch|request] [--no-bomb] [--no-breakdown]
                           overhead-report --profile OPERATION [--count N] [--algorithm ed25519|es256|sm2]
                                           [--level 0-9] [--message batch|request]
                    Times Seamless seal/open against raw zlib + OpenSSL on the same bytes, interleaved, and
                    prints median times and overhead ratios (median of per-round ratios) as Markdown.
                    --profile runs one operation in a loop (for callgrind/perf); OPERATION is one of
                    \(Operation.allCases.map(\.rawValue).joined(separator: ", ")).
                    example: valgrind --tool=callgrind --callgrind-out-file=/tmp/open.out \\
                             .build/release/overhead-report --profile open --count 50
                    """
                )
                exit(0)
            default:
                throw WorkloadError("unknown argument '\(argument)' (try --help)")
            }
        }
        return options
    }

    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
            .split(separator: " ").prefix(3).joined(separator: " ") ?? "unknown"
    }

    static func printEnvironment(_ options: Options) {
        let info = ProcessInfo.processInfo
        print("# Seamless overhead report")
        print("")
        print("- cores: \(info.activeProcessorCount), load average at start: \(loadAverage())")
        print(
            "- rounds: \(options.rounds) per case, interleaved; each sample ≥ \(Int(options.sampleNanoseconds / 1e6)) ms"
        )
        let batch = RecordBatch.oneMegabyte
        print(
            "- 1 MB batch: \(batch.recordCount) records, \(batch.canonicalBytes.count) canonical bytes "
                + "(\(batch.canonicalBytes.count / batch.recordCount) bytes per record)")
        print("- 1 KB request: \(RequestMessage.canonicalBytes.count) canonical bytes")
        print("")
    }

    // MARK: Seal and open

    enum Operation: String, CaseIterable {
        case seal, rawSeal = "raw-seal", cSeal = "c-seal", sealValue = "seal-value"
        case open, rawOpen = "raw-open", cOpen = "c-open", openAndParse = "open-parse"
        case bomb
    }

    struct CaseResult {
        let title: String
        let workload: Workload
        /// Per-call nanoseconds, one sample per round.
        let samples: [Operation: [Double]]

        func median(_ operation: Operation) -> Double { samples[operation]!.median }

        /// The median over rounds of `operation`'s time divided by `baseline`'s in the same round.
        func ratio(_ operation: Operation, over baseline: Operation) -> Double {
            zip(samples[operation]!, samples[baseline]!).map { $0 / $1 }.median
        }
    }

    static func body(_ operation: Operation, _ workload: Workload) -> () throws -> Int {
        switch operation {
        case .seal: workload.seal
        case .rawSeal: workload.rawSeal
        case .cSeal: workload.cSeal
        case .sealValue: workload.sealValue
        case .open: workload.open
        case .rawOpen: workload.rawOpen
        case .cOpen: workload.cOpen
        case .openAndParse: workload.openAndParse
        case .bomb: { 0 }
        }
    }

    /// Runs one operation `profileCount` times and prints the mean, for a profiler to look at.
    static func profile(_ operation: Operation, options: Options) throws {
        let count = options.profileCount
        if operation == .bomb {
            let bomb = try ZipBombEnvelope()
            let start = nowNanoseconds()
            for _ in 0..<count { _ = try bomb.refusal(by: bomb.opener) }
            print("bomb refusal: \(formatDuration(Double(nowNanoseconds() - start) / Double(count))) per call")
            return
        }
        let message = options.profileMessage == "batch" ? Message.batch : Message.request
        let workload = try Workload(options.profileAlgorithm, level: options.profileLevel, message: message)
        let (perCall, _) = try timePerCall(repetitions: count, body(operation, workload))
        print(
            "\(operation.rawValue), \(message.label), \(options.profileAlgorithm), zlib \(options.profileLevel): "
                + "\(formatDuration(perCall)) per call over \(count) calls")
    }

    static func measure(_ workload: Workload, options: Options) throws -> CaseResult {
        let operations = Operation.allCases.filter { $0 != .bomb }
        var repetitions: [Operation: Int] = [:]
        for operation in operations {
            // Warm up (page in buffers, fill OpenSSL's caches), then size the sample.
            _ = try body(operation, workload)()
            repetitions[operation] = try calibrate(target: options.sampleNanoseconds, body(operation, workload))
        }
        var samples: [Operation: [Double]] = [:]
        var sink = 0
        for round in 0..<options.rounds {
            // Rotate the order each round so no operation always runs right after the same neighbour.
            let shift = round % operations.count
            for operation in operations[shift...] + operations[..<shift] {
                let (perCall, result) = try timePerCall(repetitions: repetitions[operation]!, body(operation, workload))
                samples[operation, default: []].append(perCall)
                sink &+= result
            }
        }
        if sink == 42 { print("") }  // Keeps the results alive.
        let title = "\(workload.message.label), \(workload.algorithm), zlib \(workload.level)"
        return CaseResult(title: title, workload: workload, samples: samples)
    }

    static func printTables(_ results: [CaseResult]) {
        print("## Seal: `seal(canonicalJSON:)` vs. `Zlib.compress` + `signature(for:)` on the same bytes")
        print("")
        print(
            "| message | algorithm | zlib | envelope | seal | raw (SeamlessCrypto) | **ratio** | raw C | ratio vs C | seal from JSONValue |"
        )
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for result in results {
            let w = result.workload
            print(
                "| \(w.message.label) | \(w.algorithm) | \(w.level) | \(formatBytes(w.envelope.count)) "
                    + "| \(formatDuration(result.median(.seal))) | \(formatDuration(result.median(.rawSeal))) "
                    + "| **\(formatRatio(result.ratio(.seal, over: .rawSeal)))** "
                    + "| \(formatDuration(result.median(.cSeal))) | \(formatRatio(result.ratio(.seal, over: .cSeal))) "
                    + "| \(formatDuration(result.median(.sealValue))) |"
            )
        }
        print("")
        print("## Open: `open(_:)` vs. `isValidSignature` + `Zlib.decompress` on the same bytes")
        print("")
        print(
            "| message | algorithm | zlib | payload | open | raw (SeamlessCrypto) | **ratio** | raw C | ratio vs C | open + `json()` |"
        )
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for result in results {
            let w = result.workload
            print(
                "| \(w.message.label) | \(w.algorithm) | \(w.level) | \(formatBytes(w.compressed.count)) zlib "
                    + "| \(formatDuration(result.median(.open))) | \(formatDuration(result.median(.rawOpen))) "
                    + "| **\(formatRatio(result.ratio(.open, over: .rawOpen)))** "
                    + "| \(formatDuration(result.median(.cOpen))) | \(formatRatio(result.ratio(.open, over: .cOpen))) "
                    + "| \(formatDuration(result.median(.openAndParse))) |"
            )
        }
        print("")
        print("Times are medians over the rounds; ratios are medians of the per-round ratios.")
    }

    // MARK: Where the time goes

    /// Times, with public API only, the steps the sealer and the opener take, for the 1 MB Ed25519 case.
    static func printBreakdown(_ workload: Workload, options: Options) throws {
        let payloadText = String(decoding: workload.signingInput.split(separator: UInt8(ascii: "."))[1], as: UTF8.self)
        let protectedText = String(
            decoding: workload.signingInput.split(separator: UInt8(ascii: "."))[0], as: UTF8.self)
        let steps: [(String, () throws -> Int)] = [
            ("seal: Zlib.compress (level 6)", { try Zlib.compress(workload.message.canonicalBytes, level: 6).count }),
            ("seal: Base64URL.encodeToBytes(compressed)", { Base64URL.encodeToBytes(workload.compressed).count }),
            (
                "seal: signing input concatenation",
                {
                    var input = Array(protectedText.utf8)
                    input.append(UInt8(ascii: "."))
                    input.append(contentsOf: payloadText.utf8)
                    return input.count
                }
            ),
            (
                "seal: Ed25519 signature(for: signing input)",
                { try workload.key.signature(for: workload.signingInput).count }
            ),
            ("seal: whole seal(canonicalJSON:)", workload.seal),
            (
                "open: JSONParser(maxDepth: 4).parse(envelope)",
                {
                    guard case .object(let members) = try JSONParser(maxDepth: 4).parse(workload.envelope) else {
                        return 0
                    }
                    return members.count
                }
            ),
            ("open: Base64URL.decode(payload)", { try Base64URL.decode(payloadText).count }),
            (
                "open: isValidSignature(signing input)",
                {
                    workload.key.publicKey.isValidSignature(workload.signature, for: workload.signingInput) ? 1 : 0
                }
            ),
            ("open: Zlib.decompress(compressed)", { try Zlib.decompress(workload.compressed).count }),
            ("open: whole open(_:)", workload.open),
            (
                "json(): JSONParser().parse(payload)",
                {
                    guard case .object(let members) = try JSONParser().parse(workload.message.canonicalBytes) else {
                        return 0
                    }
                    return members.count
                }
            ),
            ("seal from JSONValue: CanonicalJSON.serialize", { CanonicalJSON.serialize(workload.message.value).count }),
        ]
        var samples = Array(repeating: [Double](), count: steps.count)
        var repetitions: [Int] = []
        for (_, step) in steps {
            _ = try step()
            repetitions.append(try calibrate(target: options.sampleNanoseconds, step))
        }
        var sink = 0
        for _ in 0..<max(5, options.rounds / 2) {
            for (index, (_, step)) in steps.enumerated() {
                let (perCall, result) = try timePerCall(repetitions: repetitions[index], step)
                samples[index].append(perCall)
                sink &+= result
            }
        }
        if sink == 42 { print("") }
        print("")
        print("## Where the time goes (1 MB batch, Ed25519, zlib 6; public API, one step at a time)")
        print("")
        print("| step | median |")
        print("|---|---:|")
        for (index, (name, _)) in steps.enumerated() {
            print("| \(name) | \(formatDuration(samples[index].median)) |")
        }
    }

    // MARK: Zip bomb

    static func printZipBomb(rounds: Int) throws {
        let bomb = try ZipBombEnvelope()
        print("")
        print(
            "## Refusing a signed 1 GiB zip bomb (\(formatBytes(bomb.compressedBytes)) compressed, "
                + "\(formatBytes(bomb.envelope.count)) envelope)"
        )
        print("")
        print("| opener limits | refused as | time (median of \(rounds)) | peak resident growth |")
        print("|---|---|---:|---:|")
        for (name, opener) in [
            ("default (64 MiB cap, ratio 200)", bomb.opener),
            ("ratio cap off (64 MiB cap only)", bomb.openerWithoutRatioCap),
        ] {
            var times: [Double] = []
            var code = ""
            var growth: [Int] = []
            for _ in 0..<rounds {
                let reset = ResidentMemory.resetPeak()
                let before = ResidentMemory.current
                let start = nowNanoseconds()
                code = "\(try bomb.refusal(by: opener))"
                times.append(Double(nowNanoseconds() - start))
                if reset, let before, let peak = ResidentMemory.peak {
                    growth.append(peak - before)
                }
            }
            let memory = growth.isEmpty ? "n/a" : formatBytes(growth.max()!)
            print("| \(name) | `\(code)` | \(formatDuration(times.median)) | \(memory) |")
        }
    }
}
