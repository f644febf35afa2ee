import Foundation
import SeamlessFixtures
import Testing

@testable import Seamless

@Suite("Consent and agreements")
struct ConsentAgreementTests {
    typealias F = FederationFixture

    func consentJSON(_ change: (inout [String: JSONValue]) -> Void) throws -> [UInt8] {
        var members = try JSONParser().parse(CanonicalJSON.encode(F.consent)).objectValue!
        change(&members)
        return CanonicalJSON.serialize(.object(members))
    }

    @Test("the fixture consent reads back")
    func valid() throws {
        #expect(try ConsentRecord.read(from: try consentJSON { _ in }) == F.consent)
    }

    @Test("bundled consent is refused with its own rule")
    func bundled() throws {
        let bytes = try consentJSON { members in
            members["purpose"] = nil
            members["purposes"] = ["social-assistance.eligibility", "marriage-registration"]
        }
        let error = #expect(throws: DocumentError.self) { try ConsentRecord.read(from: bytes) }
        #expect(error?.issues.first?.rule == "consent.bundled")
        #expect(error?.issues.first?.message.contains("separate consent") == true)
        let asArray = try consentJSON { $0["purpose"] = ["social-assistance.eligibility"] }
        #expect(
            (#expect(throws: DocumentError.self) { try ConsentRecord.read(from: asArray) })?.issues.first?.rule
                == "consent.bundled")
    }

