import Foundation
import Testing

/// A temporary directory removed when the value is dropped by the test.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("seamless-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Array(text.utf8))
    }

    func read(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path(name))))
    }
}

/// The result of running an external program.
struct ProcessResult {
    let status: Int32
    let stdout: [UInt8]
    let stderr: String

    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs `executable` (searched on PATH) with `arguments`, feeding `input` to its standard input.
func run(_ executable: String, _ arguments: [String], input: [UInt8]? = nil) throws -> ProcessResult {
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
    DispatchQueue.global().async(group: group) {
        if let input { writer.write(Data(input)) }
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

/// Runs a program and requires it to succeed.
@discardableResult
func runChecked(_ executable: String, _ arguments: [String], input: [UInt8]? = nil) throws -> ProcessResult {
    let result = try run(executable, arguments, input: input)
    guard result.status == 0 else {
        Issue.record("\(executable) \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
        throw CancellationError()
    }
    return result
}

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}
