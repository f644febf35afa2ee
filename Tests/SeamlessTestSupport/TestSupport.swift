import Foundation
import Testing

/// A temporary directory removed when the value is dropped by the test.
public final class TemporaryDirectory {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("seamless-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    public func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    public func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    public func write(_ name: String, _ text: String) throws -> String {
        try write(name, Array(text.utf8))
    }

    public func read(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path(name))))
    }
}

/// The result of running an external program.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: [UInt8]
    public let stderr: String

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}

/// A child that exits before reading its standard input would otherwise kill the test process with SIGPIPE.
private let ignoreBrokenPipes: Void = {
    signal(SIGPIPE, SIG_IGN)
}()

/// Runs `executable` (searched on PATH) with `arguments`, feeding `input` to its standard input.
public func run(_ executable: String, _ arguments: [String], input: [UInt8]? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    let stdout = Pipe()
    let stderr = Pipe()
    let stdin = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    process.standardInput = stdin
    try process.run()
    // Feed stdin and drain stderr on their own threads while this one drains stdout, so a child that
    // writes a lot before reading everything (or the reverse) can never deadlock on a full pipe.
    let group = DispatchGroup()
    let writer = stdin.fileHandleForWriting
    ignoreBrokenPipes
    DispatchQueue.global().async(group: group) {
        // A child may exit without reading its input (a usage error): that must not fail the write loudly.
        if let input { try? writer.write(contentsOf: Data(input)) }
        try? writer.close()
    }
    nonisolated(unsafe) var errorData = Data()
    DispatchQueue.global().async(group: group) {
        errorData = stderr.fileHandleForReading.readDataToEndOfFile()
    }
    let outputData = stdout.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return ProcessResult(
        status: process.terminationStatus,
        stdout: Array(outputData),
        stderr: String(decoding: errorData, as: UTF8.self)
    )
}

/// Runs a program and requires it to succeed; records an issue with its stderr when it does not.
@discardableResult
public func runChecked(_ executable: String, _ arguments: [String], input: [UInt8]? = nil) throws -> ProcessResult {
    let result = try run(executable, arguments, input: input)
    guard result.status == 0 else {
        Issue.record("\(executable) \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
        throw CancellationError()
    }
    return result
}

public func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}

/// The repository root, found from this file's location, for tests that read `Schemas/` or run `scripts/`.
public let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The path of a product built next to the running test binary, e.g. `exchange-node`.
public func builtProduct(_ name: String) -> String {
    URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent(name).path
}

/// Whether Python 3 with joserfc, cryptography and jsonschema can run the interop scripts.
public let pythonInteropAvailable: Bool = {
    (try? run("python3", ["-c", "import joserfc, cryptography, jsonschema"]).status) == 0
}()

/// Whether the test command demands the interop checks (`SEAMLESS_REQUIRE_INTEROP=1`, set by
/// scripts/test.sh): then a missing Python package fails the run instead of skipping the checks.
public let pythonInteropRequired: Bool = ProcessInfo.processInfo.environment["SEAMLESS_REQUIRE_INTEROP"] == "1"

/// A zlib stream that inflates to `mebibytes` MiB of zeros in about 1 KB per MiB, made by Python's zlib:
/// one MiB of zeros deflated with a full flush resets the compressor, so the block for every further MiB
/// is the same bytes; the stream ends with an empty final block and the Adler-32 of the whole.
public func zipBomb(mebibytes: Int) throws -> [UInt8] {
    let script = """
        import sys, zlib
        chunk, n = 1 << 20, \(mebibytes)
        zero = bytes(chunk)
        c = zlib.compressobj(9)
        first = c.compress(zero) + c.flush(zlib.Z_FULL_FLUSH)
        block = c.compress(zero) + c.flush(zlib.Z_FULL_FLUSH)
        tail = c.flush()
        adler = 1
        for _ in range(n):
            adler = zlib.adler32(zero, adler)
        sys.stdout.buffer.write(first + block * (n - 1) + tail[:-4] + adler.to_bytes(4, "big"))
        """
    return try runChecked("python3", ["-c", script]).stdout
}
