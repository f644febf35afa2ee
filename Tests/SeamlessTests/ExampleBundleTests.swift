import Foundation
import SeamlessCrypto
import SeamlessFixtures
import SeamlessTestSupport
import Testing

@testable import Seamless

/// The example bundles of Docs/AUDIT.md: Human Resources (provider) and Civil Affairs (consumer), with
/// planted violations. `SEAMLESS_WRITE_EXAMPLE_BUNDLES=1 swift test --filter ExampleBundleTests` writes
/// them anew; the tests check that replay and cross-check find exactly what was planted.
@Suite("Example audit bundles (Docs/AUDIT.md)", .serialized)
struct ExampleBundleTests {
    typealias F = FederationFixture
    static let folder = repositoryRoot.appendingPathComponent("Docs/example-bundles")
    static let provider = folder.appendingPathComponent("human-resources").path
    static let consumer = folder.appendingPathComponent("civil-affairs").path

    static let plantedProviderFindings: Set<String> = [
        "access-after-withdrawal@4", "purpose-not-allowed@6", "fields-beyond-grant@9", "disclosure-without-grant@10",
        "answered-late@-1",
    ]
    static let plantedConsumerFindings: Set<String> = ["use-for-other-purpose@3", "kept-past-data-life@1"]

    static func write() async throws {
        let dir = try TemporaryDirectory()
        try? FileManager.default.removeItem(atPath: folder.path)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)

        // Human Resources: the provider.
        let hrStore = try SQLiteStore(path: dir.path("hr.sqlite"))
        let hrKey = try PrivateKey.generate(.ed25519)
        _ = try await hrStore.importCatalogEntries([F.insurance], at: F.t("2026-11-01T00:00:00Z"))
        try await hrStore.savePurposes(F.purposes)
        try await hrStore.saveCalendar(
            WorkingCalendar(
                name: "Example: weekends only", from: CivilDate(iso: "2026-01-01")!, to: CivilDate(iso: "2027-12-31")!))
        _ = try await hrStore.recordConsent(F.consent, at: F.t("2026-10-28T09:41:00Z"), by: F.civil)
        _ = try await hrStore.changeConsent(
            id: F.consent.id, to: .withdrawn, at: F.t("2026-12-10T00:00:00Z"), by: "subject",
            reason: "asked at the counter")
        var lateAgreement = Agreement(
            id: "agr-2026-0090", requester: F.civil, resource: F.insurance.id, fields: ["insuredId", "monthlyBase"],
            purpose: "social-assistance.eligibility", legalBasis: .statutoryDuty,
            basisReference: "Measures for Minimum Living Allowance Art. 11",
            validFrom: F.t("2026-11-01T00:00:00Z"), validUntil: F.t("2027-11-01T00:00:00Z"), state: .approved,
            history: [
                AgreementEvent(state: .applied, at: F.t("2026-10-01T02:00:00Z"), by: F.civil),
                AgreementEvent(
                    state: .approved, at: F.t("2026-10-30T02:00:00Z"), by: "Director, Social Insurance Division"),
            ])
        lateAgreement.subscription = nil
        try await hrStore.recordAgreement(lateAgreement)
        let snapshot = try await hrStore.policySnapshot(node: F.resources, members: F.members)
        let hrLog = try await AuditLog(store: hrStore, node: F.resources, signer: hrKey)
        func append(_ event: AuditEvent) async throws { _ = try await hrLog.append(event) }

        var revision = AuditEvent(kind: .catalogRevision, at: F.t("2026-11-01T00:00:00Z"), node: F.resources)
        revision.catalogRevision = snapshot.catalog.revision
        try await append(revision)  // 0
        var transition = AuditEvent(kind: .agreementTransition, at: F.t("2026-10-30T02:00:00Z"), node: F.resources)
        transition.agreementID = lateAgreement.id
        transition.agreementState = .approved
        transition.peer = F.civil
        try await append(transition)  // 1
        func exchange(
            _ request: AccessRequest, name: String, recorded: PolicyDecision? = nil, disclosed: [String]? = nil
        ) async throws {
            let hash = AuditEvent.hash(Array(name.utf8))
            var decision = AuditEvent(kind: .decision, at: request.at, node: F.resources)
            decision.requestHash = hash
            decision.request = request
            decision.decision = recorded ?? snapshot.decide(request)
            try await append(decision)
            guard let fields = disclosed ?? decision.decision?.grant?.fields else { return }
            var disclosure = AuditEvent(kind: .disclosure, at: request.at.adding(seconds: 1), node: F.resources)
            disclosure.peer = request.requester
            disclosure.requestHash = hash
            disclosure.resource = request.resource
            disclosure.fields = fields
            disclosure.recordCount = 1
            disclosure.responseHash = AuditEvent.hash(Array("response \(name)".utf8))
            try await append(disclosure)
        }
        // 2, 3: an honest consent-based exchange.
        let honest = PolicyTests.consentRequest {
            $0.resource = F.insurance.id; $0.at = F.t("2026-12-01T02:00:00Z")
        }
        try await exchange(honest, name: "request-honest")
        // 4, 5: granted after the consent was withdrawn (planted).
        let afterWithdrawal = PolicyTests.consentRequest {
            $0.resource = F.insurance.id; $0.at = F.t("2026-12-11T02:00:00Z")
        }
        var forgedGrant = snapshot.decide(honest)
        forgedGrant.basis = snapshot.decide(afterWithdrawal).basis
        try await exchange(afterWithdrawal, name: "request-after-withdrawal", recorded: forgedGrant)
        // 6, 7: granted for a purpose the resource does not serve (planted).
        let wrongPurpose = AccessRequest(
            requester: F.civil, resource: F.insurance.id, fields: ["insuredId", "status"],
            purpose: "marriage-registration",
            legalBasis: .statutoryDuty, at: F.t("2026-12-02T02:00:00Z"))
        var wrongGrant = snapshot.decide(
            PolicyTests.consentRequest {
                $0.resource = F.insurance.id; $0.legalBasis = .statutoryDuty; $0.purpose = "social-assistance";
                $0.at = F.t("2026-12-02T02:00:00Z")
            })
        wrongGrant.basis.purpose = "marriage-registration"
        try await exchange(wrongPurpose, name: "request-wrong-purpose", recorded: wrongGrant)
        // 8: an honest decision, but a field beyond the grant disclosed (planted).
        let leaky = PolicyTests.consentRequest {
            $0.resource = F.insurance.id; $0.at = F.t("2026-12-03T02:00:00Z")
        }
        try await exchange(leaky, name: "request-leaky", disclosed: ["insuredId", "status", "monthlyBase"])
        // (8 is that decision, 9 its disclosure.)
        // 10: a disclosure no decision covers (planted).
        var unasked = AuditEvent(kind: .disclosure, at: F.t("2026-12-04T02:00:00Z"), node: F.resources)
        unasked.peer = F.civil
        unasked.requestHash = AuditEvent.hash(Array("request-never-decided".utf8))
        unasked.resource = F.insurance.id
        unasked.fields = ["insuredId"]
        unasked.recordCount = 3
        unasked.responseHash = AuditEvent.hash(Array("response never decided".utf8))
        try await append(unasked)
        _ = try await hrLog.checkpoint()
        try await AuditBundle.export(
            store: hrStore, node: F.resources, publicKey: hrKey.publicKey, members: F.members, to: provider,
            now: F.t("2026-12-31T00:00:00Z"))

