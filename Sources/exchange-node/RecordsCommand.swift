import ArgumentParser
import Foundation
import Seamless
import SeamlessCLI

struct RecordsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "records",
        abstract: "The department's own records of the resources it provides.",
        subcommands: [Import.self, Count.self]
    )

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load records of one resource from JSON Lines, checked against the catalog's data items.",
            discussion: """
                One record per line: {"subject":"subj-7f3a91c2","fields":{"insuredId":"…","pensionEnrolled":true}}
                ("subject", a pseudonym, only for records about one person). Every line is checked first
                (field names and types against the resource's data items, the primary key present); one
                bad line refuses the whole file and nothing is stored. A record with a known key replaces it.

                Example:
                  exchange-node records import --node nodes/hr gov.human-resources/social-insurance-enrolment-status \\
                      records/social-insurance-enrolment-status.jsonl
                """
        )
        @OptionGroup var node: NodeOptions
        @Argument(help: "The resource id.") var resource: String
        @Argument(help: "The JSON Lines file.") var file: String

        func run() async throws {
            let directory = try node.open()
            let store = try await directory.store()
            guard ResourceID.node(of: resource) == directory.configuration.id else {
                throw CommandFailure.refused(
                    "\(resource) is provided by another node; \(directory.configuration.id) loads only its own records")
            }
            guard let entry = try await store.currentCatalog().entries[resource] else {
                throw CommandFailure.refused(
                    "\(resource) is not in \(directory.configuration.id)'s catalog; import its entry with `exchange-node catalog import` first"
                )
            }
            let records = try RecordsCommand.read(file, entry: entry, at: .now)
            let added = try await store.upsertRecords(records)
            let total = try await store.recordCount(resource: resource)
            print(
                "imported \(records.count) records of \(resource) (\(added) new, \(records.count - added) replaced); \(total) in all"
            )
        }
    }

    /// Reads a JSON Lines file of `entry`'s records: every line checked against its data items, every key
    /// once. Refused with the problems found (up to 50, each naming the file and line) if there are any.
    static func read(_ file: String, entry: CatalogEntry, at moment: Timestamp) throws -> [ProviderRecord] {
        let bytes = try Files.read(file, limit: 4 << 30, what: "records")
        var records: [ProviderRecord] = []
        var problems: [String] = []
        var keys = Set<String>()
        let reader = RecordLineReader(entry: entry)
        for (index, line) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated()
        where !line.isEmpty {
            guard records.count < ProviderRecord.maxImportRecords else {
                throw CommandFailure.refused(
                    "\(file) has more than \(ProviderRecord.maxImportRecords) records; split it")
            }
            do {
                let record = try reader.read(line: line, number: index + 1, at: moment)
                if !keys.insert(record.key).inserted {
                    problems.append("\(file): line \(index + 1): key '\(record.key)' appears twice in the file")
                }
                records.append(record)
            } catch {
                for issue in error.issues {
                    problems.append("\(file): line \(index + 1): \(issue.path): \(issue.message) [\(issue.rule)]")
                }
            }
            if problems.count >= 50 { break }
        }
        guard problems.isEmpty else {
            throw CommandFailure.refused((problems + ["nothing was imported"]).joined(separator: "\n"))
        }
        return records
    }

    struct Count: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "How many records the node holds per resource.")
        @OptionGroup var node: NodeOptions

        func run() async throws {
            let directory = try node.open()
            let store = try await directory.store()
            for entry in try await store.currentCatalog().sortedEntries {
                print("\(entry.id)  \(try await store.recordCount(resource: entry.id))")
            }
        }
    }
}
