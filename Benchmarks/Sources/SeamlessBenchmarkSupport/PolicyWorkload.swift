import Seamless

/// A synthetic federation snapshot and a mix of requests for measuring policy decisions: three
/// departments with 100 resources each, 10,000 consents, 600 agreements, and requests that take every
/// main path (unconditional grant, grant under an agreement, grant under consent, minimisation, denial).
public struct PolicyWorkload: Sendable {
    public let snapshot: PolicySnapshot
    public let requests: [AccessRequest]

    public init(consents consentCount: Int = 10_000) {
        let departments = ["gov.public-security", "gov.civil-affairs", "gov.human-resources"]
        let provider = departments[0]
        let t0 = Timestamp(rfc3339: "2026-01-01T00:00:00Z")!
        let at = Timestamp(rfc3339: "2026-06-01T00:00:00Z")!
        let purposes = PurposeRegistry(purposes: [
            Purpose(code: "*", text: "Default", limits: PurposeLimits(maxDataLifeDays: 30, legalBases: [.statutoryDuty])),
            Purpose(code: "social-assistance", text: "Social assistance", limits: PurposeLimits(maxDataLifeDays: 365, frequency: FrequencyLimit(count: 1_000_000, per: .day), legalBases: [.statutoryDuty, .consent])),
            Purpose(code: "social-assistance.eligibility", text: "Eligibility", limits: PurposeLimits(maxDataLifeDays: 90, legalBases: [.consent, .statutoryDuty])),
            Purpose(code: "marriage-registration", text: "Marriage registration", limits: PurposeLimits(maxDataLifeDays: 30, legalBases: [.statutoryDuty])),
        ] + (0..<26).map { Purpose(code: "purpose-\($0)", text: "Purpose \($0)", limits: PurposeLimits(maxDataLifeDays: 30, legalBases: [.statutoryDuty])) })
        var entries: [CatalogEntry] = []
        for index in 0..<100 {
            let sharing: SharingLabel = index % 3 == 0 ? .unconditional : (index % 3 == 1 ? .conditional(condition: "Agreement") : .notShared(basis: "Statute"))
            entries.append(CatalogEntry(
                id: "\(provider)/resource-\(index)", title: "Resource \(index)", description: "Synthetic", provider: provider,
                format: .database, updateCycle: .daily, grade: .important, sharing: sharing, openness: .closed,
                purposes: ["social-assistance", "marriage-registration", "purpose-\(index % 26)"],
                items: (0..<8).map { field in
                    DataItem(
                        name: "field\(field)", type: .string, sensitivity: field < 4 ? .internal : .personal, primaryKey: field == 0,
                        sharing: field == 7 ? .notShared(basis: "Statute") : nil
                    )
                }
            ))
        }
        let agreements = (0..<600).map { index in
            Agreement(
                id: "agr-\(index)", requester: departments[1 + index % 2], resource: "\(provider)/resource-\((index * 3 + 1) % 100)",
                fields: ["field0", "field1", "field2", "field4"], purpose: "marriage-registration", legalBasis: .statutoryDuty,
                basisReference: "Regulation", validFrom: t0, validUntil: t0.adding(seconds: 365 * 86_400), state: .approved,
                history: [AgreementEvent(state: .applied, at: t0, by: departments[1]), AgreementEvent(state: .approved, at: t0, by: "Director")]
            )
        }
        let consents = (0..<consentCount).map { index in
            ConsentStatus(
                record: ConsentRecord(
                    id: "consent-\(index)", subject: "subj-\(index)", controller: departments[1], recipients: [departments[1]],
                    purpose: "social-assistance.eligibility",
                    scope: [ConsentScope(resource: "\(provider)/resource-\((index * 3) % 99)", fields: ["field0", "field1", "field4", "field5"])],
                    start: t0, expiry: t0.adding(seconds: 365 * 86_400), dataLifeDays: 60,
                    given: ConsentGiven(at: t0, channel: .online, evidence: ConsentEvidence(type: .eSignature, reference: "ref-\(index)", sha256: String(repeating: "0", count: 64)))
                ),
                history: [ConsentStatusChange(consent: "consent-\(index)", state: .active, at: t0, by: departments[1])]
                    + (index % 10 == 0 ? [ConsentStatusChange(consent: "consent-\(index)", state: .withdrawn, at: t0.adding(seconds: 86_400), by: "subject")] : [])
            )
        }
        snapshot = PolicySnapshot(node: provider, catalog: Catalog(entries: entries), members: Set(departments), purposes: purposes, consents: consents, agreements: agreements)
        var requests: [AccessRequest] = []
        for index in 0..<1024 {
            let consent = (index * 7) % consentCount
            switch index % 5 {
            case 0:  // unconditional, statutory duty, minimised (field7 is none)
                requests.append(AccessRequest(requester: departments[1], resource: "\(provider)/resource-\((index * 3) % 99)", fields: ["field0", "field2", "field7"], purpose: "social-assistance", legalBasis: .statutoryDuty, at: at))
            case 1:  // conditional under an agreement
                requests.append(AccessRequest(requester: departments[1 + (index / 5) % 2], resource: "\(provider)/resource-\(((index / 5) * 3 + 1) % 100)", fields: ["field0", "field1"], purpose: "marriage-registration", legalBasis: .statutoryDuty, at: at))
            case 2:  // consent-based (a tenth of consents are withdrawn: denied)
                requests.append(AccessRequest(requester: departments[1], resource: "\(provider)/resource-\((consent * 3) % 99)", fields: ["field0", "field4"], purpose: "social-assistance.eligibility", legalBasis: .consent, consentIDs: ["consent-\(consent)"], subjects: ["subj-\(consent)"], at: at))
            case 3:  // not shared
                requests.append(AccessRequest(requester: departments[2], resource: "\(provider)/resource-\((index * 3 + 2) % 99)", fields: ["field0"], purpose: "social-assistance", legalBasis: .statutoryDuty, at: at))
            default:  // purpose not allowed
                requests.append(AccessRequest(requester: departments[2], resource: "\(provider)/resource-\((index * 3) % 99)", fields: ["field0"], purpose: "tax.audit", legalBasis: .statutoryDuty, at: at))
            }
        }
        self.requests = requests
    }

    /// Decides every request once; returns how many were granted (so the work cannot be optimised away).
    public func decideAll() -> Int {
        var granted = 0
        for request in requests where snapshot.decide(request).grant != nil {
            granted += 1
        }
        return granted
    }
}
