import ArgumentParser
import Foundation
import Seamless
import SeamlessCLI

/// Department developers try a request against a provider's catalog, consents and agreements before any
/// network is involved.
struct DecideCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decide",
        abstract: "Decide an access request against this node's catalog, consents and agreements.",
        discussion: """
            Prints the decision and what it relied on; exit 0 when granted, 1 when denied.

            Example:
              exchange-node decide --node nodes/public-security --requester gov.civil-affairs \\
                  --resource gov.public-security/household-registration --fields householdId,district \\
                  --purpose marriage-registration.verify-household --basis statutory-duty
            """
    )

    @OptionGroup var node: NodeOptions
    @Option(help: "The requesting node.") var requester: String
    @Option(help: "The resource id.") var resource: String
    @Option(help: "Comma-separated field names.") var fields: String
    @Option(help: "The purpose code.") var purpose: String
    @Option(help: "The legal basis.") var basis: String?
    @Option(name: .customLong("consent"), help: "A consent id; repeat for several.") var consents: [String] = []
    @Option(name: .customLong("subject"), help: "A subject id; repeat for several.") var subjects: [String] = []
    @Option(help: "Days the requester will keep the data.") var dataLife: Int?
    @Flag(help: "Refuse instead of minimising fields.") var strict = false
    @Option(help: "Decide as of this moment (RFC 3339 UTC); default now.") var at: String?
    @Option(help: "text or json.") var format: OutputFormat = .text

    func run() async throws {
        let directory = try node.open()
        let legalBasis = try basis.map { text -> LegalBasis in
            guard let basis = LegalBasis(rawValue: text) else {
                throw CommandFailure.usage(
                    "--basis '\(text)' is not one of \(LegalBasis.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return basis
        }
        let request = AccessRequest(
            requester: requester, resource: resource, fields: fields.split(separator: ",").map(String.init),
            purpose: purpose, legalBasis: legalBasis, consentIDs: consents, subjects: subjects,
            dataLifeDays: dataLife, strict: strict, at: try parseMoment(at)
        )
        let snapshot = try await directory.store().policySnapshot(
            node: directory.configuration.id, members: directory.members)
        let decision = snapshot.decide(request)
        if format == .json {
            try printJSON(decision)
        } else {
            switch decision.outcome {
            case .granted(let grant):
                print("granted: \(grant.fields.joined(separator: ", ")) (keep at most \(grant.dataLifeDays) days)")
                if !grant.withheld.isEmpty {
                    print("withheld by minimisation: \(grant.withheld.joined(separator: ", "))")
                }
            case .denied(let denial):
                print("denied: \(denial.code): \(denial.reason)")
            }
            let basis = decision.basis
            print(
                "relied on: catalog \(basis.catalogRevision), purpose \(basis.matchedPurpose ?? basis.purpose)"
                    + (basis.agreementID.map { ", agreement \($0)" } ?? "")
                    + (basis.consentIDs.isEmpty ? "" : ", consents \(basis.consentIDs.joined(separator: ","))"))
        }
        if decision.denial != nil { throw ExitCode(1) }
    }
}
