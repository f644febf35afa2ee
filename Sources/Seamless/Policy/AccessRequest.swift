/// What a requester asks a provider for, as the policy decision sees it.
public struct AccessRequest: Sendable, Hashable, Codable {
    /// The requesting node (its envelope signature already verified).
    public var requester: String
    /// The resource id.
    public var resource: String
    /// The fields asked for.
    public var fields: [String]
    /// The purpose code.
    public var purpose: String
    /// The legal basis relied on.
    public var legalBasis: LegalBasis?
    /// The consents relied on when the basis is consent.
    public var consentIDs: [String]
    /// The subjects whose records are asked for (pseudonymous ids); consent must cover each.
    public var subjects: [String]
    /// How long the requester will keep the data, if it says.
    public var dataLifeDays: Int?
    /// Refuse instead of minimising when some fields may not be shared.
    public var strict: Bool
    /// When the request is decided.
    public var at: Timestamp

    /// Creates a request.
    public init(
        requester: String, resource: String, fields: [String], purpose: String, legalBasis: LegalBasis?,
        consentIDs: [String] = [], subjects: [String] = [], dataLifeDays: Int? = nil, strict: Bool = false,
        at: Timestamp
    ) {
        self.requester = requester
        self.resource = resource
        self.fields = fields
        self.purpose = purpose
        self.legalBasis = legalBasis
        self.consentIDs = consentIDs
        self.subjects = subjects
        self.dataLifeDays = dataLifeDays
        self.strict = strict
        self.at = at
    }
}