    @Test("consent without evidence is refused", arguments: ["missing", "empty reference", "bad hash"])
    func evidence(kind: String) throws {
        let bytes = try consentJSON { members in
            var given = members["given"]!.objectValue!
            var evidence = given["evidence"]!.objectValue!
            switch kind {
            case "missing": given["evidence"] = nil
            case "empty reference": evidence["reference"] = ""
            default: evidence["sha256"] = "not-a-hash"
            }
            if kind != "missing" { given["evidence"] = .object(evidence) }
            members["given"] = .object(given)
        }
        let error = #expect(throws: DocumentError.self) { try ConsentRecord.read(from: bytes) }
        #expect(
            error?.issues.contains { $0.rule == "consent.evidence-required" } == true, "\(String(describing: error))")
    }

    @Test(
        "ID numbers and phone numbers are refused as subjects",
        arguments: ["11010519491231002X", "110105491231002", "13800138000"]
    )
    func pseudonymousSubject(subject: String) throws {
        let bytes = try consentJSON { $0["subject"] = .string(subject) }
        let error = #expect(throws: DocumentError.self) { try ConsentRecord.read(from: bytes) }
        #expect(error?.issues.first?.rule == "consent.subject-not-pseudonymous")
    }

    @Test("withdrawal takes effect from its moment on, never before")
    func withdrawalNotRetroactive() {
        let withdrawnAt = F.t("2027-01-15T12:00:00Z")
        let status = ConsentStatus(
            record: F.consent,
            history: [
                ConsentStatusChange(
                    consent: F.consent.id, state: .active, at: F.t("2026-10-28T09:41:00Z"), by: F.civil),
                ConsentStatusChange(consent: F.consent.id, state: .withdrawn, at: withdrawnAt, by: "subject"),
            ])
        #expect(status.state(at: withdrawnAt.adding(seconds: -1)) == .active)
        #expect(status.state(at: withdrawnAt) == .withdrawn)
        #expect(status.state(at: F.t("2026-10-30T00:00:00Z")) == .notYetValid)
        #expect(status.state(at: F.t("2027-11-01T00:00:00Z")) == .expired)
        #expect(ConsentStatus.refusal(from: .withdrawn, to: .active) != nil)
        #expect(ConsentStatus.refusal(from: .active, to: .paused) == nil)
        #expect(
            ConsentStatus.refusal(from: .notYetValid, to: .active) == nil,
            "a consent paused before its start can be resumed")
    }

    @Test("the agreement state machine allows only its transitions, with reasons where needed")
    func stateMachine() throws {
        var applied = F.agreement
        applied.state = .applied
        applied.history = [applied.history[0]]
        let at = F.t("2026-10-22T00:00:00Z")
        #expect(throws: Never.self) {
            try applied.applying(AgreementEvent(state: .approved, at: at, by: "Director")).get()
        }
        let noReason = applied.applying(AgreementEvent(state: .rejected, at: at, by: "Director"))
        #expect((try? noReason.get()) == nil)
        let rejected = try applied.applying(
            AgreementEvent(state: .rejected, at: at, by: "Director", reason: "No statutory duty named")
        ).get()
        #expect(rejected.state == .rejected)
        let reopen = rejected.applying(AgreementEvent(state: .approved, at: at, by: "Director"))
        guard case .failure(let error) = reopen else {
            Issue.record("a rejected agreement was approved")
            return
        }
        #expect(error.issues.first?.rule == "agreement.bad-transition")
        #expect(F.agreement.validationIssues().isEmpty)
        var broken = F.agreement
        broken.state = .rejected
        #expect(broken.validationIssues().contains { $0.rule == "agreement.state-mismatch" })
    }

    @Test("an agreement is active only when approved and inside its period")
    func activeWindow() {
        #expect(!F.agreement.isActive(at: F.t("2026-10-25T00:00:00Z")))
        #expect(F.agreement.isActive(at: F.t("2026-11-02T00:00:00Z")))
        #expect(!F.agreement.isActive(at: F.t("2027-11-01T00:00:00Z")))
    }

    @Test("working-day deadlines skip weekends and holidays and count adjusted working days")
    func workingDays() throws {
        let calendar = WorkingCalendar(
            name: "test", from: CivilDate(iso: "2026-09-01")!, to: CivilDate(iso: "2026-12-31")!,
            holidays: (1...7).map {
                CalendarDay(date: CivilDate(year: 2026, month: 10, day: $0)!, name: "National Day")
            },
            workingDays: [CalendarDay(date: CivilDate(iso: "2026-10-10")!, name: "Adjusted")]
        )
        #expect(calendar.validationIssues().isEmpty)
        #expect(CivilDate(iso: "2026-10-10")!.weekday == .saturday)
        // Applied on Tuesday 29 September: 30 Sep is day 1, 1-7 Oct are holidays, 8 (Thu) 9 (Fri) 10 (adjusted Sat) ...
        let deadline = try calendar.adding(workingDays: 10, to: CivilDate(iso: "2026-09-29")!)
        #expect(deadline.description == "2026-10-19")
        #expect(try calendar.workingDays(after: CivilDate(iso: "2026-09-29")!, through: deadline) == 10)
        #expect(throws: WorkingCalendar.OutOfRange.self) {
            try calendar.adding(workingDays: 10, to: CivilDate(iso: "2026-12-28")!)
        }
    }

    @Test("purposes match most specific first, then the default")
    func purposeMatching() {
        #expect(F.purposes.match("social-assistance.eligibility")?.code == "social-assistance.eligibility")
        #expect(F.purposes.match("social-assistance.eligibility.urban")?.code == "social-assistance.eligibility")
        #expect(F.purposes.match("social-assistance.housing")?.code == "social-assistance")
        #expect(F.purposes.match("tax.audit")?.code == "*")
        #expect(PurposeRegistry(purposes: Array(F.purposes.purposes.dropFirst())).match("tax.audit") == nil)
    }

    @Test("timestamps and dates round-trip and refuse malformed text")
    func timestamps() {
        #expect(Timestamp(rfc3339: "2026-02-29T00:00:00Z") == nil)
        #expect(Timestamp(rfc3339: "2028-02-29T23:59:59Z")?.rfc3339 == "2028-02-29T23:59:59Z")
        #expect(Timestamp(rfc3339: "2026-11-02 09:30:00Z") == nil)
        #expect(Timestamp(rfc3339: "1969-12-31T23:59:59Z")?.secondsSince1970 == -1)
        #expect(Timestamp(rfc3339: "1969-12-31T23:59:59Z")?.rfc3339 == "1969-12-31T23:59:59Z")
        #expect(CivilDate(iso: "2026-13-01") == nil)
    }
}
