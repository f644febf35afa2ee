import ArgumentParser
import Foundation
import Seamless
import SeamlessCLI
import SeamlessCrypto

struct AgreementCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agreement",
        abstract: "Conditional sharing: applications, approvals and rejections.",
        discussion: """
            States: applied → approved | rejected | withdrawn; approved → revoked. Rejections and revocations
            need a reason. The approver answers within their working-day deadline (see `responsibility due`).
            """,
        subcommands: [
            Apply.self, Request.self, Check.self, Import.self, Approve.self, Reject.self, Withdraw.self, Revoke.self,
            List.self,
        ]
    )

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record an application for a conditional resource of this node.",
            discussion: """
                Example:
                  exchange-node agreement apply --node nodes/public-security --requester gov.civil-affairs \\
                      --resource gov.public-security/household-registration --fields householdId,district \\
                      --purpose marriage-registration --basis statutory-duty \\
                      --basis-reference 'Marriage Registration Regulations Art. 7' --valid-until 2027-11-01T00:00:00Z
                """
        )

        @OptionGroup var node: NodeOptions
        @Option(help: "The agreement id; generated when absent.") var id: String?
        @Option(help: "The requesting node.") var requester: String
        @Option(help: "The resource id.") var resource: String
        @Option(help: "Comma-separated field names.") var fields: String
        @Option(help: "The purpose code.") var purpose: String
        @Option(help: "The legal basis: \(LegalBasis.allCases.map(\.rawValue).joined(separator: ", ")).") var basis:
            String
        @Option(help: "The statute or rule the basis rests on.") var basisReference: String?
        @Option(help: "Start of validity (RFC 3339 UTC); default now.") var validFrom: String?
        @Option(help: "End of validity (RFC 3339 UTC).") var validUntil: String
        @Option(help: "Periodic fetch: hourly, daily, weekly or monthly.") var every: String?
        @Option(help: "When the application was made; default now.") var at: String?

        func run() async throws {
            let directory = try node.open()
            guard let legalBasis = LegalBasis(rawValue: basis) else {
                throw CommandFailure.usage(
                    "--basis '\(basis)' is not one of \(LegalBasis.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let subscription = try every.map { text -> Subscription in
                guard let every = Subscription.Every(rawValue: text) else {
                    throw CommandFailure.usage("--every '\(text)' is not hourly, daily, weekly or monthly")
                }
                return Subscription(every: every)
            }
            let applied = try parseMoment(at)
            let agreement = Agreement(
                id: try id
                    ?? "agr-\(applied.day)-\(Base64URL.encode(SecureRandom.bytes(4)).lowercased().filter { $0.isLetter || $0.isNumber })",
                requester: requester, resource: resource,
                fields: fields.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
                purpose: purpose, legalBasis: legalBasis, basisReference: basisReference,
                validFrom: try validFrom.map { try parseMoment($0) } ?? applied,
                validUntil: try parseMoment(validUntil),
                subscription: subscription, state: .applied,
                history: [AgreementEvent(state: .applied, at: applied, by: requester)]
            )
            var issues = agreement.validationIssues()
            let catalog = try await directory.store().currentCatalog()
            issues += agreement.issues(against: catalog)
            guard issues.isEmpty else {
                throw CommandFailure.refused(
                    issues.map(\.description).joined(separator: "\n") + "\nnothing was recorded")
            }
            let store = try await directory.store()
            do {
                try await store.recordAgreement(agreement)
            } catch let error as StoreError where error.code == .alreadyExists {
                throw CommandFailure.refused(error.description)
            }
            try await AgreementCommand.log(directory, try await directory.auditLog(store), agreement)
            print("recorded application \(agreement.id) from \(requester) for \(resource)")
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import agreements with their history from files (for this node's resources).",
            discussion: "Example:\n  exchange-node agreement import --node nodes/public-security agreements/*.json"
        )
        @OptionGroup var node: NodeOptions
        @Argument(help: "Agreement files.") var files: [String]

        func run() async throws {
            let directory = try node.open()
            let store = try await directory.store()
            let catalog = try await store.currentCatalog()
            var agreements: [Agreement] = []
            var problems: [String] = []
            for (path, documents) in try DocumentFiles.readAll(Agreement.self, files) {
                for agreement in documents {
                    if ResourceID.node(of: agreement.resource) != directory.configuration.id {
                        problems.append(
                            "\(path): '\(agreement.resource)' is not a resource of this node '\(directory.configuration.id)'"
                        )
                    } else {
                        problems += agreement.issues(against: catalog).map { "\(path): \($0)" }
                    }
                    agreements.append(agreement)
                }
            }
            let existing = Set(try await store.agreements().map(\.id))
            problems += agreements.filter { existing.contains($0.id) }.map { "agreement '\($0.id)' exists already" }
            guard problems.isEmpty else {
                throw CommandFailure.refused(problems.joined(separator: "\n") + "\nnothing was imported")
            }
            // One log for the whole import: opening it reads every leaf hash of the node's log.
            let log = try await directory.auditLog(store)
            for agreement in agreements {
                try await store.recordAgreement(agreement)
                try await AgreementCommand.log(directory, log, agreement)
                print(
                    "imported agreement \(agreement.id) (\(agreement.state.rawValue)) from \(agreement.requester) for \(agreement.resource)"
                )
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve an application.",
            discussion:
                "Example:\n  exchange-node agreement approve --node nodes/public-security agr-2026-0042 --by 'Director, Household Registration Division'"
        )
        @OptionGroup var node: NodeOptions
        @Option(help: "The approver's role.") var by: String
        @Option(help: "A remark.") var note: String?
        @Option(help: "When; default now.") var at: String?
        @Argument(help: "The agreement id.") var id: String

        func run() async throws {
            try await transition(
                node, id, AgreementEvent(state: .approved, at: try parseRecordingMoment(at), by: by, note: note))
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reject an application, with a reason the requester can read.")
        @OptionGroup var node: NodeOptions
        @Option(help: "The approver's role.") var by: String
        @Option(help: "Why the application is refused.") var reason: String
        @Option(help: "When; default now.") var at: String?
        @Argument(help: "The agreement id.") var id: String

        func run() async throws {
            try await transition(
                node, id, AgreementEvent(state: .rejected, at: try parseRecordingMoment(at), by: by, reason: reason))
        }
    }

    struct Withdraw: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that the requester withdrew its application.")
        @OptionGroup var node: NodeOptions
        @Option(help: "Who (the requester's node id).") var by: String
        @Option(help: "When; default now.") var at: String?
        @Argument(help: "The agreement id.") var id: String

        func run() async throws {
            try await transition(node, id, AgreementEvent(state: .withdrawn, at: try parseRecordingMoment(at), by: by))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End an approved agreement early, with a reason.")
        @OptionGroup var node: NodeOptions
        @Option(help: "Who.") var by: String
        @Option(help: "Why.") var reason: String
        @Option(help: "When; default now.") var at: String?
        @Argument(help: "The agreement id.") var id: String

        func run() async throws {
            try await transition(
                node, id, AgreementEvent(state: .revoked, at: try parseRecordingMoment(at), by: by, reason: reason))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List agreements.")
        @OptionGroup var node: NodeOptions
        @Option(help: "text or json.") var format: OutputFormat = .text

        func run() async throws {
            let agreements = try await node.open().store().agreements()
            switch format {
            case .json:
                try printJSON(agreements)
            case .text:
                printTable(
                    ["AGREEMENT", "STATE", "REQUESTER", "RESOURCE", "PURPOSE", "VALID UNTIL"],
                    agreements.map {
                        [$0.id, $0.state.rawValue, $0.requester, $0.resource, $0.purpose, $0.validUntil.rfc3339]
                    }
                )
            }
        }
    }

    static func transition(_ node: NodeOptions, _ id: String, _ event: AgreementEvent) async throws {
        let directory = try node.open()
        let store = try await directory.store()
        do {
            let agreement = try await store.transitionAgreement(id: id, event)
            try await log(directory, try await directory.auditLog(store), agreement)
            print("agreement \(id) is \(agreement.state.rawValue)")
        } catch let error as StoreError where error.code != .database {
            throw CommandFailure.refused(error.description)
        }
    }

    /// Records an agreement's latest transition in the node's audit log.
    static func log(_ directory: NodeDirectory, _ log: AuditLog, _ agreement: Agreement) async throws {
        var event = directory.event(.agreementTransition)
        event.agreementID = agreement.id
        event.agreementState = agreement.state
        event.peer = agreement.requester
        event.resource = agreement.resource
        _ = try await log.append(event)
    }
}
