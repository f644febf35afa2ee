import ArgumentParser
import Foundation
import Seamless
import SeamlessCLI
import SeamlessCrypto

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The node's tamper-evident audit log: checkpoints and bundles for auditors.",
        subcommands: [Checkpoint.self, Export.self]
    )

    struct Checkpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign a checkpoint of the log as it is now and print it (C2SP signed note).",
            discussion: "Example:\n  exchange-node audit checkpoint --node nodes/public-security"
        )
        @OptionGroup var node: NodeOptions

        func run() async throws {
            let directory = try node.open()
            let log = try await directory.auditLog(try await directory.store())
            print(try await log.checkpoint().serialized, terminator: "")
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Write an audit bundle for auditors: entries, checkpoints, catalog revisions, consents, agreements, keys.",
            discussion: """
                Signs a checkpoint of the whole log first, so every exported entry is covered. Check the bundle
                with `exchange-audit verify BUNDLE`.

                Examples:
                  exchange-node audit export --node nodes/public-security --out /tmp/ps-bundle
                  exchange-node audit export --node nodes/public-security --from 5000 --out /tmp/ps-since-5000
                """
        )
        @OptionGroup var node: NodeOptions
        @Option(help: "The folder to create.") var out: String
        @Option(
            help:
                "Start at entry SEQ (default: 0); the bundle then carries the tree of the entries before in prefix.json."
        ) var from: Int = 0
        @Option(help: "Export entries before SEQ only (default: all).") var to: Int?

        func run() async throws {
            if let to, to < 0 { throw CommandFailure.usage("--to \(to) must be 0 or more") }
            if from < 0 { throw CommandFailure.usage("--from \(from) must be 0 or more") }
            if let to, from > to { throw CommandFailure.usage("--from \(from) is after --to \(to)") }
            let directory = try node.open()
            let store = try await directory.store()
            let log = try await directory.auditLog(store)
            if to == nil { _ = try await log.checkpoint() }
            do {
                try await AuditBundle.export(
                    store: store, node: directory.configuration.id, publicKey: try directory.privateKey().publicKey,
                    members: directory.members, from: from, size: to, to: out)
            } catch let error as StoreError where error.code == .refused {
                throw CommandFailure.refused(error.description)
            }
            let end = min(to ?? Int.max, await log.size)
            let start = from > 0 ? ", from entry \(from)" : ""
            print("wrote \(out): \(end - from) entries of \(directory.configuration.id)/audit\(start)")
        }
    }
}
