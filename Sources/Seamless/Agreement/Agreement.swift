/// Where an agreement stands.
public enum AgreementState: String, Sendable, Hashable, Codable, CaseIterable {
    /// The requester applied; the provider's approver must answer within the deadline.
    case applied
    /// Approved: data may flow within the validity period.
    case approved
    /// Refused, with a reason.
    case rejected
    /// Withdrawn by the requester before an answer.
    case withdrawn
    /// Ended early by the provider, with a reason.
    case revoked

    /// The states reachable from this one.
    public var next: [AgreementState] {
        switch self {
        case .applied: [.approved, .rejected, .withdrawn]
        case .approved: [.revoked]
        case .rejected, .withdrawn, .revoked: []
        }
    }

    /// Whether moving here needs a reason.
    public var needsReason: Bool { self == .rejected || self == .revoked }
}

/// One transition of an agreement.
public struct AgreementEvent: Sendable, Hashable, Codable {
    /// The state entered.
    public var state: AgreementState
    /// When.
    public var at: Timestamp
    /// Who: the requester's node id, or the approver's role.
    public var by: String
    /// A remark.
    public var note: String?
    /// Why (required for rejected and revoked).
    public var reason: String?

    /// Creates an event.
    public init(state: AgreementState, at: Timestamp, by: String, note: String? = nil, reason: String? = nil) {
        self.state = state
        self.at = at
        self.by = by
        self.note = note
        self.reason = reason
    }
}

/// Periodic fetching under an agreement (a subscription).
public struct Subscription: Sendable, Hashable, Codable {
    /// How often.
    public enum Every: String, Sendable, Hashable, Codable, CaseIterable {
        case hourly, daily, weekly, monthly

        /// The period in seconds (a month as 31 days).
        public var seconds: Int64 {
            switch self {
            case .hourly: 3_600
            case .daily: 86_400
            case .weekly: 7 * 86_400
            case .monthly: 31 * 86_400
            }
        }
    }

    /// How often the requester fetches changes.
    public var every: Every

    /// Creates a subscription.
    public init(every: Every) {
        self.every = every
    }
}

/// An agreement for conditional sharing: who may get which fields of which resource, for which purpose
/// and on which legal basis, for how long — and the history of how it got there.
public struct Agreement: Sendable, Hashable, Codable {
    /// The agreement id.
    public var id: String
    /// The requesting node.
    public var requester: String
    /// The resource.
    public var resource: String
    /// The fields granted.
    public var fields: [String]
    /// The purpose.
    public var purpose: String
    /// The legal basis.
    public var legalBasis: LegalBasis
    /// The statute or rule the basis rests on (required for statutory duty).
    public var basisReference: String?
    /// When data may start to flow.
    public var validFrom: Timestamp
    /// When it must stop.
    public var validUntil: Timestamp
    /// Periodic fetching, if any.
    public var subscription: Subscription?
    /// The current state; equals the last history entry's.
    public var state: AgreementState
    /// Every transition, oldest first.
    public var history: [AgreementEvent]

    /// Creates an agreement.
    public init(
        id: String, requester: String, resource: String, fields: [String], purpose: String,
        legalBasis: LegalBasis, basisReference: String? = nil, validFrom: Timestamp, validUntil: Timestamp,
        subscription: Subscription? = nil, state: AgreementState, history: [AgreementEvent]
    ) {
        self.id = id
        self.requester = requester
        self.resource = resource
        self.fields = fields
        self.purpose = purpose
        self.legalBasis = legalBasis
        self.basisReference = basisReference
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.subscription = subscription
        self.state = state
        self.history = history
    }

    /// When the requester applied.
    public var appliedAt: Timestamp? { history.first { $0.state == .applied }?.at }

    /// The state at `moment`, from the history.
    public func state(at moment: Timestamp) -> AgreementState? {
        history.last { $0.at <= moment }?.state
    }

    /// Whether data may flow under the agreement at `moment`.
    public func isActive(at moment: Timestamp) -> Bool {
        state(at: moment) == .approved && moment >= validFrom && moment < validUntil
    }

    /// The agreement after `event`, or the reason the transition is not allowed.
    public func applying(_ event: AgreementEvent) -> Result<Agreement, DocumentError> {
        guard state.next.contains(event.state) else {
            let allowed = state.next.map(\.rawValue)
            return .failure(
                DocumentError(
                    rule: "agreement.bad-transition",
                    "agreement '\(id)' is \(state.rawValue); it can \(allowed.isEmpty ? "no longer change" : "only become \(allowed.joined(separator: " or "))"), not \(event.state.rawValue)"
                ))
        }
        if event.state.needsReason, (event.reason ?? "").isEmpty {
            return .failure(
                DocumentError(
                    rule: "agreement.reason-required",
                    "a \(event.state.rawValue) agreement needs a reason the requester can read"))
        }
        if let last = history.last, event.at < last.at {
            return .failure(
                DocumentError(
                    rule: "agreement.time-order",
                    "the transition at \(event.at) is before the previous one at \(last.at)"))
        }
        var next = self
        next.state = event.state
        next.history.append(event)
        return .success(next)
    }
}

