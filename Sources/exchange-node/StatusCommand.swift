import ArgumentParser
import Foundation
import Seamless
import SeamlessCLI

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "What the node holds and owes: log, records, received data, subscriptions, applications due.",
        discussion: """
            Lists the applications for this node's resources that wait for an answer, with their working-day
            deadlines: those due within --within working days are marked due soon. Exit 1 when one is overdue.

            Example:
              exchange-node status --node nodes/public-security
            """
    )

    @OptionGroup var node: NodeOptions
    @Option(help: "Working days ahead that count as due soon.") var within: Int = 3
    @Option(help: "text or json.") var format: OutputFormat = .text

    struct Report: Encodable {
        var node: String
        var federation: String?
        var listen: String?
        var auditEntries: Int
        var lastCheckpoint: Int?
        var records: [String: Int]
        var subscriptions: [SubscriptionState]
        var due: [DueItem]
        var deadlinesUnknown: String?
    }

    func run() async throws {
        let directory = try node.open()
        let store = try await directory.store()
        let id = directory.configuration.id
        var report = Report(
            node: id, federation: nil, listen: directory.configuration.listen,
            auditEntries: try await store.auditSize(),
            lastCheckpoint: try await store.auditCheckpoint(size: nil)?.size, records: [:],
            subscriptions: try await store.subscriptions(), due: [])
        if directory.configuration.federation != nil {
            let federation = try directory.federation()
            report.federation = "\(federation.federation) v\(federation.version), \(federation.members.count) members"
        }
        for entry in try await store.currentCatalog().sortedEntries {
            report.records[entry.id] = try await store.recordCount(resource: entry.id)
        }
        switch try await ReplyDeadlines.read(store: store, node: id, within: within) {
        case .success(let items): report.due = items
        case .failure(let unknown): report.deadlinesUnknown = unknown.reason
        }
        if format == .json {
            try printJSON(report)
        } else {
            print("\(id)\(report.listen.map { " — listens on \($0)" } ?? "")")
            print("  federation     \(report.federation ?? "none installed")")
            print(
                "  audit log      \(report.auditEntries) entries, last checkpoint at \(report.lastCheckpoint.map(String.init) ?? "none")"
            )
            for (resource, count) in report.records.sorted(by: { $0.key < $1.key }) {
                print("  records        \(resource): \(count)")
            }
            for subscription in report.subscriptions {
                print(
                    "  subscription   \(subscription.agreementID): \(subscription.resource) \(subscription.every.rawValue), at version \(subscription.cursor)\(subscription.lastSyncAt.map { ", synced \($0)" } ?? ", never synced")"
                )
            }
            if let unknown = report.deadlinesUnknown {
                print("  deadlines      unknown: \(unknown)")
            } else if report.due.isEmpty {
                print("  applications   nothing waits for an answer")
            }
            for item in report.due {
                let left =
                    item.workingDaysLeft >= 0
                    ? "\(item.workingDaysLeft) working days left" : "\(-item.workingDaysLeft) working days late"
                print(
                    "  \(item.standing.rawValue.uppercased().padding(toLength: 13, withPad: " ", startingAt: 0)) \(item.kind.rawValue) \(item.agreementID) from \(item.requester) for \(item.resource): by \(item.deadline) (\(left))\(item.responsible.map { ", \($0.role)" } ?? "")"
                )
            }
        }
        if report.due.contains(where: { $0.standing == .overdue }) { throw ExitCode(1) }
    }
}
