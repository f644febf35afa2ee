import ArgumentParser
import Foundation
import Seamless
import SeamlessCLI

struct RequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Ask another department's node for records, as this node (the consumer).",
        discussion: """
            Signs the request with the node key, sends it to the provider named in the resource id, verifies the
            signed answer, logs the receipt and keeps the records for the purpose until their data life ends.
            Exit 0 granted, 1 denied or refused (the code is printed), 2 usage, 3 the provider is unreachable.

            Examples:
              exchange-node request --node nodes/ca --resource gov.human-resources/social-insurance-enrolment-status \\
                  --fields insuredId,pensionEnrolled --purpose social-assistance.eligibility --key hr-100001
              exchange-node request --node nodes/ca --resource gov.human-resources/social-insurance-enrolment-status \\
                  --fields insuredId,pensionEnrolled --purpose social-assistance.eligibility --basis consent \\
                  --consent consent-2026-000117 --subject subj-7f3a91c2
            """
    )

    @OptionGroup var node: NodeOptions
    @Option(help: "The resource id, <provider>/<name>.") var resource: String
    @Option(help: "The fields, comma-separated.") var fields: String
    @Option(help: "The purpose code.") var purpose: String
    @Option(help: "The legal basis: statutory-duty (default), consent, contract, public-interest, …")
    var basis: String = "statutory-duty"
    @Option(name: .customLong("consent"), help: "A consent id (basis consent); repeat for several.")
    var consents: [String] = []
    @Option(name: .customLong("subject"), help: "A subject pseudonym (basis consent); repeat for several.")
    var subjects: [String] = []
    @Option(name: .customLong("key"), help: "A record key; repeat for several.") var keys: [String] = []
    @Option(help: "Only records whose FIELD equals VALUE: FIELD=VALUE.") var whereEquals: String?
    @Option(help: "Records per page (the provider's default if absent).") var limit: Int?
    @Option(help: "Continue after this record key (a previous answer's next).") var after: String?
    @Option(help: "How long the records will be kept, in days (default: the purpose's maximum).")
    var dataLifeDays: Int?
    @Flag(help: "Refuse rather than minimise when a field cannot be granted.") var strict = false
    @Option(help: "text or json.") var format: OutputFormat = .text

    func run() async throws {
        let directory = try node.open()
        guard let basis = LegalBasis(rawValue: basis) else {
            throw CommandFailure.usage(
                "unknown legal basis '\(self.basis)'; use one of \(LegalBasis.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        guard let provider = ResourceID.node(of: resource) else {
            throw CommandFailure.usage("'\(resource)' is not a resource id (<provider>/<name>)")
        }
        let selector: RecordSelector
        if let whereEquals {
            let parts = whereEquals.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw CommandFailure.usage("--where-equals takes FIELD=VALUE") }
            selector = .fieldEquals(field: parts[0], value: parts[1])
        } else if !keys.isEmpty {
            selector = .keys(keys)
        } else if !subjects.isEmpty {
            selector = .subjects(subjects)
        } else {
            selector = .all
        }
        let request = ExchangeRequest(
            resource: resource, fields: fields.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
            selector: selector, purpose: purpose, legalBasis: basis, consentIDs: consents, subjects: subjects,
            dataLifeDays: dataLifeDays, strict: strict, after: after, limit: limit)
        let problems = request.problems()
        guard problems.isEmpty else { throw CommandFailure.usage(problems.joined(separator: "; ")) }
        let result = try await withEngine(directory) { engine throws(ExchangeError) in
            try await engine.request(request, from: provider)
        }
        if format == .json {
            try printJSON(Output(result))
            return
        }
        let grant = result.decision.grant
        print("granted by \(provider): \(result.records.count) record\(result.records.count == 1 ? "" : "s")")
        print("  fields     \(grant?.fields.joined(separator: ", ") ?? "")")
        if let withheld = grant?.withheld, !withheld.isEmpty {
            print("  withheld   \(withheld.joined(separator: ", "))")
        }
        print(
            "  purpose    \(purpose) (use only for this; kept \(grant?.dataLifeDays ?? 0) days, until \(result.records.first?.expiresAt.description ?? "-"))"
        )
        print("  request    \(result.requestHash) (receipt: entry \(result.receiptSequence) of this node's log)")
        if let next = result.next { print("  more       ask again with --after \(next)") }
        for record in result.records {
            let values = record.fields.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.text($0.value))" }
            print("  \(record.key)  " + values.joined(separator: "  "))
        }
    }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        default: String(decoding: CanonicalJSON.serialize(value), as: UTF8.self)
        }
    }

    struct Output: Encodable {
        var provider: String
        var requestHash: String
        var decision: PolicyDecision
        var records: [ResponseRecord]
        var next: String?
        var receiptSequence: Int
        var expiresAt: Timestamp?

        init(_ result: ExchangeResult) {
            provider = result.provider
            requestHash = result.requestHash
            decision = result.decision
            records = result.records.map { ResponseRecord(key: $0.key, subject: $0.subject, fields: $0.fields) }
            next = result.next
            receiptSequence = result.receiptSequence
            expiresAt = result.records.first?.expiresAt
        }
    }
}
