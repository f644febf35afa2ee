/// A record a consumer received from a provider and keeps for the purpose it asked for, until its data life
/// ends (the consumer's replica). Kept and purged only together with the audit entry that says so.
public struct ReceivedRecord: Sendable, Hashable {
    /// The node that provided it.
    public var provider: String
    /// The resource.
    public var resource: String
    /// The record's key.
    public var key: String
    /// The data subject's pseudonym, if any.
    public var subject: String?
    /// The granted fields only.
    public var fields: [String: JSONValue]
    /// The request it answered (`sha256:<hex>` of the request envelope).
    public var requestHash: String
    /// The purpose it was received for; any use must be within it.
    public var purpose: String
    /// When it must be gone.
    public var expiresAt: Timestamp
    /// The consents the request relied on (empty on another legal basis): withdrawing one purges it.
    public var consentIDs: [String]

    /// Creates a received record.
    public init(
        provider: String, resource: String, key: String, subject: String?, fields: [String: JSONValue],
        requestHash: String, purpose: String, expiresAt: Timestamp, consentIDs: [String] = []
    ) {
        self.provider = provider
        self.resource = resource
        self.key = key
        self.subject = subject
        self.fields = fields
        self.requestHash = requestHash
        self.purpose = purpose
        self.expiresAt = expiresAt
        self.consentIDs = consentIDs
    }

    /// `consentIDs` as stored: `,id1,id2,` (empty: `,`), so one consent is found with `LIKE '%,id,%'`.
    public static func storedConsents(_ ids: [String]) -> String { "," + ids.map { $0 + "," }.joined() }

    /// `consentIDs` read back.
    public static func consents(stored text: String) -> [String] {
        text.split(separator: ",").map(String.init)
    }
}

/// A change of the node's state that must commit in the same transaction as the audit entries that
/// record it: data received is kept only if its receipt is logged, and purged only with its purge entry.
public enum StoreChange: Sendable, Hashable {
    /// Keep received records, each bound to the request it answered (a later request's copy of the same record
    /// is kept beside it: each receipt keeps what it received until its own purge).
    case keepReceived([ReceivedRecord])
    /// Delete the records received for a request.
    case purgeRequest(requestHash: String)
    /// Delete the records received from `provider` about `subject` under consent `consentID` (and only
    /// those: what came on another legal basis stays).
    case purgeConsent(provider: String, subject: String, consentID: String)
    /// Remember that records of these subjects went to `peer` under these consents, so a withdrawal can be
    /// passed on to it.
    case disclosedUnderConsent(peer: String, consentIDs: [String], subjects: [String])
    /// Move a subscription's cursor to the provider's `version` (never back), synced at `at`. With `from`,
    /// only from there: a cursor elsewhere (an earlier page not kept, another sync of the same subscription)
    /// refuses the whole transaction with ``StoreError/Code/refused``, so pages kept one after another
    /// cannot leave a gap.
    case advanceCursor(agreementID: String, version: Int, at: Timestamp, from: Int? = nil)
    /// Remember request nonce `nonce` of `issuer` until `until` (and forget those remembered until before
    /// `at`). A nonce remembered already refuses the whole transaction with ``StoreError/Code/replayed``,
    /// naming this change, so a replayed request leaves nothing behind.
    case rememberNonce(issuer: String, nonce: String, at: Timestamp, until: Timestamp)
}

extension ReceivedRecord {
    /// The subject when the record came under consent (a withdrawal must find it by subject), else nil:
    /// what the stores index.
    public var consentSubject: String? { consentIDs.isEmpty ? nil : subject }
}

extension StoreChange {
    /// `issuer nonce` for a nonce to remember, else nil: two changes with the same key are one replay.
    var nonceKey: String? {
        if case .rememberNonce(let issuer, let nonce, _, _) = self { "\(issuer) \(nonce)" } else { nil }
    }
}

/// A subscription this node follows as a consumer: an approved agreement with a periodic fetch, and how far
/// its changes feed has been read.
public struct SubscriptionState: Sendable, Hashable, Codable {
    /// The agreement.
    public var agreementID: String
    /// The provider.
    public var provider: String
    /// The resource.
    public var resource: String
    /// The agreed fields.
    public var fields: [String]
    /// The agreed purpose.
    public var purpose: String
    /// The agreed legal basis.
    public var legalBasis: LegalBasis
    /// How often to fetch.
    public var every: Subscription.Every
    /// The provider's record version read so far (0: nothing yet).
    public var cursor: Int
    /// When the cursor last moved.
    public var lastSyncAt: Timestamp?

    /// Creates a subscription state.
    public init(
        agreementID: String, provider: String, resource: String, fields: [String], purpose: String,
        legalBasis: LegalBasis, every: Subscription.Every, cursor: Int, lastSyncAt: Timestamp? = nil
    ) {
        self.agreementID = agreementID
        self.provider = provider
        self.resource = resource
        self.fields = fields
        self.purpose = purpose
        self.legalBasis = legalBasis
        self.every = every
        self.cursor = cursor
        self.lastSyncAt = lastSyncAt
    }
}
