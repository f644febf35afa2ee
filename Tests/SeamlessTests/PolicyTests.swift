import Foundation
import SeamlessFixtures
import Testing

@testable import Seamless

@Suite("Policy decisions")
struct PolicyTests {
    typealias F = FederationFixture
    static let now = F.t("2026-12-01T10:00:00Z")

    static func marriageRequest(_ change: (inout AccessRequest) -> Void = { _ in }) -> AccessRequest {
        var request = AccessRequest(
            requester: F.civil, resource: F.household.id, fields: ["householdId", "district"],
            purpose: "marriage-registration", legalBasis: .statutoryDuty, at: now
        )
        change(&request)
        return request
    }

    static func consentRequest(_ change: (inout AccessRequest) -> Void = { _ in }) -> AccessRequest {
        var request = AccessRequest(
            requester: F.civil, resource: F.insurance.id, fields: ["insuredId", "status"],
            purpose: "social-assistance.eligibility", legalBasis: .consent, consentIDs: [F.consent.id],
            subjects: [F.consent.subject], at: now
        )
        change(&request)
        return request
    }

    @Test("a conditional resource is granted under its agreement, naming everything it relied on")
    func grantUnderAgreement() throws {
        let snapshot = F.snapshot()
        let decision = snapshot.decide(Self.marriageRequest())
        let grant = try #require(decision.grant, "\(String(describing: decision.denial))")
        #expect(grant.fields == ["householdId", "district"])
        #expect(grant.dataLifeDays == 30)
        #expect(decision.basis.agreementID == F.agreement.id)
        #expect(decision.basis.catalogRevision == snapshot.catalog.revision)
        #expect(decision.basis.matchedPurpose == "marriage-registration")
    }

    @Test("fields outside the grant are minimised away, or refused when strict")
    func minimisation() throws {
        let snapshot = F.snapshot()
        let loose = snapshot.decide(Self.marriageRequest { $0.fields = ["householdId", "memberIdNumbers", "members"] })
        #expect(loose.grant?.fields == ["householdId", "members"])
        #expect(loose.grant?.withheld == ["memberIdNumbers"])
        let strict = snapshot.decide(
            Self.marriageRequest {
                $0.fields = ["householdId", "memberIdNumbers"]; $0.strict = true
            })
        #expect(strict.denial?.code == .fieldsNotShareable)
    }

    @Test("a consent-based request is granted within the consent's fields and data life")
    func grantUnderConsent() throws {
        let decision = F.snapshot().decide(
            Self.consentRequest { $0.fields = ["insuredId", "status", "monthlyBase", "scheme"] })
        let grant = try #require(decision.grant, "\(String(describing: decision.denial))")
        #expect(grant.fields == ["insuredId", "status", "scheme"])
        #expect(grant.withheld == ["monthlyBase"])
        #expect(grant.dataLifeDays == 60)
        #expect(decision.basis.consentIDs == [F.consent.id])
    }

