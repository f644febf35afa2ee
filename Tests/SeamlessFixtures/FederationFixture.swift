import Seamless

/// A small federation for model and policy tests: Public Security provides household records, Human
/// Resources social-insurance records; Civil Affairs asks.
public enum FederationFixture {
    public static let security = "gov.public-security"
    public static let civil = "gov.civil-affairs"
    public static let resources = "gov.human-resources"
    public static let members: Set<String> = [security, civil, resources]

    public static func t(_ text: String) -> Timestamp { Timestamp(rfc3339: text)! }

    public static let household = CatalogEntry(
        id: "gov.public-security/household-registration",
        title: "Household registration records",
        description: "One record per registered household",
        provider: security, format: .database, updateCycle: .daily, grade: .important,
        sharing: .conditional(condition: "Approved agreement naming the statutory duty"),
        openness: .closed,
        purposes: ["marriage-registration", "social-assistance.eligibility"],
        items: [
            DataItem(name: "householdId", type: .string, sensitivity: .internal, primaryKey: true),
            DataItem(name: "district", type: .string, sensitivity: .internal),
            DataItem(name: "members", type: .string, sensitivity: .personal),
            DataItem(
                name: "memberIdNumbers", type: .string, sensitivity: .sensitivePersonal,
                sharing: .notShared(basis: "Resident Identity Card Law Art. 19")),
        ]
    )

    public static let insurance = CatalogEntry(
        id: "gov.human-resources/social-insurance-status",
        title: "Social insurance status",
        description: "Whether a person is insured and in which scheme",
        provider: resources, format: .serviceInterface, updateCycle: .monthly, grade: .general,
        sharing: .unconditional, openness: .closed,
        purposes: ["social-assistance"],
        items: [
            DataItem(name: "insuredId", type: .string, sensitivity: .personal, primaryKey: true),
            DataItem(name: "scheme", type: .string, sensitivity: .internal),
            DataItem(
                name: "monthlyBase", type: .decimal, sensitivity: .personal,
                sharing: .conditional(condition: "Agreement required for income data")),
            DataItem(name: "status", type: .string, sensitivity: .internal),
        ]
    )

    public static let secrets = CatalogEntry(
        id: "gov.public-security/investigation-files",
        title: "Criminal investigation files",
        description: "Case files of ongoing investigations",
        provider: security, format: .electronicFile, updateCycle: .realtime, grade: .core,
        sharing: .notShared(basis: "Criminal Procedure Law Art. 152"), openness: .closed, purposes: [],
        items: [DataItem(name: "caseId", type: .string, sensitivity: .internal, primaryKey: true)]
    )

    public static let purposes = PurposeRegistry(purposes: [
        Purpose(code: "*", text: "Default", limits: PurposeLimits(maxDataLifeDays: 30, legalBases: [.statutoryDuty])),
        Purpose(
            code: "social-assistance", text: "Administering social assistance",
            limits: PurposeLimits(
                maxDataLifeDays: 365, frequency: FrequencyLimit(count: 100, per: .day),
                legalBases: [.statutoryDuty, .consent])
        ),
        Purpose(
            code: "social-assistance.eligibility", text: "Checking eligibility for the minimum living allowance",
            limits: PurposeLimits(
                maxDataLifeDays: 90, frequency: FrequencyLimit(count: 3, per: .day),
                legalBases: [.consent, .statutoryDuty])
        ),
        Purpose(
            code: "marriage-registration", text: "Registering a marriage",
            limits: PurposeLimits(maxDataLifeDays: 30, legalBases: [.statutoryDuty])),
    ])

    public static let agreement = Agreement(
        id: "agr-2026-0042", requester: civil, resource: household.id, fields: ["householdId", "district", "members"],
        purpose: "marriage-registration", legalBasis: .statutoryDuty,
        basisReference: "Marriage Registration Regulations Art. 7",
        validFrom: t("2026-11-01T00:00:00Z"), validUntil: t("2027-11-01T00:00:00Z"), state: .approved,
        history: [
            AgreementEvent(state: .applied, at: t("2026-10-20T02:15:00Z"), by: civil),
            AgreementEvent(
                state: .approved, at: t("2026-10-27T07:30:00Z"), by: "Director, Household Registration Division"),
        ]
    )

    public static let consent = ConsentRecord(
        id: "consent-2026-000117", subject: "subj-7f3a91c2", controller: civil, recipients: [civil],
        purpose: "social-assistance.eligibility",
        scope: [ConsentScope(resource: insurance.id, fields: ["insuredId", "scheme", "status"])],
        start: t("2026-11-01T00:00:00Z"), expiry: t("2027-11-01T00:00:00Z"), dataLifeDays: 60,
        given: ConsentGiven(
            at: t("2026-10-28T09:41:00Z"), channel: .counter,
            evidence: ConsentEvidence(
                type: .signedForm, reference: "CA-2026-10-28-0117", sha256: String(repeating: "ab", count: 32))
        )
    )

    public static func snapshot(
        consentHistory: [ConsentStatusChange]? = nil, agreements: [Agreement] = [agreement], node: String = security
    ) -> PolicySnapshot {
        let history =
            consentHistory ?? [
                ConsentStatusChange(consent: consent.id, state: .active, at: t("2026-10-28T09:41:00Z"), by: civil)
            ]
        return PolicySnapshot(
            node: node, catalog: Catalog(entries: [household, insurance, secrets]), members: members,
            purposes: purposes,
            consents: [ConsentStatus(record: consent, history: history)], agreements: agreements
        )
    }
}
