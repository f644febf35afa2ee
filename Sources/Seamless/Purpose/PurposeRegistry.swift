/// How often a requester may ask for one resource for one purpose.
public struct FrequencyLimit: Sendable, Hashable, Codable {
    /// The period a count applies to.
    public enum Period: String, Sendable, Hashable, Codable, CaseIterable {
        case hour, day, month, year

        /// The period's length in seconds (months as 31 days, years as 366: limits are upper bounds).
        public var seconds: Int64 {
            switch self {
            case .hour: 3600
            case .day: 86_400
            case .month: 31 * 86_400
            case .year: 366 * 86_400
            }
        }
    }

    /// The most requests in one period.
    public var count: Int
    /// The period.
    public var per: Period

    /// Creates a limit.
    public init(count: Int, per: Period) {
        self.count = count
        self.per = per
    }
}

/// The limits that bind every use of a purpose.
public struct PurposeLimits: Sendable, Hashable, Codable {
    /// The longest a recipient may keep data received for this purpose.
    public var maxDataLifeDays: Int
    /// The most requests per period, per requester and resource.
    public var frequency: FrequencyLimit?
    /// The legal bases a request for this purpose may rely on.
    public var legalBases: [LegalBasis]

    /// Creates limits.
    public init(maxDataLifeDays: Int, frequency: FrequencyLimit? = nil, legalBases: [LegalBasis]) {
        self.maxDataLifeDays = maxDataLifeDays
        self.frequency = frequency
        self.legalBases = legalBases
    }
}

/// A registered purpose: a code, the text shown to people verbatim, and its limits.
public struct Purpose: Sendable, Hashable, Codable {
    /// The code, or `*` for the defaults.
    public var code: String
    /// What the purpose is, in words a citizen understands.
    public var text: String
    /// The limits.
    public var limits: PurposeLimits

    /// Creates a purpose.
    public init(code: String, text: String, limits: PurposeLimits) {
        self.code = code
        self.text = text
        self.limits = limits
    }
}

/// The registry of purposes, matched most specific first: the exact code, then each shorter dot-prefix
/// (`social-assistance.eligibility.urban` → `social-assistance.eligibility` → `social-assistance`), then `*`.
public struct PurposeRegistry: Sendable, Hashable, Codable, ValidatableDocument {
    public static var documentName: String { "purpose registry" }

    /// The registered purposes.
    public let purposes: [Purpose]
    /// The purposes by code, built once so matching costs a few dictionary lookups.
    private let byCode: [String: Purpose]

    private enum CodingKeys: String, CodingKey {
        case purposes
    }

    /// Creates a registry; the first of two purposes with the same code wins (validation reports the second).
    public init(purposes: [Purpose]) {
        self.purposes = purposes
        self.byCode = Dictionary(purposes.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(purposes: try container.decode([Purpose].self, forKey: .purposes))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(purposes, forKey: .purposes)
    }

    /// The most specific registered purpose that governs `code`, or `nil` if none does and there is no `*`.
    public func match(_ code: String) -> Purpose? {
        if let exact = byCode[code] { return exact }
        var candidate = Substring(code)
        while let dot = candidate.lastIndex(of: ".") {
            candidate = candidate[..<dot]
            if let purpose = byCode[String(candidate)] { return purpose }
        }
        return byCode[PurposeCode.wildcard]
    }

    public func validationIssues() -> [ValidationIssue] {
        var issues = IssueCollector()
        var seen = Set<String>()
        for (position, purpose) in purposes.enumerated() {
            let path = "$.purposes[\(position)]"
            issues.require(
                purpose.code == PurposeCode.wildcard || PurposeCode.isValid(purpose.code), path + ".code",
                "purposes.bad-code", "'\(purpose.code)' is not a purpose code like social-assistance.eligibility, nor *"
            )
            issues.require(
                seen.insert(purpose.code).inserted, path + ".code", "purposes.duplicate-code",
                "purpose '\(purpose.code)' is registered twice")
            issues.require(
                !purpose.text.isEmpty, path + ".text", "purposes.text-required",
                "a purpose needs a text people can read")
            issues.require(
                purpose.limits.maxDataLifeDays >= 1, path + ".limits.maxDataLifeDays", "purposes.bad-data-life",
                "the data life must be at least one day")
            issues.require(
                !purpose.limits.legalBases.isEmpty, path + ".limits.legalBases", "purposes.legal-bases-required",
                "name at least one legal basis the purpose may rely on")
            issues.require(
                Set(purpose.limits.legalBases).count == purpose.limits.legalBases.count, path + ".limits.legalBases",
                "purposes.duplicate-legal-basis", "a legal basis is listed twice")
            if let frequency = purpose.limits.frequency {
                issues.require(
                    frequency.count >= 1, path + ".limits.frequency.count", "purposes.bad-frequency",
                    "a frequency limit allows at least one request")
            }
        }
        return issues.issues
    }
}
