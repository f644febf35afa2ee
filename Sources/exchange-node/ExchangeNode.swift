import ArgumentParser
import SeamlessCLI

@main
struct ExchangeNode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exchange-node",
        abstract: "A Seamless department node: catalog, consents, agreements, policy decisions, audit log, envelopes.",
        discussion: """
            Exit codes: 0 ok, 1 refused (bad signature, policy denial), 2 usage, 3 input/output.

            Try it:
              exchange-node demo
              exchange-node init --dir nodes/ps --id gov.public-security
              exchange-node catalog import --node nodes/ps Schemas/examples/catalog-entry/public-security.*.json
              exchange-node audit export --node nodes/ps --out ps-bundle
            """,
        subcommands: [
            DemoCommand.self, InitCommand.self, CatalogCommand.self, ResponsibilityCommand.self, CalendarCommand.self,
            PurposesCommand.self, ConsentCommand.self, AgreementCommand.self, DecideCommand.self, AuditCommand.self,
            KeysCommand.self, EnvelopeCommand.self, FederationCommand.self, RecordsCommand.self, ServeCommand.self,
            RequestCommand.self, StatusCommand.self,
        ]
    )

    static func main() async {
        await runWithSeamlessExitCodes()
    }
}
