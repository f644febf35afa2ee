import ArgumentParser
import Foundation
import Seamless
import SeamlessCLI

struct ConsentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "Record citizens' consents and their withdrawal.",
        subcommands: [Grant.self, Withdraw.self, Pause.self, Resume.self, List.self, Notify.self]
    )

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a consent from a file: one subject, one purpose, explicit evidence.",
            discussion: """
                Bundled consent (several purposes) and consent without evidence are refused. The consent is
                active from --at (default now).

                Example:
                  exchange-node consent grant --node nodes/civil-affairs consent-2026-000117.json
                """
        )

        @OptionGroup var node: NodeOptions

        @Option(help: "When it was recorded (RFC 3339 UTC); default now.")
        var at: String?

        @Option(help: "Who records it (a role or node id); default this node.")
        var by: String?

        @Argument(help: "The consent file.")
        var file: String

        func run() async throws {
            let directory = try node.open()
            let bytes = try Files.read(file, limit: DocumentReader.maxDocumentBytes, what: "consent")
            let record: ConsentRecord
            do {
                record = try ConsentRecord.read(from: bytes, source: file)
            } catch {
                throw CommandFailure.refused(error.description + "\nnothing was recorded")
            }
            let status: ConsentStatus
            let store = try await directory.store()
            do {
                status = try await store.recordConsent(
                    record, at: try parseRecordingMoment(at), by: by ?? directory.configuration.id)
            } catch let error as StoreError where error.code != .database {
                throw CommandFailure.refused(error.description)
            }
            try await logConsent(
                directory, try await directory.auditLog(store), record.id, .active, status.history[0].at)
            print("recorded consent \(record.id) for purpose \(record.purpose), active from \(status.history[0].at)")
        }
    }

    struct Withdraw: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Withdraw a consent from now (or --at) on; never retroactive, and final.",
            discussion:
                "Example:\n  exchange-node consent withdraw --node nodes/civil-affairs consent-2026-000117 --reason 'requested at counter'"
        )

        @OptionGroup var node: NodeOptions
        @Option(help: "When it takes effect (RFC 3339 UTC); default now.") var at: String?
        @Option(help: "Who records it.") var by: String = "subject"
        @Option(help: "Why.") var reason: String?
        @Argument(help: "The consent id.") var id: String

        func run() async throws {
            try await change(node, id, .withdrawn, at, by, reason)
        }
    }

    struct Notify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tell the peers that received data under a withdrawn consent to purge it (again).",
            discussion: """
                `consent withdraw` does this itself when the node has a federation; run this when a peer was
                unreachable then. Exit 1 while a peer still cannot be reached.

                Example:
                  exchange-node consent notify --node nodes/human-resources consent-2026-000117
                """)
        @OptionGroup var node: NodeOptions
        @Argument(help: "The consent id.") var id: String

        func run() async throws {
            let directory = try node.open()
            let store = try await directory.store()
            guard let status = try await store.consent(id: id) else {
                throw CommandFailure.refused("no consent '\(id)' is recorded")
            }
            guard status.history.contains(where: { $0.state == .withdrawn }) else {
                throw CommandFailure.refused("consent \(id) is not withdrawn; nothing to tell")
            }
            try await notifyPeers(directory, store, try await directory.auditLog(store), status)
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause a consent until it is resumed.")
        @OptionGroup var node: NodeOptions
        @Option(help: "When (RFC 3339 UTC); default now.") var at: String?
        @Option(help: "Who records it.") var by: String = "subject"
        @Option(help: "Why.") var reason: String?
        @Argument(help: "The consent id.") var id: String

        func run() async throws {
            try await change(node, id, .paused, at, by, reason)
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused consent.")
        @OptionGroup var node: NodeOptions
        @Option(help: "When (RFC 3339 UTC); default now.") var at: String?
        @Option(help: "Who records it.") var by: String = "subject"
        @Argument(help: "The consent id.") var id: String

        func run() async throws {
            try await change(node, id, .active, at, by, nil)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List consents with their state now.",
            discussion: "Example:\n  exchange-node consent list --node nodes/civil-affairs --subject subj-7f3a91c2"
        )

        @OptionGroup var node: NodeOptions
        @Option(help: "Only this subject's consents.") var subject: String?
        @Option(help: "text or json.") var format: OutputFormat = .text

        func run() async throws {
            let consents = try await node.open().store().consents(subject: subject)
            let now = Timestamp.now
            switch format {
            case .json:
                try printJSON(consents)
            case .text:
                printTable(
                    ["CONSENT", "SUBJECT", "PURPOSE", "RECIPIENTS", "STATE", "EXPIRY"],
                    consents.map { status in
                        let record = status.record
                        return [
                            record.id, record.subject, record.purpose, record.recipients.joined(separator: ","),
                            status.state(at: now).rawValue, record.expiry.rfc3339,
                        ]
                    }
                )
            }
        }
    }

    static func change(
        _ node: NodeOptions, _ id: String, _ state: ConsentState, _ at: String?, _ by: String, _ reason: String?
    ) async throws {
        let directory = try node.open()
        let store = try await directory.store()
        do {
            let status = try await store.changeConsent(
                id: id, to: state, at: try parseRecordingMoment(at), by: by, reason: reason)
            // One log for both: opening it reads every leaf hash.
            let log = try await directory.auditLog(store)
            try await logConsent(directory, log, id, state, status.history.last!.at)
            print("consent \(id) is \(state.rawValue) from \(status.history.last!.at)")
            if state == .withdrawn, directory.configuration.federation != nil {
                try await notifyPeers(directory, store, log, status)
            }
        } catch let error as StoreError where error.code != .database {
            throw CommandFailure.refused(error.description)
        }
    }

    /// Tells the peers that received the subject's data under this consent to purge it.
    static func notifyPeers(
        _ directory: NodeDirectory, _ store: any Store, _ log: AuditLog, _ status: ConsentStatus
    ) async throws {
        let outcome = try await withEngine(directory, store: store, log: log) { engine throws(ExchangeError) in
            try await engine.notifyWithdrawal(of: status)
        }
        for peer in outcome.told { print("  told \(peer), which purged the subject's data it received") }
        for (peer, reason) in outcome.unreachable.sorted(by: { $0.key < $1.key }) {
            print("  could not tell \(peer): \(reason) — run `exchange-node consent notify` again")
        }
        if !outcome.unreachable.isEmpty { throw ExitCode(1) }
    }

    /// Records a consent's new state in the node's audit log.
    static func logConsent(
        _ directory: NodeDirectory, _ log: AuditLog, _ id: String, _ state: ConsentState, _ at: Timestamp
    ) async throws {
        var event = directory.event(.consentStatus, at: at)
        event.consentID = id
        event.consentState = state
        _ = try await log.append(event)
    }
}

/// Reads the moment a change takes effect: now, or a time given with --at that is not in the past. A
/// consent or an answer recorded as of an earlier time would change decisions already made, which
/// Seamless never allows (5 minutes of clock skew are tolerated).
func parseRecordingMoment(_ text: String?) throws -> Timestamp {
    let moment = try parseMoment(text)
    let now = Timestamp.now
    guard moment.secondsSince1970 >= now.secondsSince1970 - 300 else {
        throw CommandFailure.refused(
            "--at \(moment) is in the past; a change takes effect from when it is recorded (now: \(now)) and is never dated back"
        )
    }
    return moment
}
