import Foundation
import SeamlessCrypto
import SeamlessFixtures
import SeamlessTestSupport
import Testing

@testable import Seamless

/// A provider's and a consumer's logs with planted violations; replay must find each, and nothing else.
@Suite("Audit replay")
struct ReplayTests {
    typealias F = FederationFixture

    static func decisionEvent(_ request: AccessRequest, _ decision: PolicyDecision, hash: String) -> AuditEvent {
        var event = AuditEvent(kind: .decision, at: request.at, node: F.resources)
        event.requestHash = hash
        event.request = request
        event.decision = decision
        return event
    }

    @Test("every planted violation is found, and the honest decision is not flagged")
    func plantedViolations() async throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.path("node.sqlite"))
        _ = try await store.importCatalogEntries([F.insurance], at: F.t("2026-11-01T00:00:00Z"))
        try await store.savePurposes(F.purposes)
        _ = try await store.recordConsent(F.consent, at: F.t("2026-10-28T09:41:00Z"), by: F.civil)
        _ = try await store.changeConsent(
            id: F.consent.id, to: .withdrawn, at: F.t("2026-12-10T00:00:00Z"), by: "subject", reason: nil)
        let snapshot = try await store.policySnapshot(node: F.resources, members: F.members)
        let key = try PrivateKey.generate(.ed25519)
        let log = try await AuditLog(store: store, node: F.resources, signer: key)

        // 0: an honest grant, disclosed within the grant.
        let honest = PolicyTests.consentRequest {
            $0.resource = F.insurance.id; $0.at = F.t("2026-12-01T10:00:00Z")
        }
        let honestHash = AuditEvent.hash(Array("honest".utf8))
        _ = try await log.append(Self.decisionEvent(honest, snapshot.decide(honest), hash: honestHash))
        var disclosure = AuditEvent(kind: .disclosure, at: honest.at, node: F.resources)
        disclosure.peer = F.civil
        disclosure.requestHash = honestHash
        disclosure.resource = F.insurance.id
        disclosure.fields = snapshot.decide(honest).grant!.fields
        disclosure.recordCount = 1
        disclosure.responseHash = AuditEvent.hash(Array("response".utf8))
        _ = try await log.append(disclosure)
        // 2: a grant after the withdrawal (planted: recorded as granted).
        let late = PolicyTests.consentRequest {
            $0.resource = F.insurance.id; $0.at = F.t("2026-12-11T10:00:00Z")
        }
        var lateDecision = snapshot.decide(honest)
        lateDecision.basis = snapshot.decide(late).basis
        _ = try await log.append(Self.decisionEvent(late, lateDecision, hash: AuditEvent.hash(Array("late".utf8))))
        // 3: more fields disclosed than granted.
        var leaky = disclosure
        leaky.at = F.t("2026-12-01T11:00:00Z")
        leaky.fields = (disclosure.fields ?? []) + ["monthlyBase"]
        _ = try await log.append(leaky)
        // 4: a disclosure nobody decided.
        var unasked = disclosure
        unasked.requestHash = AuditEvent.hash(Array("never decided".utf8))
        _ = try await log.append(unasked)
        // 5, 6: a receipt (as a consumer would log it) used for another purpose, and never purged.
        var receipt = AuditEvent(kind: .receipt, at: F.t("2026-11-20T00:00:00Z"), node: F.resources)
        receipt.peer = F.security
        receipt.requestHash = AuditEvent.hash(Array("received".utf8))
        receipt.resource = F.household.id
        receipt.purpose = "social-assistance.eligibility"
        receipt.fields = ["householdId"]
        receipt.recordCount = 1
        receipt.responseHash = AuditEvent.hash(Array("received response".utf8))
        receipt.dataLifeDays = 10
        receipt.expiresAt = F.t("2026-11-30T00:00:00Z")
        _ = try await log.append(receipt)
        var use = AuditEvent(kind: .use, at: F.t("2026-11-25T00:00:00Z"), node: F.resources)
        use.requestHash = receipt.requestHash
        use.purpose = "marriage-registration"
        _ = try await log.append(use)
        var last = AuditEvent(kind: .catalogRevision, at: F.t("2026-12-12T00:00:00Z"), node: F.resources)
        last.catalogRevision = try await store.currentCatalog().revision
        _ = try await log.append(last)
        _ = try await log.checkpoint()
        let bundle = dir.path("bundle")
        try await AuditBundle.export(
            store: store, node: F.resources, publicKey: key.publicKey, members: F.members, to: bundle)

        let report = try AuditReplay.run(bundle)
        let found = Set(report.findings.map { "\($0.rule)@\($0.sequence ?? -1)" })
        #expect(
            found == [
                "access-after-withdrawal@2", "fields-beyond-grant@3", "disclosure-without-grant@4",
                "use-for-other-purpose@6", "kept-past-data-life@5",
            ], "\(report.findings)")
        #expect(
            !report.findings.contains { $0.sequence == 0 || $0.sequence == 1 },
            "the honest decision and disclosure are clean: \(report.findings)")
        #expect(report.decisionsReplayed == 2)
    }

    @Test("a grant beyond the purpose's frequency limit, and a decision recorded otherwise, are named precisely")
    func frequencyAndMismatch() async throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.path("node.sqlite"))
        _ = try await store.importCatalogEntries([F.insurance], at: F.t("2026-11-01T00:00:00Z"))
        try await store.savePurposes(F.purposes)
        _ = try await store.recordConsent(F.consent, at: F.t("2026-10-28T09:41:00Z"), by: F.civil)
        let snapshot = try await store.policySnapshot(node: F.resources, members: F.members)
        let key = try PrivateKey.generate(.ed25519)
        let log = try await AuditLog(store: store, node: F.resources, signer: key)
        // Eligibility checks allow 3 requests a day: entries 0–2 are fine, 3 is one too many (recorded as
        // granted), 4 is a day after entry 1 and 2, so again within the limit.
        let times = [
            "2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", "2026-12-01T12:00:00Z",
            "2026-12-02T11:30:00Z",
        ]
        for (index, time) in times.enumerated() {
            let request = PolicyTests.consentRequest { $0.at = F.t(time) }
            let decision = snapshot.decide(request)
            #expect(decision.grant != nil)
            _ = try await log.append(
                Self.decisionEvent(request, decision, hash: AuditEvent.hash(Array("r\(index)".utf8))))
        }
        // 5: recorded as a denial for a reason the inputs do not support.
        let refused = PolicyTests.consentRequest { $0.at = F.t("2026-12-05T10:00:00Z") }
        var wrong = snapshot.decide(refused)
        wrong.outcome = .denied(PolicyDenial(.purposeNotAllowed, "made up"))
        _ = try await log.append(Self.decisionEvent(refused, wrong, hash: AuditEvent.hash(Array("r5".utf8))))
        _ = try await log.checkpoint()
        let bundle = dir.path("bundle")
        try await AuditBundle.export(
            store: store, node: F.resources, publicKey: key.publicKey, members: F.members, to: bundle)
        let report = try AuditReplay.run(bundle)
        #expect(
            report.findings.map { "\($0.rule)@\($0.sequence ?? -1)" } == [
                "frequency-exceeded@3", "decision-mismatch@5",
            ], "\(report.findings)")
        let mismatch = try #require(report.findings.last)
        #expect(
            mismatch.message.contains("recorded denied (purpose-not-allowed), made again granted insuredId, status"),
            "\(mismatch.message)")

        // Exported from entry 1, the later disclosures' decisions are before the bundle: said so, not called
        // a disclosure without a grant.
        var disclosure = AuditEvent(kind: .disclosure, at: F.t("2026-12-06T00:00:00Z"), node: F.resources)
        disclosure.peer = F.civil
        disclosure.requestHash = AuditEvent.hash(Array("r0".utf8))
        disclosure.resource = F.insurance.id
        disclosure.fields = ["insuredId"]
        disclosure.recordCount = 1
        disclosure.responseHash = AuditEvent.hash(Array("response".utf8))
        _ = try await log.append(disclosure)
        _ = try await log.checkpoint()
        let later = dir.path("from-1")
        try await AuditBundle.export(
            store: store, node: F.resources, publicKey: key.publicKey, members: F.members, from: 1, to: later)
        let partial = try AuditReplay.run(later)
        #expect(partial.findings.contains { $0.rule == "missing-input" && $0.sequence == 6 }, "\(partial.findings)")
        #expect(!partial.findings.contains { $0.rule == "disclosure-without-grant" })
        #expect(partial.findings.contains { $0.rule == "decision-mismatch" && $0.sequence == 5 })
    }

    @Test("an application answered after its working-day deadline is reported")
    func answeredLate() async throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.path("node.sqlite"))
        let key = try PrivateKey.generate(.ed25519)
        _ = try await store.importCatalogEntries([F.household], at: F.t("2026-09-01T00:00:00Z"))
        try await store.saveCalendar(
            WorkingCalendar(name: "test", from: CivilDate(iso: "2026-01-01")!, to: CivilDate(iso: "2027-12-31")!))
        var late = F.agreement
        late.history = [
            AgreementEvent(state: .applied, at: F.t("2026-10-01T02:00:00Z"), by: F.civil),
            AgreementEvent(state: .approved, at: F.t("2026-10-30T02:00:00Z"), by: "Director"),
        ]
        try await store.recordAgreement(late)
        let log = try await AuditLog(store: store, node: F.security, signer: key)
        var event = AuditEvent(kind: .catalogRevision, at: .now, node: F.security)
        event.catalogRevision = try await store.currentCatalog().revision
        _ = try await log.append(event)
        _ = try await log.checkpoint()
        let bundle = dir.path("bundle")
        try await AuditBundle.export(
            store: store, node: F.security, publicKey: key.publicKey, members: F.members, to: bundle)
        let report = try AuditReplay.run(bundle)
        #expect(report.findings.map(\.rule) == ["answered-late"], "\(report.findings)")
        #expect(
            report.findings.first?.message.contains("2026-10-15") == true,
            "10 working days after 1 October (weekends only)")
    }
}