    static let denials: [(String, PolicyDenial.Code, PolicySnapshot, AccessRequest)] = {
        let withdrawnAt = F.t("2026-11-20T00:00:00Z")
        let withdrawn = F.snapshot(consentHistory: [
            ConsentStatusChange(consent: F.consent.id, state: .active, at: F.t("2026-10-28T09:41:00Z"), by: F.civil),
            ConsentStatusChange(consent: F.consent.id, state: .withdrawn, at: withdrawnAt, by: "subject"),
        ])
        let paused = F.snapshot(consentHistory: [
            ConsentStatusChange(consent: F.consent.id, state: .active, at: F.t("2026-10-28T09:41:00Z"), by: F.civil),
            ConsentStatusChange(consent: F.consent.id, state: .paused, at: withdrawnAt, by: "subject"),
        ])
        let snapshot = F.snapshot()
        return [
            ("an outsider", .requesterUnknown, snapshot, marriageRequest { $0.requester = "gov.unknown" }),
            (
                "a resource not in the catalog", .resourceNotFound, snapshot,
                marriageRequest { $0.resource = "gov.public-security/nothing" }
            ),
            (
                "a resource labelled none", .resourceNotShared, snapshot,
                marriageRequest {
                    $0.resource = F.secrets.id; $0.fields = ["caseId"]
                }
            ),
            (
                "a conditional resource without an agreement", .agreementRequired, F.snapshot(agreements: []),
                marriageRequest()
            ),
            (
                "an agreement for another purpose", .agreementRequired, snapshot,
                marriageRequest { $0.purpose = "social-assistance.eligibility" }
            ),
            (
                "before the agreement starts", .agreementRequired, snapshot,
                marriageRequest { $0.at = F.t("2026-10-30T00:00:00Z") }
            ),
            (
                "a purpose the resource does not serve", .purposeNotAllowed, snapshot,
                consentRequest { $0.purpose = "marriage-registration" }
            ),
            (
                "a purpose nobody registered", .purposeUnknown,
                PolicySnapshot(
                    node: F.security, catalog: Catalog(entries: [F.insurance]), members: F.members,
                    purposes: PurposeRegistry(purposes: [])), consentRequest()
            ),
            (
                "keeping data longer than the purpose allows", .dataLifeExceeded, snapshot,
                consentRequest { $0.dataLifeDays = 400 }
            ),
            ("no legal basis", .legalBasisMissing, snapshot, marriageRequest { $0.legalBasis = nil }),
            (
                "a basis the purpose does not allow", .legalBasisNotAllowed, snapshot,
                marriageRequest { $0.legalBasis = .consent }
            ),
            ("consent basis without consents", .consentMissing, snapshot, consentRequest { $0.consentIDs = [] }),
            (
                "a subject no consent covers", .consentMissing, snapshot,
                consentRequest { $0.subjects.append("subj-00000000") }
            ),
            ("an unknown consent id", .consentNotFound, snapshot, consentRequest { $0.consentIDs = ["consent-nope"] }),
            ("after withdrawal", .consentWithdrawn, withdrawn, consentRequest()),
            ("while paused", .consentPaused, paused, consentRequest()),
            ("after expiry", .consentExpired, snapshot, consentRequest { $0.at = F.t("2027-12-01T00:00:00Z") }),
            (
                "before the consent starts", .consentNotYetValid, snapshot,
                consentRequest { $0.at = F.t("2026-10-30T00:00:00Z") }
            ),
            (
                "a consent for another recipient", .consentMismatch, snapshot,
                consentRequest { $0.requester = F.security }
            ),
            (
                "a field that does not exist", .unknownField, snapshot,
                marriageRequest { $0.fields = ["householdId", "income"] }
            ),
            (
                "only fields that may not be shared", .fieldsNotShareable, snapshot,
                marriageRequest { $0.fields = ["memberIdNumbers"] }
            ),
            ("no fields at all", .fieldsNotShareable, snapshot, marriageRequest { $0.fields = [] }),
        ]
    }()

    @Test("each check denies with its own code and a sentence", arguments: denials.indices)
    func denial(index: Int) {
        let (name, code, snapshot, request) = Self.denials[index]
        let decision = snapshot.decide(request)
        #expect(decision.denial?.code == code, "\(name): \(String(describing: decision.outcome))")
        #expect((decision.denial?.reason.count ?? 0) > 15)
    }

