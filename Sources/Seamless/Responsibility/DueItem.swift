/// Something a department must do by a deadline: answer an application, or renew an agreement.
public struct DueItem: Sendable, Hashable, Codable {
    /// What kind of duty.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// An application waits for the approver's answer.
        case reply
        /// An approved agreement runs out.
        case renewal
    }

    /// Where the duty stands.
    public enum Standing: String, Sendable, Hashable, Codable {
        case overdue
        case dueSoon = "due-soon"
        case pending
    }

    /// The kind.
    public var kind: Kind
    /// The agreement concerned.
    public var agreementID: String
    /// The resource.
    public var resource: String
    /// The requesting department.
    public var requester: String
    /// Who must act (the approver's role, or the provider official's).
    public var responsible: Official?
    /// The last day to act.
    public var deadline: CivilDate
    /// Working days left until the deadline (negative when overdue).
    public var workingDaysLeft: Int
    /// Where it stands.
    public var standing: Standing
}

/// Computes what falls due: applications waiting for an answer within the approver's working-day
/// deadline (10 by default), and approved agreements running out.
public enum DueItems {
    /// The duties of `department` on `today`, with those due within `within` working days marked due soon.
    public static func compute(
        department: String, lists: [ResponsibilityList], agreements: [Agreement], calendar: WorkingCalendar,
        today: CivilDate, within: Int
    ) throws(WorkingCalendar.OutOfRange) -> [DueItem] {
        let list = lists.first { $0.department == department }
        var items: [DueItem] = []
        for agreement in agreements where ResourceID.node(of: agreement.resource) == department {
            let responsibility = list?.responsibility(for: agreement.resource)
            switch agreement.state {
            case .applied:
                guard let applied = agreement.appliedAt else { continue }
                let replyDays = responsibility?.approver?.replyDays ?? Approver.defaultReplyDays
                let deadline = try calendar.adding(workingDays: replyDays, to: applied.day)
                items.append(
                    try item(
                        .reply, agreement,
                        responsibility?.approver.map { Official(role: $0.role, contact: $0.contact) }, deadline,
                        calendar, today, within))
            case .approved:
                let deadline = agreement.validUntil.adding(seconds: -1).day
                guard deadline >= today, deadline <= calendar.to else { continue }
                let renewal = try item(.renewal, agreement, responsibility?.provider, deadline, calendar, today, within)
                if renewal.standing == .dueSoon { items.append(renewal) }
            case .rejected, .withdrawn, .revoked:
                continue
            }
        }
        return items.sorted { ($0.deadline, $0.agreementID) < ($1.deadline, $1.agreementID) }
    }

    private static func item(
        _ kind: DueItem.Kind, _ agreement: Agreement, _ responsible: Official?, _ deadline: CivilDate,
        _ calendar: WorkingCalendar, _ today: CivilDate, _ within: Int
    ) throws(WorkingCalendar.OutOfRange) -> DueItem {
        let left =
            today <= deadline
            ? try calendar.workingDays(after: today, through: deadline)
            : -(try calendar.workingDays(after: deadline, through: today))
        let standing: DueItem.Standing = today > deadline ? .overdue : (left <= within ? .dueSoon : .pending)
        return DueItem(
            kind: kind, agreementID: agreement.id, resource: agreement.resource, requester: agreement.requester,
            responsible: responsible, deadline: deadline, workingDaysLeft: left, standing: standing
        )
    }
}