@Suite("Audit replay: review cases")
struct ReplayReviewTests {
    typealias F = FederationFixture

    @Test(
        "an unreadable entry is a finding, not skipped; an unanswered application past its deadline is reported; --as-of moves the end"
    )
    func reviewCases() async throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.path("node.sqlite"))
        let key = try PrivateKey.generate(.ed25519)
        _ = try await store.importCatalogEntries([F.household], at: F.t("2026-09-01T00:00:00Z"))
        try await store.saveCalendar(
            WorkingCalendar(name: "test", from: CivilDate(iso: "2026-01-01")!, to: CivilDate(iso: "2027-12-31")!))
        var pending = F.agreement
        pending.state = .applied
        pending.history = [AgreementEvent(state: .applied, at: F.t("2026-10-01T02:00:00Z"), by: F.civil)]
        try await store.recordAgreement(pending)
        let log = try await AuditLog(store: store, node: F.security, signer: key)
        // Written raw, past the event validation: verify accepts it, replay cannot decode it.
        _ = try await log.append(Array(#"{"kind":"disclosure","node":"gov.public-security","recordCount":"3"}"#.utf8))
        var receipt = AuditEvent(kind: .receipt, at: F.t("2026-10-02T00:00:00Z"), node: F.security)
        receipt.peer = F.resources
        receipt.requestHash = AuditEvent.hash([1])
        receipt.resource = F.insurance.id
        receipt.purpose = "social-assistance"
        receipt.fields = ["insuredId"]
        receipt.recordCount = 1
        receipt.responseHash = AuditEvent.hash([2])
        receipt.dataLifeDays = 5
        receipt.expiresAt = F.t("2026-10-07T00:00:00Z")
        _ = try await log.append(receipt)
        _ = try await log.checkpoint()
        let bundle = dir.path("bundle")
        try await AuditBundle.export(
            store: store, node: F.security, publicKey: key.publicKey, members: F.members, to: bundle,
            now: F.t("2026-11-02T00:00:00Z"))
        let report = try AuditReplay.run(bundle)
        let rules = report.findings.map(\.rule)
        #expect(report.findings.contains { $0.rule == "missing-input" && $0.sequence == 0 }, "\(report.findings)")
        #expect(rules.contains("unanswered-late"))
        #expect(rules.contains("kept-past-data-life"))
        let early = try AuditReplay.run(bundle, asOf: F.t("2026-10-05T00:00:00Z"))
        #expect(
            !early.findings.contains { $0.rule == "kept-past-data-life" || $0.rule == "unanswered-late" },
            "\(early.findings)")
    }

    @Test("cross-checking a bundle with itself is refused")
    func selfCrossCheck() throws {
        let provider = ExampleBundleTests.provider
        #expect(throws: BundleUnreadable.self) { _ = try CrossCheck.run(provider, provider) }
    }
}

