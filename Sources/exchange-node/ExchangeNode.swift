import ArgumentParser
import SeamlessCLI

@main
struct ExchangeNode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exchange-node",
        abstract: "A Seamless department node: keys, signed envelopes, and (soon) the exchange itself.",
        discussion: """
            Exit codes: 0 ok, 1 refused (bad signature, policy denial), 2 usage, 3 input/output.

            Try it:
              exchange-node keys generate --algorithm ed25519 --out keys --name civil-affairs
              echo '{"hello":"world"}' | exchange-node envelope seal --key keys/civil-affairs.key.pem \\
                  --issuer gov.civil-affairs --audience gov.public-security --type request > envelope.json
              exchange-node envelope open --trust keys/civil-affairs.pub.pem --audience gov.public-security \\
                  --in envelope.json
            """,
        subcommands: [
            DemoCommand.self, InitCommand.self, CatalogCommand.self, ResponsibilityCommand.self, CalendarCommand.self,
            PurposesCommand.self, ConsentCommand.self, AgreementCommand.self, DecideCommand.self, AuditCommand.self,
            KeysCommand.self,
            EnvelopeCommand.self,
        ]
    )

    static func main() async {
        await runWithSeamlessExitCodes()
    }
}
