import ArgumentParser
import Foundation
import Seamless
import SeamlessCLI
import SeamlessCrypto
import SeamlessHTTP

/// The consumer's side of conditional sharing: apply to another department's node over the network, and
/// follow what becomes of the application.
extension AgreementCommand {
    struct Request: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "request",
            abstract: "Apply to the provider's node, over the network, for one of its conditional resources.",
            discussion: """
                This node is the requester. The provider records the application and answers with the last
                working day its approver may answer; its approver then runs `exchange-node agreement approve`
                (or reject) on the provider's node. Follow it with `exchange-node agreement check`.

                Example:
                  exchange-node agreement request --node nodes/ca --id agr-2026-0101 \\
                      --resource gov.public-security/household-registration --fields householdId,district,members \\
                      --purpose marriage-registration.verify-household --basis statutory-duty \\
                      --basis-reference 'Marriage Registration Regulations Art. 7' --valid-until 2027-11-01T00:00:00Z --every daily
                """
        )
        @OptionGroup var node: NodeOptions
        @Option(help: "The agreement id (unique at the provider).") var id: String
        @Option(help: "The resource id; its provider is asked.") var resource: String
        @Option(help: "Comma-separated field names.") var fields: String
        @Option(help: "The purpose code.") var purpose: String
        @Option(help: "The legal basis.") var basis: String
        @Option(help: "The statute or rule the basis rests on.") var basisReference: String?
        @Option(help: "End of validity (RFC 3339 UTC).") var validUntil: String
        @Option(help: "Periodic fetch: hourly, daily, weekly or monthly.") var every: String?

        func run() async throws {
            guard let legalBasis = LegalBasis(rawValue: basis) else {
                throw CommandFailure.usage(
                    "--basis '\(basis)' is not one of \(LegalBasis.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let provider = ResourceID.node(of: resource) else {
                throw CommandFailure.usage("'\(resource)' is not a resource id")
            }
            let subscription = try every.map { text -> Subscription in
                guard let every = Subscription.Every(rawValue: text) else {
                    throw CommandFailure.usage("--every '\(text)' is not hourly, daily, weekly or monthly")
                }
                return Subscription(every: every)
            }
            let application = AgreementApplication(
                id: id, resource: resource,
                fields: fields.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
                purpose: purpose, legalBasis: legalBasis, basisReference: basisReference,
                validUntil: try parseMoment(validUntil), subscription: subscription)
            let reply = try await withEngine(try node.open()) { engine throws(ExchangeError) in
                try await engine.apply(application, to: provider)
            }
            print("\(provider) recorded application \(reply.agreement.id): \(reply.agreement.state.rawValue)")
            if let deadline = reply.deadline { print("  its approver must answer by \(deadline) (working days)") }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask the provider what became of this node's application; follow it when approved with a feed.",
            discussion:
                "Example:\n  exchange-node agreement check --node nodes/ca --provider gov.public-security agr-2026-0101"
        )
        @OptionGroup var node: NodeOptions
        @Option(help: "The provider's node id.") var provider: String
        @Argument(help: "The agreement id.") var id: String

        func run() async throws {
            let agreement = try await withEngine(try node.open()) { engine throws(ExchangeError) in
                let reply = try await engine.agreementStatus(id: id, at: provider)
                if reply.agreement.state == .approved, reply.agreement.subscription != nil {
                    try await engine.subscribe(reply.agreement)
                }
                return reply
            }
            let last = agreement.agreement.history.last
            print(
                "\(agreement.agreement.id) at \(provider): \(agreement.agreement.state.rawValue)\(last.map { " since \($0.at) by \($0.by)" } ?? "")"
            )
            if let reason = last?.reason { print("  reason: \(reason)") }
            if let deadline = agreement.deadline { print("  the approver must answer by \(deadline)") }
            if agreement.agreement.state == .approved, let feed = agreement.agreement.subscription {
                print("  following its \(feed.every.rawValue) feed: `exchange-node serve` syncs it")
            }
        }
    }
}

/// Runs `body` with this node's engine on the HTTP transport (over `store`, or the node's own; logging to
/// `log`, or a log opened here), then closes the transport. Unreachable peers exit 3, refusals and denials 1.
func withEngine<T: Sendable>(
    _ directory: NodeDirectory, store given: (any Store)? = nil, log givenLog: AuditLog? = nil,
    _ body: (ExchangeEngine) async throws(ExchangeError) -> T
) async throws -> T {
    let store: any Store
    if let given { store = given } else { store = try await directory.store() }
    let key = try directory.privateKey()
    let transport = HTTPTransport()
    do {
        let log: AuditLog
        if let givenLog { log = givenLog } else { log = try await directory.auditLog(store) }
        let engine = try ExchangeEngine(
            id: directory.configuration.id, key: key, store: store, log: log,
            federation: try directory.federation(), transport: transport)
        let result = try await body(engine)
        try? await transport.shutdown()
        return result
    } catch let error as ExchangeError {
        try? await transport.shutdown()
        if ["unreachable", "timeout"].contains(error.code) { throw CommandFailure.io(error.description) }
        throw CommandFailure.refused(error.description)
    } catch {
        try? await transport.shutdown()
        throw error
    }
}