@Suite("Audit events read by hand for replay")
struct AuditEventReaderTests {
    /// Every example event and every entry of the shipped example bundles.
    static func documents() throws -> [(String, [UInt8])] {
        var documents: [(String, [UInt8])] = []
        let examples = repositoryRoot.appendingPathComponent("Schemas/examples/audit-event")
        for name in try FileManager.default.contentsOfDirectory(atPath: examples.path).sorted() {
            documents.append((name, Array(try Data(contentsOf: examples.appendingPathComponent(name)))))
        }
        let bundles = repositoryRoot.appendingPathComponent("Docs/example-bundles")
        for bundle in try FileManager.default.contentsOfDirectory(atPath: bundles.path).sorted() {
            let entries = try Data(contentsOf: bundles.appendingPathComponent("\(bundle)/entries.jsonl"))
            for (line, bytes) in entries.split(separator: 0x0A).enumerated() {
                documents.append(("\(bundle) line \(line)", Array(bytes)))
            }
        }
        return documents
    }

    @Test("gives exactly what JSONDecoder gives, for every example and bundle entry")
    func sameAsDecoder() throws {
        let documents = try Self.documents()
        #expect(documents.count > 20)
        var kinds = Set<AuditEvent.Kind>()
        for (name, bytes) in documents {
            let decoded = try JSONDecoder().decode(AuditEvent.self, from: Data(bytes))
            let read = try AuditEvent(json: try JSONParser().parse(bytes))
            #expect(read == decoded, "\(name)")
            kinds.insert(decoded.kind)
        }
        #expect(kinds.isSuperset(of: [.decision, .disclosure, .receipt, .use, .purge]))
    }