        // Civil Affairs: the consumer.
        let caStore = try SQLiteStore(path: dir.path("ca.sqlite"))
        let caKey = try PrivateKey.generate(.sm2sm3)
        let caLog = try await AuditLog(store: caStore, node: F.civil, signer: caKey)
        func receipt(_ name: String, at: Timestamp, purpose: String, days: Int) -> AuditEvent {
            var event = AuditEvent(kind: .receipt, at: at, node: F.civil)
            event.peer = F.resources
            event.requestHash = AuditEvent.hash(Array(name.utf8))
            event.resource = F.insurance.id
            event.purpose = purpose
            event.fields = ["insuredId", "status"]
            event.recordCount = 1
            event.responseHash = AuditEvent.hash(Array("response \(name)".utf8))
            event.dataLifeDays = days
            event.expiresAt = at.adding(seconds: Int64(days) * 86_400)
            return event
        }
        // 0: an honest receipt.
        _ = try await caLog.append(
            receipt(
                "request-honest", at: F.t("2026-12-01T02:00:01Z"), purpose: "social-assistance.eligibility", days: 60))
        // 1: a receipt whose data is never purged (planted).
        _ = try await caLog.append(
            receipt(
                "request-leaky", at: F.t("2026-12-03T02:00:01Z"), purpose: "social-assistance.eligibility", days: 10))
        var use = AuditEvent(kind: .use, at: F.t("2026-12-05T01:00:00Z"), node: F.civil)
        use.requestHash = AuditEvent.hash(Array("request-honest".utf8))
        use.purpose = "social-assistance.eligibility"
        _ = try await caLog.append(use)  // 2: honest use
        use.at = F.t("2026-12-06T01:00:00Z")
        use.purpose = "marriage-registration"
        _ = try await caLog.append(use)  // 3: another purpose (planted)
        _ = try await caLog.checkpoint()
        try await AuditBundle.export(
            store: caStore, node: F.civil, publicKey: caKey.publicKey, members: F.members, to: consumer,
            now: F.t("2026-12-31T00:00:00Z"))
    }

    static func findings(_ report: ReplayReport) -> Set<String> {
        Set(report.findings.map { "\($0.rule)@\($0.sequence ?? -1)" })
    }

    @Test("the shipped bundles verify, and replay finds exactly the planted violations")
    func replayFindsPlanted() async throws {
        if ProcessInfo.processInfo.environment["SEAMLESS_WRITE_EXAMPLE_BUNDLES"] == "1" { try await Self.write() }
        #expect(try BundleVerifier.verify(Self.provider).findings.isEmpty)
        #expect(try BundleVerifier.verify(Self.consumer).findings.isEmpty)
        #expect(Self.findings(try AuditReplay.run(Self.provider)) == Self.plantedProviderFindings)
        #expect(Self.findings(try AuditReplay.run(Self.consumer)) == Self.plantedConsumerFindings)
    }

    @Test("cross-checking the two bundles finds unreceived disclosures and a receipt that differs from its disclosure")
    func crossCheck() throws {
        let result = try CrossCheck.run(Self.provider, Self.consumer)
        #expect(
            Set(result.unmatched.map { "\($0.rule)@\($0.node)#\($0.sequence)" }) == [
                "disclosure-without-receipt@gov.human-resources#5", "disclosure-without-receipt@gov.human-resources#7",
                "disclosure-without-receipt@gov.human-resources#10", "exchange-differs@gov.human-resources#9",
            ], "\(result.unmatched)")
    }
}
