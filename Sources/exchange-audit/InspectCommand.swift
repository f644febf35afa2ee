import ArgumentParser
import Seamless
import SeamlessCLI

/// Auditors look at archived envelopes long after they were sent, addressed to any node: the signature
/// and every structural check still apply, the time window and audience do not.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Verify an archived envelope against trusted keys and print its header and payload.",
        discussion: """
            Checks the signature, the algorithm, the key, the content type and the size limits exactly as a
            node does, but accepts any audience and any age. Prints {"header":…,"payload":…} as canonical JSON.

            Example:
              exchange-audit inspect --trust trust/civil-affairs.pub.pem archive/request-0042.json
            """
    )

    @Option(name: .customLong("trust"), help: "A trusted public key (SPKI PEM); repeat for several.")
    var trusted: [String] = []

    @Argument(help: "The envelope file, or - for standard input.")
    var envelope: String

    func run() throws {
        let opener = EnvelopeOpener(trust: try TrustArguments.trustStore(trusted), audience: .any, time: .ignore)
        let bytes = try Files.read(envelope, limit: opener.limits.maxEnvelopeBytes, what: "envelope")
        do {
            let opened = try opener.open(bytes)
            printBytes(CanonicalJSON.serialize(["header": opened.header.jsonValue, "payload": try opened.json()]))
        } catch {
            throw CommandFailure.refused("\(error.code): \(error.reason)")
        }
    }
}
