import ArgumentParser
import Foundation
import Seamless
import SeamlessCLI

struct ResponsibilityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "responsibility",
        abstract: "Responsibility lists: who answers for what, and what falls due.",
        subcommands: [Import.self, Show.self, Due.self]
    )

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import departments' responsibility lists.",
            discussion: """
                This node's own list is checked against its catalog: every resource covered, approvers for
                conditional resources, the negative list matching the resources labelled none, maintainers
                keeping the catalog's update cycle. Nothing is imported if any list fails.

                Example:
                  exchange-node responsibility import --node nodes/public-security lists/gov.public-security.json
                """
        )

        @OptionGroup var node: NodeOptions
        @Argument(help: "Responsibility list files.") var files: [String]

        func run() async throws {
            let directory = try node.open()
            let store = try await directory.store()
            let catalog = try await store.currentCatalog()
            var lists: [ResponsibilityList] = []
            var problems: [String] = []
            for (path, documents) in try DocumentFiles.readAll(ResponsibilityList.self, files) {
                for list in documents {
                    if list.department == directory.configuration.id {
                        problems += list.issues(against: catalog).map { "\(path): \($0)" }
                    }
                    lists.append(list)
                }
            }
            guard problems.isEmpty else {
                throw CommandFailure.refused(problems.joined(separator: "\n") + "\nnothing was imported")
            }
            for list in lists {
                try await store.saveResponsibilityList(list)
                print(
                    "imported the responsibility list of \(list.department) (\(list.resources.count) resources, \(list.needs.count) needs, \(list.negativeList.count) not shared)"
                )
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Who is responsible for what: provider, approver, maintainer and supervisor per resource.",
            discussion:
                "Example:\n  exchange-node responsibility show --node nodes/public-security gov.public-security/household-registration"
        )

        @OptionGroup var node: NodeOptions
        @Option(help: "text or json.") var format: OutputFormat = .text
        @Argument(help: "Only this resource.") var resource: String?

        func run() async throws {
            let lists = try await node.open().store().responsibilityLists()
            let rows = lists.flatMap { list in list.resources.map { (list, $0) } }.filter {
                resource == nil || $0.1.resource == resource
            }
            if format == .json {
                try printJSON(rows.map(\.1))
                return
            }
            guard !rows.isEmpty else {
                throw CommandFailure.refused(
                    resource.map { "no responsibility list covers '\($0)'" } ?? "no responsibility lists are imported")
            }
            for (list, entry) in rows {
                print("\(entry.resource)  (\(list.name))")
                print("  provider    \(entry.provider.role) <\(entry.provider.contact)>")
                if let approver = entry.approver {
                    print(
                        "  approver    \(approver.role) <\(approver.contact)>, answers within \(approver.replyDays) working days"
                    )
                }
                print(
                    "  maintainer  \(entry.maintainer.role) <\(entry.maintainer.contact)>, updates \(entry.maintainer.updateCycle.rawValue)"
                )
                print("  supervisor  \(entry.supervisor.role) <\(entry.supervisor.contact)>")
            }
        }
    }

    struct Due: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What is overdue and what falls due within N working days.",
            discussion: """
                Applications waiting for an answer (deadline: the approver's working days, 10 by default,
                counted on the node's calendar) and approved agreements running out. Exit 1 when something
                is overdue.

                Example:
                  exchange-node responsibility due --node nodes/public-security --within 3
                """
        )

        @OptionGroup var node: NodeOptions
        @Option(help: "Working days ahead that count as due soon.") var within: Int = 3
        @Option(help: "The day to compute for (YYYY-MM-DD); default today (UTC).") var today: String?
        @Option(help: "text or json.") var format: OutputFormat = .text

        func run() async throws {
            let directory = try node.open()
            let store = try await directory.store()
            guard let calendar = try await store.calendar() else {
                throw CommandFailure.refused("no working-day calendar is imported; run `exchange-node calendar import`")
            }
            let day =
                try today.map { text -> CivilDate in
                    guard let day = CivilDate(iso: text) else {
                        throw CommandFailure.usage("'\(text)' is not a date like 2026-11-30")
                    }
                    return day
                } ?? Timestamp.now.day
            let items: [DueItem]
            do {
                items = try DueItems.compute(
                    department: directory.configuration.id, lists: try await store.responsibilityLists(),
                    agreements: try await store.agreements(), calendar: calendar, today: day, within: within
                )
            } catch {
                throw CommandFailure.refused("\(error)")
            }
            if format == .json {
                try printJSON(items)
            } else if items.isEmpty {
                print("nothing pending for \(directory.configuration.id) on \(day)")
            } else {
                printTable(
                    [
                        "STANDING", "KIND", "AGREEMENT", "REQUESTER", "RESOURCE", "DEADLINE", "WORKING DAYS LEFT",
                        "RESPONSIBLE",
                    ],
                    items.map { item in
                        [
                            item.standing.rawValue, item.kind.rawValue, item.agreementID, item.requester, item.resource,
                            "\(item.deadline)", "\(item.workingDaysLeft)",
                            item.responsible.map { "\($0.role) <\($0.contact)>" } ?? "-",
                        ]
                    }
                )
            }
            if items.contains(where: { $0.standing == .overdue }) {
                throw ExitCode(1)
            }
        }
    }
}

struct CalendarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "The working-day calendar deadlines are counted on.",
        subcommands: [Import.self]
    )

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the node's working-day calendar from a file.",
            discussion:
                "Example:\n  exchange-node calendar import --node nodes/public-security Schemas/examples/calendar/prc-2026-2027.json"
        )
        @OptionGroup var node: NodeOptions
        @Argument(help: "The calendar file.") var file: String

        func run() async throws {
            let calendar = try DocumentFiles.readOne(WorkingCalendar.self, file)
            try await node.open().store().saveCalendar(calendar)
            print(
                "calendar '\(calendar.name)': \(calendar.from) to \(calendar.to), \(calendar.holidays.count) holidays, \(calendar.workingDays.count) adjusted working days"
            )
        }
    }
}

struct PurposesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purposes",
        abstract: "The purpose registry: codes, texts and limits.",
        subcommands: [Import.self, List.self]
    )

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the node's purpose registry from a file.",
            discussion:
                "Example:\n  exchange-node purposes import --node nodes/public-security Schemas/examples/purposes/registry.json"
        )
        @OptionGroup var node: NodeOptions
        @Argument(help: "The registry file.") var file: String

        func run() async throws {
            let registry = try DocumentFiles.readOne(PurposeRegistry.self, file)
            try await node.open().store().savePurposes(registry)
            print("purpose registry: \(registry.purposes.count) purposes")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the registered purposes and their limits.")
        @OptionGroup var node: NodeOptions

        func run() async throws {
            let registry = try await node.open().store().purposes()
            printTable(
                ["PURPOSE", "DATA LIFE", "FREQUENCY", "LEGAL BASES", "TEXT"],
                registry.purposes.map { purpose in
                    let limits = purpose.limits
                    return [
                        purpose.code, "\(limits.maxDataLifeDays) days",
                        limits.frequency.map { "\($0.count)/\($0.per.rawValue)" } ?? "-",
                        limits.legalBases.map(\.rawValue).joined(separator: ","), purpose.text,
                    ]
                }
            )
        }
    }
}
