/// An answer that names the request it answers.
protocol RequestBound {
    var requestHash: String? { get }
}

/// A consumer's application for a conditional resource: the payload posted to `/v1/agreements/apply`.
/// The requester is the envelope's `iss`; the provider records it as `applied`.
public struct AgreementApplication: Sendable, Hashable, Codable {
    /// The agreement id the applicant chooses (unique at the provider).
    public var id: String
    /// The resource.
    public var resource: String
    /// The fields wanted.
    public var fields: [String]
    /// The purpose.
    public var purpose: String
    /// The legal basis.
    public var legalBasis: LegalBasis
    /// The statute or rule the basis rests on.
    public var basisReference: String?
    /// Start of validity (default: when applied).
    public var validFrom: Timestamp?
    /// End of validity.
    public var validUntil: Timestamp
    /// Periodic fetch, for subscriptions.
    public var subscription: Subscription?

    /// Creates an application.
    public init(
        id: String, resource: String, fields: [String], purpose: String, legalBasis: LegalBasis,
        basisReference: String? = nil, validFrom: Timestamp? = nil, validUntil: Timestamp,
        subscription: Subscription? = nil
    ) {
        self.id = id
        self.resource = resource
        self.fields = fields
        self.purpose = purpose
        self.legalBasis = legalBasis
        self.basisReference = basisReference
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.subscription = subscription
    }

    /// The agreement this application becomes at the provider.
    public func agreement(requester: String, at moment: Timestamp) -> Agreement {
        Agreement(
            id: id, requester: requester, resource: resource, fields: fields, purpose: purpose,
            legalBasis: legalBasis, basisReference: basisReference, validFrom: validFrom ?? moment,
            validUntil: validUntil, subscription: subscription, state: .applied,
            history: [AgreementEvent(state: .applied, at: moment, by: requester)])
    }
}

/// Which application an applicant asks about: the payload posted to `/v1/agreements/status`.
public struct AgreementStatusQuery: Sendable, Hashable, Codable {
    /// The agreement id.
    public var id: String

    /// Creates a query.
    public init(id: String) { self.id = id }
}

/// The provider's answer about an application: the agreement as it stands, and the approver's deadline
/// while it waits.
public struct AgreementReply: Sendable, Hashable, Codable, RequestBound {
    /// `sha256:<hex>` of the request envelope.
    public var requestHash: String?
    /// The agreement with its history.
    public var agreement: Agreement
    /// The last working day the approver may answer (while the state is `applied`).
    public var deadline: CivilDate?

    /// Creates a reply.
    public init(requestHash: String?, agreement: Agreement, deadline: CivilDate?) {
        self.requestHash = requestHash
        self.agreement = agreement
        self.deadline = deadline
    }
}

/// A provider's notice that a subject withdrew a consent the receiver got data under: the payload posted
/// to `/v1/consents/withdrawn`. The receiver purges what it holds from that provider about the subject.
public struct ConsentWithdrawalNotice: Sendable, Hashable, Codable {
    /// The consent.
    public var consentID: String
    /// The subject's pseudonym.
    public var subject: String
    /// When the withdrawal took effect.
    public var withdrawnAt: Timestamp

    /// Creates a notice.
    public init(consentID: String, subject: String, withdrawnAt: Timestamp) {
        self.consentID = consentID
        self.subject = subject
        self.withdrawnAt = withdrawnAt
    }
}

/// The receiver's answer to a withdrawal notice: how many received requests' records it purged.
public struct PurgeReceipt: Sendable, Hashable, Codable, RequestBound {
    /// `sha256:<hex>` of the notice envelope.
    public var requestHash: String?
    /// Received requests whose records were purged.
    public var purgedRequests: Int
}
