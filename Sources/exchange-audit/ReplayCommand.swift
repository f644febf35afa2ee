import ArgumentParser
import Seamless
import SeamlessCLI

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Make every recorded decision again and report each violation.",
        discussion: """
            Uses the bundle's catalog revisions, consents, agreements, purposes and members. Reports access
            without a valid consent, access after withdrawal, purposes the resource does not serve, fields
            beyond the grant, use for another purpose, data kept past its data life, applications answered
            after their deadline or still unanswered past it, and every input it could not read
            (missing-input). --as-of judges data lives and deadlines at a moment you know, since the bundle's
            export time is not signed. Exit 0 clean, 1 findings, 2 usage, 3 unreadable bundle.

            Example:
              exchange-audit replay /tmp/ps-bundle --format json
            """
    )

    @Argument(help: "The bundle folder.") var bundle: String
    @Option(help: "text or json.") var format: OutputFormat = .text
    @Option(
        name: .customLong("as-of"),
        help:
            "Judge data lives as of this moment (RFC 3339 UTC); default the bundle's end. The export time is not signed."
    )
    var asOf: String?

    func run() throws {
        let moment = try asOf.map { try parseMoment($0) }
        let report: ReplayReport
        do {
            report = try AuditReplay.run(bundle, asOf: moment)
        } catch {
            throw CommandFailure.io(error.reason)
        }
        switch format {
        case .json:
            try printJSON(report)
        case .text:
            let rules = Dictionary(grouping: report.findings, by: \.rule).mapValues(\.count)
            print(
                "\(report.findings.isEmpty ? "CLEAN" : "FINDINGS: \(report.findings.count)") — \(report.origin): \(report.entries) entries, \(report.decisionsReplayed) decisions made again"
            )
            for (rule, count) in rules.sorted(by: { $0.key < $1.key }) { print("  \(count) × \(rule)") }
            let byDepartment = Dictionary(grouping: report.findings, by: { $0.department ?? "(this node)" })
            for department in byDepartment.keys.sorted() {
                print("\n\(department)")
                for finding in byDepartment[department]!.sorted(by: {
                    ($0.rule, $0.sequence ?? -1) < ($1.rule, $1.sequence ?? -1)
                }) {
                    print("  \(finding)")
                }
            }
        }
        if !report.findings.isEmpty { throw ExitCode(1) }
    }
}
