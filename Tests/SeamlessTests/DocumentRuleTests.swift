import SeamlessFixtures
import Testing

@testable import Seamless

/// Every rule of the responsibility lists, calendar, purpose registry, consents and agreements shows
/// the user an issue with its own code at the right JSON path.
@Suite("Document rules")
struct DocumentRuleTests {
    typealias F = FederationFixture

    static let official = Official(role: "Director", contact: "office@psb.example.gov")

    static func list(_ change: (inout ResponsibilityList) -> Void = { _ in }) -> ResponsibilityList {
        var list = ResponsibilityList(
            department: F.security, name: "Public Security Bureau",
            resources: [
                ResourceResponsibility(
                    resource: F.household.id, provider: official,
                    approver: Approver(role: "Director", contact: "approvals@psb.example.gov"),
                    maintainer: Maintainer(role: "Data office", contact: "data@psb.example.gov", updateCycle: .daily),
                    supervisor: official
                )
            ],
            needs: [ResourceNeed(resource: F.insurance.id, purpose: "social-assistance", reason: "Case checks")],
            negativeList: [NegativeListEntry(resource: F.secrets.id, basis: "Criminal Procedure Law Art. 152")]
        )
        change(&list)
        return list
    }

    static let catalog = Catalog(entries: [F.household, F.secrets])

    static let listCases: [(String, String, ResponsibilityList)] = [
        ("responsibility.bad-department", "$.department", list { $0.department = "PSB" }),
        (
            "responsibility.not-own-resource", "$.resources[0].resource",
            list { $0.resources[0].resource = F.insurance.id }
        ),
        ("responsibility.duplicate-resource", "$.resources[1].resource", list { $0.resources.append($0.resources[0]) }),
        (
            "responsibility.official-incomplete", "$.resources[0].provider",
            list { $0.resources[0].provider.contact = "" }
        ),
        (
            "responsibility.bad-reply-deadline", "$.resources[0].approver.replyWithinWorkingDays",
            list { $0.resources[0].approver?.replyWithinWorkingDays = 90 }
        ),
        ("responsibility.bad-purpose", "$.needs[0].purpose", list { $0.needs[0].purpose = "Case Checks" }),
        ("responsibility.basis-required", "$.negativeList[0].basis", list { $0.negativeList[0].basis = "" }),
    ]

    @Test("responsibility list rules", arguments: listCases.indices)
    func listRule(index: Int) {
        let (rule, path, list) = Self.listCases[index]
        #expect(Self.list().validationIssues().isEmpty)
        #expect(list.validationIssues().contains { $0.rule == rule && $0.path == path }, "\(list.validationIssues())")
    }

    static let crossCases: [(String, ResponsibilityList, Catalog)] = [
        ("responsibility.resource-uncovered", list { $0.resources = [] }, catalog),
        ("responsibility.approver-required", list { $0.resources[0].approver = nil }, catalog),
        ("responsibility.update-cycle-too-slow", list { $0.resources[0].maintainer.updateCycle = .monthly }, catalog),
        ("responsibility.negative-list-incomplete", list { $0.negativeList = [] }, catalog),
        (
            "responsibility.negative-list-shared-resource",
            list { $0.negativeList.append(NegativeListEntry(resource: F.household.id, basis: "x")) }, catalog
        ),
        ("responsibility.unknown-resource", list(), Catalog(entries: [F.secrets])),
    ]

    @Test("responsibility lists are checked against the department's catalog", arguments: crossCases.indices)
    func crossRule(index: Int) {
        let (rule, list, catalog) = Self.crossCases[index]
        #expect(Self.list().issues(against: Self.catalog).isEmpty, "\(Self.list().issues(against: Self.catalog))")
        #expect(list.issues(against: catalog).contains { $0.rule == rule }, "\(list.issues(against: catalog))")
    }

    static func calendar(_ change: (inout WorkingCalendar) -> Void) -> WorkingCalendar {
        var calendar = WorkingCalendar(
            name: "Test", from: CivilDate(iso: "2026-01-01")!, to: CivilDate(iso: "2026-12-31")!,
            holidays: [CalendarDay(date: CivilDate(iso: "2026-10-01")!, name: "National Day")],
            workingDays: [CalendarDay(date: CivilDate(iso: "2026-10-10")!, name: "Adjusted")]
        )
        change(&calendar)
        return calendar
    }

    static let calendarCases: [(String, WorkingCalendar)] = [
        ("calendar.name-required", calendar { $0.name = "" }),
        ("calendar.bad-range", calendar { $0.to = CivilDate(iso: "2025-12-31")! }),
        ("calendar.too-long", calendar { $0.to = CivilDate(iso: "2040-01-01")! }),
        ("calendar.duplicate-weekday", calendar { $0.weekend = [.sunday, .sunday] }),
        (
            "calendar.day-outside-range",
            calendar { $0.holidays.append(CalendarDay(date: CivilDate(iso: "2027-01-01")!, name: "New Year")) }
        ),
        ("calendar.duplicate-day", calendar { $0.holidays.append($0.holidays[0]) }),
        ("calendar.duplicate-day", calendar { $0.workingDays.append($0.workingDays[0]) }),
        (
            "calendar.holiday-and-working-day",
            calendar { $0.workingDays.append(CalendarDay(date: CivilDate(iso: "2026-10-01")!, name: "x")) }
        ),
    ]

