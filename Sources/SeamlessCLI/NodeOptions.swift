import ArgumentParser
import Foundation
import Seamless

/// `--node DIR`, shared by every command that works on a node folder.
public struct NodeOptions: ParsableArguments {
    /// The node folder.
    @Option(name: .customLong("node"), help: "The node folder (made by `exchange-node init`).")
    public var path: String = "."

    public init() {}

    /// Opens the node folder.
    public func open() throws -> NodeDirectory {
        try NodeDirectory.open(path)
    }
}

/// `--format text|json`: people by default, machines on request.
public enum OutputFormat: String, ExpressibleByArgument, Sendable {
    case text, json
}

/// Reading documents named on the command line, all-or-nothing: every file is read and checked before
/// anything is stored, and every problem in every file is reported.
public enum DocumentFiles {
    /// Reads every file as a list of `T` (one document or an array of them). `importing` adds "nothing was
    /// imported" to the refusal, for commands that store what they read.
    public static func readAll<T: ValidatableDocument>(
        _ type: T.Type, _ paths: [String], importing: Bool = true
    ) throws -> [(path: String, documents: [T])] {
        guard !paths.isEmpty else { throw CommandFailure.usage("name at least one file") }
        var results: [(String, [T])] = []
        var problems: [String] = []
        for path in paths {
            let bytes = try Files.read(path, limit: DocumentReader.maxDocumentBytes, what: T.documentName)
            do {
                results.append((path, try DocumentReader.readList(T.self, from: bytes, source: path)))
            } catch {
                problems.append(error.description)
            }
        }
        if !problems.isEmpty {
            throw CommandFailure.refused(problems.joined(separator: "\n") + (importing ? "\nnothing was imported" : ""))
        }
        return results
    }

    /// Reads exactly one document of `T` from one file.
    public static func readOne<T: ValidatableDocument>(_ type: T.Type, _ path: String) throws -> T {
        let bytes = try Files.read(path, limit: DocumentReader.maxDocumentBytes, what: T.documentName)
        do {
            return try DocumentReader.read(T.self, from: bytes, source: path)
        } catch {
            throw CommandFailure.refused(error.description + "\nnothing was imported")
        }
    }
}

/// Prints a value as pretty, sorted JSON.
public func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    printBytes(Array(try encoder.encode(value)))
}

/// Pads columns for a plain-text table.
public func printTable(_ header: [String], _ rows: [[String]]) {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    for row in all {
        let line = row.enumerated().map { index, cell in
            index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
        print(line)
    }
}

/// Reads an optional RFC 3339 moment from the command line; now when absent.
public func parseMoment(_ text: String?) throws -> Timestamp {
    guard let text else { return .now }
    guard let moment = Timestamp(rfc3339: text) else {
        throw CommandFailure.usage("'\(text)' is not a UTC time like 2026-11-02T09:30:00Z")
    }
    return moment
}
