/// The inputs a decision relied on, so that it can be made again from them alone.
public struct DecisionBasis: Sendable, Hashable, Codable {
    /// The catalog revision.
    public var catalogRevision: String
    /// The purpose code asked for.
    public var purpose: String
    /// The registry purpose that governed it (the most specific match), if any.
    public var matchedPurpose: String?
    /// The legal basis relied on.
    public var legalBasis: LegalBasis?
    /// The consents relied on.
    public var consentIDs: [String]
    /// The agreement relied on, for conditional resources.
    public var agreementID: String?

    /// Creates a basis.
    public init(
        catalogRevision: String, purpose: String, matchedPurpose: String? = nil, legalBasis: LegalBasis? = nil,
        consentIDs: [String] = [], agreementID: String? = nil
    ) {
        self.catalogRevision = catalogRevision
        self.purpose = purpose
        self.matchedPurpose = matchedPurpose
        self.legalBasis = legalBasis
        self.consentIDs = consentIDs
        self.agreementID = agreementID
    }
}

/// A grant: which fields may be disclosed and how long the recipient may keep them.
public struct Grant: Sendable, Hashable, Codable {
    /// The fields to disclose: the requested fields that may be shared, in request order.
    public var fields: [String]
    /// The requested fields withheld by minimisation.
    public var withheld: [String]
    /// The longest the recipient may keep the data.
    public var dataLifeDays: Int

    /// Creates a grant.
    public init(fields: [String], withheld: [String], dataLifeDays: Int) {
        self.fields = fields
        self.withheld = withheld
        self.dataLifeDays = dataLifeDays
    }
}

/// The outcome of deciding one request. As JSON: `{"basis":…,"granted":{…}}` or `{"basis":…,"denied":{"code":…,"reason":…}}`.
public struct PolicyDecision: Sendable, Hashable, Codable {
    /// Granted or denied.
    public enum Outcome: Sendable, Hashable {
        case granted(Grant)
        case denied(PolicyDenial)
    }

    /// The outcome.
    public var outcome: Outcome
    /// What it relied on.
    public var basis: DecisionBasis

    /// Creates a decision.
    public init(outcome: Outcome, basis: DecisionBasis) {
        self.outcome = outcome
        self.basis = basis
    }

    private enum CodingKeys: String, CodingKey {
        case basis, granted, denied
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        basis = try container.decode(DecisionBasis.self, forKey: .basis)
        if let grant = try container.decodeIfPresent(Grant.self, forKey: .granted) {
            guard !container.contains(.denied) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .denied, in: container, debugDescription: "a decision is granted or denied, not both")
            }
            outcome = .granted(grant)
        } else {
            outcome = .denied(try container.decode(PolicyDenial.self, forKey: .denied))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(basis, forKey: .basis)
        switch outcome {
        case .granted(let grant): try container.encode(grant, forKey: .granted)
        case .denied(let denial): try container.encode(denial, forKey: .denied)
        }
    }

    /// The grant, if the request was granted.
    public var grant: Grant? {
        if case .granted(let grant) = outcome { return grant }
        return nil
    }

    /// The denial, if the request was denied.
    public var denial: PolicyDenial? {
        if case .denied(let denial) = outcome { return denial }
        return nil
    }
}
