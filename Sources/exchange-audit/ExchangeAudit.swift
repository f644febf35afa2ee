import ArgumentParser
import SeamlessCLI

@main
struct ExchangeAudit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exchange-audit",
        abstract: "The auditor's tool: verify, replay and cross-check Seamless audit bundles offline.",
        discussion: """
            Exit codes: 0 ok, 1 refused or findings, 2 usage, 3 unreadable input.

            Example:
              exchange-audit verify Docs/example-bundles/human-resources
              exchange-audit replay Docs/example-bundles/human-resources
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
