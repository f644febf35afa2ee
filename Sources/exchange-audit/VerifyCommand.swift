import ArgumentParser
import Seamless
import SeamlessCLI

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify an audit bundle: manifest, entries, Merkle tree, signed checkpoints.",
        discussion: """
            Recomputes every leaf and the tree from entries.jsonl, checks each checkpoint's signature against
            trust.json and its root against the tree, and names the first bad entry as precisely as the
            bundle allows. Exit 0 clean, 1 findings, 3 unreadable bundle.

            Example:
              exchange-audit verify /tmp/ps-bundle
            """
    )

    @Argument(help: "The bundle folder.") var bundle: String
    @Option(help: "text or json.") var format: OutputFormat = .text

    func run() throws {
        let result: BundleVerification
        do {
            result = try BundleVerifier.verify(bundle)
        } catch {
            throw CommandFailure.io(error.reason)
        }
        switch format {
        case .json:
            try printJSON(
                VerifyReport(
                    node: result.manifest.node, entries: result.entryCount, first: result.manifest.first ?? 0,
                    verifiedCheckpoints: result.verifiedCheckpoints, findings: result.findings))
        case .text:
            let verdict = result.findings.isEmpty ? "VERIFIED" : "FINDINGS: \(result.findings.count)"
            let first = result.manifest.first.map { " from entry \($0)" } ?? ""
            print(
                "\(verdict) — \(result.manifest.origin), \(result.entryCount) entries\(first), checkpoints verified at \(result.verifiedCheckpoints.map(String.init).joined(separator: ", ").ifEmpty("none"))"
            )
            for finding in result.findings { print("  \(finding)") }
        }
        if !result.findings.isEmpty { throw ExitCode(1) }
    }

    struct VerifyReport: Encodable {
        let node: String
        let entries: Int
        /// The sequence number of the bundle's first entry (0 unless exported `--from` a later one).
        let first: Int
        let verifiedCheckpoints: [Int]
        let findings: [BundleFinding]
    }
}

extension String {
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
