import ArgumentParser
import Foundation
import Seamless
import SeamlessCLI

struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "Validate, import and inspect the node's catalog of shareable resources.",
        subcommands: [Validate.self, Import.self, List.self, Show.self, Revisions.self]
    )

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check catalog entry files against every catalog rule, without a node.",
            discussion:
                "Exit 0 when every file is valid, 1 otherwise.\n\nExample:\n  exchange-node catalog validate Schemas/examples/catalog-entry/*.json"
        )

        @Argument(help: "Files holding one catalog entry or an array of them.")
        var files: [String]

        func run() async throws {
            let results = try DocumentFiles.readAll(CatalogEntry.self, files, importing: false)
            for (path, entries) in results {
                print("\(path): ok (\(entries.count) \(entries.count == 1 ? "entry" : "entries"))")
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add or replace catalog entries in one new catalog revision.",
            discussion: """
                Every file is checked first; if any entry is invalid or belongs to another node, nothing is
                imported. Prints the new revision.

                Example:
                  exchange-node catalog import --node nodes/public-security entries/*.json
                """
        )

        @OptionGroup var node: NodeOptions

        @Argument(help: "Files holding one catalog entry or an array of them.")
        var files: [String]

        func run() async throws {
            let directory = try node.open()
            let entries = try DocumentFiles.readAll(CatalogEntry.self, files).flatMap { path, entries in
                try entries.map { entry in
                    guard entry.provider == directory.configuration.id else {
                        throw CommandFailure.refused(
                            "\(path): '\(entry.id)' is provided by '\(entry.provider)', not by this node '\(directory.configuration.id)'\nnothing was imported"
                        )
                    }
                    return entry
                }
            }
            let store = try await directory.store()
            let before = try await store.currentCatalog()
            let after = try await store.importCatalogEntries(entries, at: .now)
            if after.revision == before.revision {
                print("no change: the catalog is still at \(after.revision)")
            } else {
                var event = directory.event(.catalogRevision)
                event.catalogRevision = after.revision
                try await directory.record(event, in: store)
                print("catalog revision \(after.revision) (\(after.entries.count) entries, \(entries.count) imported)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the resources of the current (or a past) catalog revision.",
            discussion: "Example:\n  exchange-node catalog list --node nodes/public-security --format json"
        )

        @OptionGroup var node: NodeOptions

        @Option(help: "A past revision to list instead of the current one.")
        var revision: String?

        @Option(help: "text or json.")
        var format: OutputFormat = .text

        func run() async throws {
            let catalog = try await CatalogCommand.catalog(node, revision)
            switch format {
            case .json:
                try printJSON([
                    "revision": JSONValue.string(catalog.revision),
                    "entries": try JSONParser().parse(CanonicalJSON.encode(catalog.sortedEntries)),
                ])
            case .text:
                print("revision \(catalog.revision), \(catalog.entries.count) resources")
                printTable(
                    ["RESOURCE", "SHARING", "OPENNESS", "GRADE", "FIELDS", "PURPOSES"],
                    catalog.sortedEntries.map { entry in
                        [
                            entry.id, entry.sharing.typeName, entry.openness.typeName, entry.grade.rawValue,
                            "\(entry.items.count)", entry.purposes.joined(separator: ","),
                        ]
                    }
                )
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print one catalog entry as JSON.",
            discussion:
                "Example:\n  exchange-node catalog show --node nodes/public-security gov.public-security/household-registration"
        )

        @OptionGroup var node: NodeOptions

        @Option(help: "A past revision to read instead of the current one.")
        var revision: String?

        @Argument(help: "The resource id.")
        var id: String

        func run() async throws {
            let catalog = try await CatalogCommand.catalog(node, revision)
            guard let entry = catalog.entries[id] else {
                throw CommandFailure.refused("'\(id)' is not in catalog revision \(catalog.revision)")
            }
            try printJSON(entry)
        }
    }

    struct Revisions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every catalog revision, oldest first.")

        @OptionGroup var node: NodeOptions

        func run() async throws {
            let revisions = try await node.open().store().catalogRevisions()
            printTable(
                ["REVISION", "RECORDED", "ENTRIES"],
                revisions.map { [$0.revision, $0.recordedAt.rfc3339, "\($0.entryCount)"] })
        }
    }

    static func catalog(_ node: NodeOptions, _ revision: String?) async throws -> Catalog {
        let store = try await node.open().store()
        if let revision {
            guard let catalog = try await store.catalog(revision: revision) else {
                throw CommandFailure.refused("this node never had catalog revision \(revision)")
            }
            return catalog
        }
        return try await store.currentCatalog()
    }
}
