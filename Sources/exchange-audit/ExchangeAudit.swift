import ArgumentParser
import SeamlessCLI

@main
struct ExchangeAudit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exchange-audit",
        abstract: "The auditor's tool: inspect what Seamless nodes signed, offline.",
        discussion: """
            Exit codes: 0 ok, 1 refused or findings, 2 usage, 3 unreadable input.

            Example:
              exchange-audit inspect --trust trust/civil-affairs.pub.pem archive/request-0042.json
            """,
        subcommands: [
            VerifyCommand.self, ReplayCommand.self, CrossCheckCommand.self, ProveCommand.self, CheckProofCommand.self,
            InspectCommand.self,
        ]
    )

    static func main() async {
        await runWithSeamlessExitCodes()
    }
}