    @Test(
        "refuses what JSONDecoder refuses, naming the member",
        arguments: [
            (#"{"at":"2026-11-02T09:30:00Z","node":"gov.x"}"#, "$.kind"),
            (#"{"at":"2026-11-02T09:30:00Z","kind":"gossip","node":"gov.x"}"#, "$.kind"),
            (#"{"at":"yesterday","kind":"use","node":"gov.x"}"#, "$.at"),
            (#"{"at":"2026-11-02T09:30:00Z","kind":"use","node":"gov.x","sequence":1.5}"#, "$.sequence"),
            (#"{"at":"2026-11-02T09:30:00Z","kind":"use","node":"gov.x","fields":["a",1]}"#, "$.fields"),
            (
                #"{"at":"2026-11-02T09:30:00Z","decision":{"basis":{"catalogRevision":"r","consentIDs":[],"purpose":"p"},"denied":{"code":"no-such-code","reason":"x"}},"kind":"decision","node":"gov.x"}"#,
                "$.decision.denied.code"
            ),
            (
                #"{"at":"2026-11-02T09:30:00Z","decision":{"basis":{"catalogRevision":"r","consentIDs":[],"purpose":"p"}},"kind":"decision","node":"gov.x"}"#,
                "$.decision.granted"
            ),
        ])
    func refuses(json: String, path: String) throws {
        #expect(throws: (any Error).self) { try JSONDecoder().decode(AuditEvent.self, from: Data(json.utf8)) }
        let error = try #require(throws: JSONReadError.self) {
            try AuditEvent(json: try JSONParser().parse(Array(json.utf8)))
        }
        #expect(error.path == path, "\(error)")
    }
}

@Suite("Audit replay: changes within the same second as a decision")
struct SameSecondReplayTests {
    typealias F = FederationFixture

    @Test(
        "a withdrawal logged after a grant in the same second does not make it a violation; one logged before does",
        arguments: [false, true])
    func sameSecond(withdrawFirst: Bool) async throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.path("node.sqlite"))
        _ = try await store.importCatalogEntries([F.insurance], at: F.t("2026-11-01T00:00:00Z"))
        try await store.savePurposes(F.purposes)
        _ = try await store.recordConsent(F.consent, at: F.t("2026-11-01T00:00:00Z"), by: F.civil)
        let key = try PrivateKey.generate(.ed25519)
        let log = try await AuditLog(store: store, node: F.resources, signer: key)
        let moment = F.t("2026-12-01T10:00:00Z")
        let request = PolicyTests.consentRequest { $0.at = moment }
        let granted = try await store.policySnapshot(node: F.resources, members: F.members).decide(request)
        #expect(granted.grant != nil)
        func withdraw() async throws {
            _ = try await store.changeConsent(id: F.consent.id, to: .withdrawn, at: moment, by: "subject", reason: nil)
            var event = AuditEvent(kind: .consentStatus, at: moment, node: F.resources)
            event.consentID = F.consent.id
            event.consentState = .withdrawn
            _ = try await log.append(event)
        }
        if withdrawFirst { try await withdraw() }
        _ = try await log.append(ReplayTests.decisionEvent(request, granted, hash: AuditEvent.hash(Array("r".utf8))))
        if !withdrawFirst { try await withdraw() }
        _ = try await log.checkpoint()
        let bundle = dir.path("bundle")
        try await AuditBundle.export(
            store: store, node: F.resources, publicKey: key.publicKey, members: F.members, to: bundle)
        let rules = try AuditReplay.run(bundle).findings.map(\.rule)
        #expect(rules == (withdrawFirst ? ["access-after-withdrawal"] : []), "\(rules)")
    }
}
