import Seamless

/// The reply deadlines of the applications for this node's resources, as `status` shows them and `serve`
/// warns about and exports: the due items, or why they cannot be worked out (no calendar, a list or an
/// agreement the calendar does not cover).
enum ReplyDeadlines {
    static func read(
        store: any Store, node: String, within days: Int
    ) async throws -> Result<[DueItem], DeadlinesUnknown> {
        guard let calendar = try await store.calendar() else {
            return .failure(DeadlinesUnknown(reason: "the node has no calendar (exchange-node calendar import)"))
        }
        let lists = try await store.responsibilityLists()
        let agreements = try await store.agreements()
        do {
            return .success(
                try DueItems.compute(
                    department: node, lists: lists, agreements: agreements, calendar: calendar,
                    today: Timestamp.now.day, within: days))
        } catch {
            return .failure(DeadlinesUnknown(reason: "\(error)"))
        }
    }

    /// Why deadlines cannot be worked out.
    struct DeadlinesUnknown: Error {
        let reason: String
    }
}