    @Test("calendar rules", arguments: calendarCases.indices)
    func calendarRule(index: Int) {
        let (rule, calendar) = Self.calendarCases[index]
        #expect(calendar.validationIssues().contains { $0.rule == rule }, "\(calendar.validationIssues())")
    }

    static func registry(_ change: (inout [Purpose]) -> Void) -> PurposeRegistry {
        var purposes = F.purposes.purposes
        change(&purposes)
        return PurposeRegistry(purposes: purposes)
    }

    static let purposeCases: [(String, PurposeRegistry)] = [
        ("purposes.bad-code", registry { $0[1].code = "Social Assistance" }),
        ("purposes.duplicate-code", registry { $0.append($0[1]) }),
        ("purposes.text-required", registry { $0[1].text = "" }),
        ("purposes.bad-data-life", registry { $0[1].limits.maxDataLifeDays = 0 }),
        ("purposes.legal-bases-required", registry { $0[1].limits.legalBases = [] }),
        ("purposes.duplicate-legal-basis", registry { $0[1].limits.legalBases = [.consent, .consent] }),
        ("purposes.bad-frequency", registry { $0[1].limits.frequency = FrequencyLimit(count: 0, per: .day) }),
    ]

    @Test("purpose registry rules", arguments: purposeCases.indices)
    func purposeRule(index: Int) {
        let (rule, registry) = Self.purposeCases[index]
        #expect(F.purposes.validationIssues().isEmpty)
        #expect(registry.validationIssues().contains { $0.rule == rule }, "\(registry.validationIssues())")
    }

    static func consent(_ change: (inout ConsentRecord) -> Void) -> ConsentRecord {
        var record = F.consent
        change(&record)
        return record
    }

    static let consentCases: [(String, ConsentRecord)] = [
        ("consent.bad-id", consent { $0.id = "c" }),
        ("consent.subject-not-pseudonymous", consent { $0.subject = "Wang Fang" }),
        ("consent.recipients-required", consent { $0.recipients = [] }),
        ("consent.duplicate-recipient", consent { $0.recipients = [F.civil, F.civil] }),
        ("consent.scope-required", consent { $0.scope = [] }),
        ("consent.fields-required", consent { $0.scope[0].fields = [] }),
        ("consent.duplicate-resource", consent { $0.scope.append($0.scope[0]) }),
        ("consent.bad-period", consent { $0.expiry = $0.start }),
        ("consent.given-after-expiry", consent { $0.given.at = $0.expiry.adding(seconds: 1) }),
        ("consent.bad-data-life", consent { $0.dataLifeDays = 0 }),
    ]

    @Test("consent rules", arguments: consentCases.indices)
    func consentRule(index: Int) {
        let (rule, record) = Self.consentCases[index]
        #expect(record.validationIssues().contains { $0.rule == rule }, "\(record.validationIssues())")
    }

    static func agreement(_ change: (inout Agreement) -> Void) -> Agreement {
        var agreement = F.agreement
        change(&agreement)
        return agreement
    }

    static let agreementCases: [(String, Agreement)] = [
        ("agreement.bad-id", agreement { $0.id = "a" }),
        ("agreement.own-resource", agreement { $0.requester = F.security }),
        ("agreement.fields-required", agreement { $0.fields = [] }),
        ("agreement.basis-reference-required", agreement { $0.basisReference = nil }),
        ("agreement.bad-period", agreement { $0.validUntil = $0.validFrom }),
        ("agreement.history-start", agreement { $0.history.removeFirst() }),
        (
            "agreement.bad-transition",
            agreement {
                $0.history.append(AgreementEvent(state: .applied, at: $0.history[1].at, by: F.civil));
                $0.state = .applied
            }
        ),
        ("agreement.time-order", agreement { $0.history[1].at = $0.history[0].at.adding(seconds: -60) }),
        (
            "agreement.reason-required",
            agreement {
                $0.history.append(AgreementEvent(state: .revoked, at: $0.history[1].at, by: "Director"));
                $0.state = .revoked
            }
        ),
        ("agreement.state-mismatch", agreement { $0.state = .rejected }),
    ]

    @Test("agreement rules", arguments: agreementCases.indices)
    func agreementRule(index: Int) {
        let (rule, agreement) = Self.agreementCases[index]
        #expect(agreement.validationIssues().contains { $0.rule == rule }, "\(agreement.validationIssues())")
    }

    @Test("agreements are checked against the provider's catalog")
    func agreementAgainstCatalog() {
        let catalog = Catalog(entries: [F.household, F.secrets])
        #expect(F.agreement.issues(against: catalog).isEmpty)
        #expect(
            Self.agreement { $0.fields.append("salary") }.issues(against: catalog).contains {
                $0.rule == "agreement.unknown-field"
            })
        #expect(
            Self.agreement { $0.purpose = "tax.audit" }.issues(against: catalog).contains {
                $0.rule == "agreement.purpose-not-allowed"
            })
        #expect(
            Self.agreement { $0.resource = F.secrets.id }.issues(against: catalog).contains {
                $0.rule == "agreement.resource-not-shared"
            })
        #expect(
            Self.agreement { $0.resource = "gov.public-security/nothing" }.issues(against: catalog).contains {
                $0.rule == "agreement.unknown-resource"
            })
        #expect(
            Self.agreement { $0.fields.append("memberIdNumbers") }.issues(against: catalog).contains {
                $0.rule == "agreement.field-not-shared"
            })
    }
}
