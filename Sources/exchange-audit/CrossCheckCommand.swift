import ArgumentParser
import Seamless
import SeamlessCLI

struct CrossCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cross-check",
        abstract: "Match one department's disclosures with the other's receipts, and the reverse.",
        discussion: """
            Both bundles must verify first and be of two different nodes. Matched pairs must agree on fields,
            record count and response hash (exchange-differs). Exit 0 when everything matches, 1 when something
            is unmatched or differs, 3 when a bundle cannot be read, does not verify, or both are of one node.

            Example:
              exchange-audit cross-check /tmp/ps-bundle /tmp/ca-bundle
            """
    )

    @Argument(help: "The first bundle.") var first: String
    @Argument(help: "The second bundle.") var second: String
    @Option(help: "text or json.") var format: OutputFormat = .text

    func run() throws {
        let result: (nodes: [String], unmatched: [CrossCheck.Unmatched])
        do {
            result = try CrossCheck.run(first, second)
        } catch {
            throw CommandFailure.io(error.reason)
        }
        if format == .json {
            try printJSON(result.unmatched)
        } else {
            print(
                "\(result.unmatched.isEmpty ? "MATCHED" : "UNMATCHED: \(result.unmatched.count)") — \(result.nodes.joined(separator: " ↔ "))"
            )
            for item in result.unmatched { print("  \(item)") }
        }
        if !result.unmatched.isEmpty { throw ExitCode(1) }
    }
}