    @Test("withdrawal is not retroactive: a request decided before it is granted")
    func beforeWithdrawal() {
        let snapshot = F.snapshot(consentHistory: [
            ConsentStatusChange(consent: F.consent.id, state: .active, at: F.t("2026-10-28T09:41:00Z"), by: F.civil),
            ConsentStatusChange(
                consent: F.consent.id, state: .withdrawn, at: F.t("2026-12-05T00:00:00Z"), by: "subject"),
        ])
        #expect(snapshot.decide(Self.consentRequest()).grant != nil)
        #expect(
            snapshot.decide(Self.consentRequest { $0.at = F.t("2026-12-05T00:00:01Z") }).denial?.code
                == .consentWithdrawn)
    }

    @Test("the frequency limit of the most specific purpose applies")
    func frequency() {
        let snapshot = F.snapshot()
        #expect(snapshot.decide(Self.consentRequest(), recentRequests: 2).grant != nil)
        #expect(snapshot.decide(Self.consentRequest(), recentRequests: 3).denial?.code == .frequencyExceeded)
    }

    @Test("an unconditional resource's conditional field needs an agreement")
    func conditionalField() {
        let decision = F.snapshot().decide(
            Self.consentRequest {
                $0.legalBasis = .statutoryDuty; $0.fields = ["insuredId", "monthlyBase"]
            })
        #expect(decision.grant?.fields == ["insuredId"])
        #expect(decision.grant?.withheld == ["monthlyBase"])
    }

    @Test("a recorded decision is made again identically from the same inputs")
    func replayable() throws {
        let request = Self.consentRequest()
        let first = F.snapshot().decide(request)
        let encoded = try CanonicalJSON.encode(first)
        let decoded = try JSONDecoder().decode(PolicyDecision.self, from: Data(encoded))
        #expect(decoded == F.snapshot().decide(request))
    }

    @Test("an agreement serves only requests on its own legal basis, and narrower purposes under its purpose")
    func agreementBasisAndPurpose() {
        var consentBased = F.agreement
        consentBased.legalBasis = .consent
        let snapshot = F.snapshot(agreements: [consentBased])
        let decision = snapshot.decide(Self.marriageRequest())
        #expect(
            decision.denial?.code == .legalBasisNotAllowed,
            "a consent-basis agreement never serves a statutory-duty request")
        #expect(decision.denial?.reason.contains("approved on the consent basis") == true)
        let narrower = F.snapshot().decide(
            Self.marriageRequest { $0.purpose = "marriage-registration.verify-household" })
        #expect(narrower.grant != nil, "\(String(describing: narrower.denial))")
        #expect(narrower.basis.agreementID == F.agreement.id)
    }

    @Test("an agreement on another basis is not used for an unconditional resource: only what it opened is withheld")
    func unconditionalWithForeignAgreement() {
        let insuranceAgreement = Agreement(
            id: "agr-insurance", requester: F.civil, resource: F.insurance.id, fields: ["insuredId", "monthlyBase"],
            purpose: "social-assistance", legalBasis: .consent, validFrom: F.t("2026-11-01T00:00:00Z"),
            validUntil: F.t("2027-11-01T00:00:00Z"), state: .approved,
            history: [
                AgreementEvent(state: .applied, at: F.t("2026-10-20T00:00:00Z"), by: F.civil),
                AgreementEvent(state: .approved, at: F.t("2026-10-21T00:00:00Z"), by: "Director"),
            ])
        let decision = F.snapshot(agreements: [insuranceAgreement]).decide(
            Self.consentRequest {
                $0.legalBasis = .statutoryDuty; $0.purpose = "social-assistance";
                $0.fields = ["insuredId", "monthlyBase"]
            })
        #expect(decision.grant?.fields == ["insuredId"], "\(String(describing: decision.denial))")
        #expect(decision.grant?.withheld == ["monthlyBase"])
        #expect(decision.basis.agreementID == nil)
    }

    @Test("keeping data longer than the consent allows is refused, as for the purpose")
    func consentDataLife() {
        #expect(F.snapshot().decide(Self.consentRequest { $0.dataLifeDays = 61 }).denial?.code == .dataLifeExceeded)
        #expect(F.snapshot().decide(Self.consentRequest { $0.dataLifeDays = 60 }).grant?.dataLifeDays == 60)
    }

    @Test("every denial code is distinct")
    func codes() {
        let names = PolicyDenial.Code.allCodes.map(\.description)
        #expect(Set(names).count == names.count)
        #expect(PolicyDenial.Code(name: "consent-withdrawn") == .consentWithdrawn)
    }
}