extension Agreement: ValidatableDocument {
    public static var documentName: String { "agreement" }

    public func validationIssues() -> [ValidationIssue] {
        var issues = IssueCollector()
        issues.require(
            RecordID.isValid(id), "$.id", "agreement.bad-id", "'\(id)' is not a record id like agr-2026-0042")
        issues.require(
            NodeID.isValid(requester), "$.requester", "agreement.bad-requester", "'\(requester)' is not a node id")
        issues.require(
            ResourceID.isValid(resource), "$.resource", "agreement.bad-resource", "'\(resource)' is not a resource id")
        if ResourceID.isValid(resource), NodeID.isValid(requester) {
            issues.require(
                ResourceID.node(of: resource) != requester, "$.requester", "agreement.own-resource",
                "a department needs no agreement for its own resource")
        }
        issues.require(
            !fields.isEmpty, "$.fields", "agreement.fields-required", "an agreement names the fields it grants")
        issues.require(
            Set(fields).count == fields.count, "$.fields", "agreement.duplicate-field", "a field is listed twice")
        for (index, field) in fields.enumerated() {
            issues.require(
                FieldName.isValid(field), "$.fields[\(index)]", "agreement.bad-field", "'\(field)' is not a field name")
        }
        issues.require(
            PurposeCode.isValid(purpose), "$.purpose", "agreement.bad-purpose", "'\(purpose)' is not a purpose code")
        if legalBasis == .statutoryDuty {
            issues.require(
                !(basisReference ?? "").isEmpty, "$.basisReference", "agreement.basis-reference-required",
                "a statutory duty must be named: which law or regulation, which article")
        }
        issues.require(
            validFrom < validUntil, "$.validUntil", "agreement.bad-period",
            "the agreement ends (\(validUntil)) before it starts (\(validFrom))")
        issues.require(
            history.first?.state == .applied, "$.history[0].state", "agreement.history-start",
            "an agreement's history starts with its application")
        for index in history.indices.dropFirst() {
            let previous = history[index - 1]
            let event = history[index]
            issues.require(
                previous.state.next.contains(event.state), "$.history[\(index)].state", "agreement.bad-transition",
                "an agreement cannot go from \(previous.state.rawValue) to \(event.state.rawValue)")
            issues.require(
                previous.at <= event.at, "$.history[\(index)].at", "agreement.time-order",
                "the history is not in time order")
        }
        for (index, event) in history.enumerated() where event.state.needsReason && (event.reason ?? "").isEmpty {
            issues.add(
                "$.history[\(index)].reason", "agreement.reason-required",
                "a \(event.state.rawValue) agreement needs a reason")
        }
        issues.require(
            history.last?.state == state, "$.state", "agreement.state-mismatch",
            "the state is \(state.rawValue) but the history ends in \(history.last?.state.rawValue ?? "nothing")")
        return issues.issues
    }
}

extension Agreement {
    /// The rules an agreement must meet against the provider's catalog: the resource exists and is
    /// shared, the fields exist, and the resource serves the purpose.
    public func issues(against catalog: Catalog) -> [ValidationIssue] {
        guard let entry = catalog.entries[resource] else {
            return [
                ValidationIssue(
                    path: "$.resource", rule: "agreement.unknown-resource",
                    message: "'\(resource)' is not in the provider's catalog")
            ]
        }
        var issues = IssueCollector()
        if case .notShared(let basis) = entry.sharing {
            issues.add("$.resource", "agreement.resource-not-shared", "'\(entry.id)' is not shared: \(basis)")
        }
        for (index, field) in fields.enumerated() {
            guard let item = entry.item(named: field) else {
                issues.add("$.fields[\(index)]", "agreement.unknown-field", "'\(entry.id)' has no field '\(field)'")
                continue
            }
            if case .notShared(let basis) = entry.effectiveSharing(of: item) {
                issues.add(
                    "$.fields[\(index)]", "agreement.field-not-shared",
                    "field '\(field)' of '\(entry.id)' is not shared: \(basis)")
            }
        }
        issues.require(
            entry.purposes.contains { PurposeCode.is(purpose, within: $0) }, "$.purpose",
            "agreement.purpose-not-allowed",
            entry.purposes.isEmpty
                ? "'\(entry.id)' serves no purpose"
                : "'\(entry.id)' serves \(entry.purposes.joined(separator: ", ")), not '\(purpose)'"
        )
        return issues.issues
    }
}
