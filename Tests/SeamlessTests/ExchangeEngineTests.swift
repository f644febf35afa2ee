import Foundation
import SeamlessCrypto
import SeamlessFixtures
import SeamlessTestSupport
import Testing

@testable import Seamless

/// Three nodes' engines exchanging over the in-process transport: every kind of grant, denial and refusal,
/// and what each side's audit log and store show afterwards.
@Suite("Exchange engine")
struct ExchangeEngineTests {
    typealias F = FederationFixture

    @Test("an unconditional request: granted, minimised, logged on both sides, kept for its purpose")
    func unconditional() async throws {
        let fixture = try await EngineFixture()
        let result = try await fixture.civil.request(
            EngineFixture.insuranceRequest(selector: .keys(["insured-03", "insured-04"])), from: F.resources)
        #expect(result.records.map(\.key) == ["insured-03", "insured-04"])
        // monthlyBase is a conditional item: minimised away, not refused.
        #expect(result.decision.grant?.fields == ["insuredId", "scheme", "status"])
        #expect(result.decision.grant?.withheld == ["monthlyBase"])
        #expect(result.records.allSatisfy { $0.fields["monthlyBase"] == nil && $0.fields["scheme"] != nil })
        #expect(try await fixture.kinds(F.resources).suffix(3) == [.requestReceived, .decision, .disclosure])
        #expect(try await fixture.kinds(F.civil).last == .receipt)
        let kept = try await fixture.stores[F.civil]!.receivedRecords(requestHash: result.requestHash)
        #expect(kept.count == 2 && kept.allSatisfy { $0.purpose == "social-assistance" })
        // Use within the purpose is allowed and logged; another purpose is refused.
        #expect(
            try await fixture.civil.use(requestHash: result.requestHash, for: "social-assistance.eligibility").count
                == 2)
        let misuse = await #expect(throws: ExchangeError.self) {
            try await fixture.civil.use(requestHash: result.requestHash, for: "marriage-registration")
        }
        #expect(misuse?.code == "purpose-mismatch")
        #expect(try await fixture.kinds(F.civil).last == .use)
    }

    @Test("a conditional resource needs the agreement; a field labelled none never leaves")
    func conditional() async throws {
        let fixture = try await EngineFixture()
        let request = ExchangeRequest(
            resource: F.household.id, fields: ["householdId", "district", "memberIdNumbers"],
            selector: .keys(["hh-001"]),
            purpose: "marriage-registration", legalBasis: .statutoryDuty)
        let result = try await fixture.civil.request(request, from: F.security)
        #expect(result.decision.basis.agreementID == F.agreement.id)
        #expect(result.records.first?.fields.keys.sorted() == ["district", "householdId"])
        // Human Resources has no agreement: the same request from it is refused with the policy's code.
        let denied = await #expect(throws: ExchangeError.self) {
            try await fixture.resources.request(request, from: F.security)
        }
        #expect(denied?.code == "agreement-required")
        #expect(denied?.decision?.denial != nil)
    }

    @Test("consent-based: only the consenting subject's records; after withdrawal, refused")
    func consent() async throws {
        let fixture = try await EngineFixture()
        let request = EngineFixture.consentRequest
        let result = try await fixture.civil.request(request, from: F.resources)
        #expect(result.records.map(\.subject) == [F.consent.subject])
        _ = try await fixture.stores[F.resources]!.changeConsent(
            id: F.consent.id, to: .withdrawn, at: .now, by: "subject", reason: "asked at the counter")
        let refused = await #expect(throws: ExchangeError.self) {
            try await fixture.civil.request(request, from: F.resources)
        }
        #expect(refused?.code == "consent-withdrawn")
    }

    @Test("a wrong purpose is denied with its code, and nothing is kept")
    func wrongPurpose() async throws {
        let fixture = try await EngineFixture()
        let denied = await #expect(throws: ExchangeError.self) {
            try await fixture.civil.request(
                EngineFixture.insuranceRequest(purpose: "marriage-registration"), from: F.resources)
        }
        #expect(denied?.code == "purpose-not-allowed")
        #expect(try await fixture.kinds(F.resources).suffix(2) == [.requestReceived, .decision])
        #expect(try await fixture.kinds(F.civil).isEmpty)
    }

    @Test("large answers come in pages that together are every record once")
    func paging() async throws {
        let fixture = try await EngineFixture(insuranceRecords: 25)
        var keys: [String] = []
        var after: String?
        var pages = 0
        repeat {
            let page = try await fixture.civil.request(
                EngineFixture.insuranceRequest(limit: 10, after: after), from: F.resources)
            keys += page.records.map(\.key)
            after = page.next
            pages += 1
        } while after != nil && pages < 10
        #expect(pages == 3)
        #expect(keys == (0..<25).map { String(format: "insured-%02d", $0) })
    }

    @Test("a replayed request is refused and logged; the first answer stands")
    func replay() async throws {
        let fixture = try await EngineFixture()
        let bytes = try fixture.envelope(EngineFixture.insuranceRequest(selector: .keys(["insured-01"])))
        let first = await fixture.resources.provide(bytes)
        #expect(first.status == 200)
        let again = await fixture.resources.provide(bytes)
        #expect(again.status == 409)
        let response = try fixture.response(again)
        #expect(response.refusal?.code == "replayed-nonce")
        #expect(response.requestHash == AuditEvent.hash(bytes))
        #expect(try await fixture.kinds(F.resources).last == .requestRefused)
    }

    @Test("copies of one request sent at once: one is answered, the others refused, one decision logged")
    func concurrentReplay() async throws {
        let fixture = try await EngineFixture()
        let before = try await fixture.kinds(F.resources)
        let bytes = try fixture.envelope(EngineFixture.insuranceRequest(selector: .keys(["insured-01"])))
        let statuses = await fixture.provideAtOnce(bytes, copies: 8)
        #expect(statuses.sorted() == [200] + Array(repeating: 409, count: 7))
        let logged = try await fixture.kinds(F.resources).dropFirst(before.count)
        #expect(logged.filter { $0 == .decision }.count == 1)
        #expect(logged.filter { $0 == .disclosure }.count == 1)
        #expect(logged.filter { $0 == .requestRefused }.count == 7)
        // A request the replay did not get through is still answered: the nonce window holds one entry.
        let fresh = await fixture.resources.provide(
            try fixture.envelope(EngineFixture.insuranceRequest(selector: .keys(["insured-02"]))))
        #expect(fresh.status == 200)
    }

    @Test(
        "requests that do not verify are refused with their code, and only authenticated ones are logged",
        arguments: ["unknown-key", "wrong-audience", "malformed", "oversized", "bad-request"])
    func refusals(kind: String) async throws {
        let fixture = try await EngineFixture()
        let before = try await fixture.kinds(F.resources).count
        let request = EngineFixture.insuranceRequest()
        let bytes: [UInt8]
        let expected: (status: Int, code: String, logged: Bool)
        switch kind {
        case "unknown-key":
            bytes = try fixture.envelope(request, key: try PrivateKey.generate(.ed25519))
            expected = (401, "unknown-key-id", false)
        case "wrong-audience":
            bytes = try fixture.envelope(request, to: F.security)
            expected = (421, "wrong-audience", true)
        case "malformed":
            bytes = Array(#"{"payload":"x","signatures":[]}"#.utf8)
            expected = (400, "malformed", false)
        case "oversized":
            bytes = [UInt8](repeating: 0x20, count: (16 << 20) + 1)
            expected = (413, "too-large", false)
        default:
            var bad = request
            bad.fields = []
            bytes = try fixture.envelope(bad)
            expected = (400, "bad-request", true)
        }
        let reply = await fixture.resources.provide(bytes)
        #expect(reply.status == expected.status)
        // A refusal goes to the signer when the signature verified, else to "unknown".
        let response = try fixture.response(reply, to: expected.logged ? F.civil : "unknown").refusal
        #expect(response?.code == expected.code, "\(String(describing: response))")
        let after = try await fixture.kinds(F.resources)
        #expect(after.count == before + (expected.logged ? 1 : 0))
        if expected.logged { #expect(after.last == .requestRefused) }
    }

    @Test("received data is purged at the end of its data life, and the purge is logged with it")
    func purge() async throws {
        let offset = LockedOffset()
        let fixture = try await EngineFixture(clock: { Date().addingTimeInterval(offset.seconds) })
        let result = try await fixture.civil.request(
            EngineFixture.insuranceRequest(selector: .keys(["insured-01"])), from: F.resources)
        #expect(try await fixture.civil.purgeExpired() == 0)
        offset.seconds = Double(result.decision.grant!.dataLifeDays) * 86_400 + 1
        #expect(try await fixture.civil.purgeExpired() == 1)
        #expect(try await fixture.stores[F.civil]!.receivedRecords(requestHash: result.requestHash).isEmpty)
        #expect(try await fixture.kinds(F.civil).suffix(2) == [.receipt, .purge])
    }

    @Test("both sides' bundles verify, replay clean and cross-check: every disclosure has its receipt")
    func auditable() async throws {
        let fixture = try await EngineFixture()
        _ = try await fixture.civil.request(
            EngineFixture.insuranceRequest(selector: .keys(["insured-02"])), from: F.resources)
        _ = try? await fixture.civil.request(
            EngineFixture.insuranceRequest(purpose: "marriage-registration"), from: F.resources)
        var bundles: [String] = []
        for id in [F.resources, F.civil] {
            let log = try await AuditLog(store: fixture.stores[id]!, node: id, signer: fixture.keys[id]!)
            _ = try await log.checkpoint()
            let path = fixture.directory.path("bundle-\(id)")
            try await AuditBundle.export(
                store: fixture.stores[id]!, node: id, publicKey: fixture.keys[id]!.publicKey,
                members: F.members, to: path)
            bundles.append(path)
            #expect(try BundleVerifier.verify(path).findings.isEmpty)
            let replay = try AuditReplay.run(path)
            #expect(replay.findings.isEmpty, "\(replay.findings)")
        }
        #expect(try AuditReplay.run(bundles[0]).decisionsReplayed == 2)
        let cross = try CrossCheck.run(bundles[0], bundles[1])
        #expect(cross.unmatched.isEmpty, "\(cross.unmatched)")
    }
}

/// A clock offset a test moves forward.
final class LockedOffset: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Double = 0
    var seconds: Double {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}

@Suite("Exchange engine: agreements, subscriptions, withdrawals")
struct ExchangeEngineSyncTests {
    typealias F = FederationFixture

    /// Civil Affairs applies to Human Resources for a daily feed of insurance status; HR approves.
    static func approvedSubscription(_ fixture: EngineFixture) async throws -> Agreement {
        let application = AgreementApplication(
            id: "agr-sync-0001", resource: F.insurance.id, fields: ["insuredId", "scheme", "status", "monthlyBase"],
            purpose: "social-assistance", legalBasis: .statutoryDuty,
            basisReference: "Social Assistance Measures Art. 9",
            validUntil: Timestamp.now.adding(seconds: 365 * 86_400), subscription: Subscription(every: .daily))
        let applied = try await fixture.civil.apply(application, to: F.resources)
        #expect(applied.agreement.state == .applied)
        _ = try await fixture.stores[F.resources]!.transitionAgreement(
            id: application.id, AgreementEvent(state: .approved, at: .now, by: "Director, Social Insurance"))
        let status = try await fixture.civil.agreementStatus(id: application.id, at: F.resources)
        #expect(status.agreement.state == .approved)
        try await fixture.civil.subscribe(status.agreement)
        return status.agreement
    }

    @Test("apply, approve, subscribe: the first sync brings everything, the next only what changed, then nothing")
    func incrementalSync() async throws {
        let fixture = try await EngineFixture(insuranceRecords: 25)
        _ = try await Self.approvedSubscription(fixture)
        #expect(try await fixture.kinds(F.resources).contains(.agreementTransition))
        var subscription = try #require(try await fixture.stores[F.civil]!.subscriptions().first)
        let first = try await fixture.civil.sync(subscription, pageSize: 10)
        #expect(first.records == 25 && first.pages == 3)
        var changed = EngineFixture.insuranceRecord(7)
        changed.fields["status"] = .string("suspended")
        _ = try await fixture.stores[F.resources]!.upsertRecords([changed])
        subscription = try #require(try await fixture.stores[F.civil]!.subscriptions().first)
        #expect(subscription.cursor == first.cursor)
        let second = try await fixture.civil.sync(subscription, pageSize: 10)
        #expect(second.records == 1)
        let kept = try await fixture.stores[F.civil]!.receivedRecords(requestHash: try await lastReceipt(fixture))
        #expect(kept.map(\.key) == ["insured-07"] && kept.first?.fields["status"] == .string("suspended"))
        subscription = try #require(try await fixture.stores[F.civil]!.subscriptions().first)
        #expect(try await fixture.civil.sync(subscription).records == 0)
    }

    @Test("a sync cut off by the provider going away resumes where it stopped: no gap, no duplicate")
    func interruptedSync() async throws {
        let fixture = try await EngineFixture(insuranceRecords: 30)
        _ = try await Self.approvedSubscription(fixture)
        // A provider that answers two pages and then is gone.
        let flaky = FlakyService(fixture.resources, pagesBeforeFailing: 2)
        fixture.inProcess.register(flaky, at: EngineFixture.endpoint(F.resources))
        let subscription = try #require(try await fixture.stores[F.civil]!.subscriptions().first)
        await #expect(throws: ExchangeError.self) { try await fixture.civil.sync(subscription, pageSize: 10) }
        let stopped = try #require(try await fixture.stores[F.civil]!.subscriptions().first)
        #expect(stopped.cursor > 0)
        // The node restarts (a new engine on the same database) and the provider is back.
        fixture.inProcess.register(fixture.resources, at: EngineFixture.endpoint(F.resources))
        let restarted = try ExchangeEngine(
            id: F.civil, key: fixture.keys[F.civil]!, store: fixture.stores[F.civil]!,
            log: try await AuditLog(store: fixture.stores[F.civil]!, node: F.civil, signer: fixture.keys[F.civil]!),
            federation: fixture.federation, transport: fixture.inProcess)
        let rest = try await restarted.sync(stopped, pageSize: 10)
        #expect(rest.records == 10)
        // Every record once: 30 kept, each from exactly one receipt.
        let receipts = try await receiptHashes(fixture)
        var keys: [String] = []
        for hash in receipts {
            keys += try await fixture.stores[F.civil]!.receivedRecords(requestHash: hash).map(\.key)
        }
        #expect(keys.sorted() == (0..<30).map { String(format: "insured-%02d", $0) })
    }

    @Test("a withdrawal at the provider reaches the consumer, which purges the subject's data and logs it")
    func withdrawalPushed() async throws {
        let fixture = try await EngineFixture()
        let request = EngineFixture.consentRequest
        let received = try await fixture.civil.request(request, from: F.resources)
        #expect(received.records.count == 1)
        // The same person's record, received under statutory duty: the consent was not what allowed it.
        let statutory = try await fixture.civil.request(
            EngineFixture.insuranceRequest(selector: .keys(["insured-00"])), from: F.resources)
        #expect(statutory.records.first?.subject == F.consent.subject)
        let withdrawn = try await fixture.stores[F.resources]!.changeConsent(
            id: F.consent.id, to: .withdrawn, at: .now, by: "subject", reason: nil)
        let outcome = try await fixture.resources.notifyWithdrawal(of: withdrawn)
        #expect(outcome.told == [F.civil] && outcome.unreachable.isEmpty)
        #expect(try await fixture.stores[F.civil]!.receivedRecords(requestHash: received.requestHash).isEmpty)
        #expect(try await fixture.stores[F.civil]!.receivedRecords(requestHash: statutory.requestHash).count == 1)
        #expect(try await fixture.kinds(F.civil).last == .purge)
    }

    func lastReceipt(_ fixture: EngineFixture) async throws -> String {
        try #require(try await receiptHashes(fixture).last)
    }

    func receiptHashes(_ fixture: EngineFixture) async throws -> [String] {
        let store = fixture.stores[F.civil]!
        let count = try await store.auditSize()
        return try await store.auditEntries(0..<count).compactMap {
            let event = try JSONDecoder().decode(AuditEvent.self, from: Data($0))
            return event.kind == .receipt ? event.requestHash : nil
        }
    }
}

/// Passes requests to a real engine until it has answered `pagesBeforeFailing` exchanges, then answers 503
/// without a body, like a proxy in front of a node that went down.
final class FlakyService: ExchangeService, @unchecked Sendable {
    let engine: ExchangeEngine
    private let lock = NSLock()
    private var remaining: Int

    init(_ engine: ExchangeEngine, pagesBeforeFailing: Int) {
        self.engine = engine
        remaining = pagesBeforeFailing
    }

    func handle(path: String, body: [UInt8]) async -> TransportReply {
        let pass = lock.withLock {
            remaining -= 1
            return remaining >= 0
        }
        return pass ? await engine.handle(path: path, body: body) : TransportReply(status: 503, body: [])
    }

    func refuseTooLarge(path: String, limit: Int) async -> TransportReply {
        await engine.refuseTooLarge(path: path, limit: limit)
    }
}

@Suite("Exchange engine: catalogs and witnesses")
struct ExchangeEnginePeerTests {
    typealias F = FederationFixture

    @Test("a peer's catalog is pulled whole, then only its changes, and always hashes to the signed revision")
    func catalogs() async throws {
        let fixture = try await EngineFixture()
        let (first, changed) = try await fixture.civil.pullCatalog(from: F.security)
        #expect(first.entries.keys.sorted() == [F.secrets.id, F.household.id].sorted() && changed == 2)
        var renamed = F.household
        renamed.title = "Household registration (renamed)"
        _ = try await fixture.stores[F.security]!.importCatalogEntries([renamed], at: .now)
        let (second, changes) = try await fixture.civil.pullCatalog(from: F.security)
        #expect(changes == 1 && second.entries[F.household.id]?.title == renamed.title)
        #expect(try await fixture.stores[F.civil]!.peerCatalog(peer: F.security)?.revision == second.revision)
        #expect(try await fixture.civil.pullCatalog(from: F.security).changed == 0)
    }

    @Test("a witness checks consistency, cosigns, and the provider's stored checkpoint carries the cosignature")
    func witnessing() async throws {
        let fixture = try await EngineFixture()
        _ = try await fixture.civil.request(
            EngineFixture.insuranceRequest(selector: .keys(["insured-01"])), from: F.resources)
        let first = try await fixture.civil.witness(F.resources)
        #expect(first.previousSize == 0 && first.size > 0)
        _ = try await fixture.civil.request(
            EngineFixture.insuranceRequest(selector: .keys(["insured-02"])), from: F.resources)
        let second = try await fixture.civil.witness(F.resources)
        #expect(second.previousSize == first.size && second.size > first.size)
        let stored = try #require(try await fixture.stores[F.resources]!.auditCheckpoints().last)
        #expect(stored.note.contains("— \(F.civil) "), "the provider keeps the witness's cosignature")
        #expect(try await fixture.kinds(F.civil).last == .checkpointWitnessed)
        // The provider's bundle still verifies with its cosigned checkpoints.
        let path = fixture.directory.path("bundle")
        try await AuditBundle.export(
            store: fixture.stores[F.resources]!, node: F.resources, publicKey: fixture.keys[F.resources]!.publicKey,
            members: F.members, to: path)
        #expect(try BundleVerifier.verify(path).findings.isEmpty)
    }

    @Test("a provider that rewrote its log is caught by its witness: checkpoint-inconsistent")
    func forkCaught() async throws {
        let fixture = try await EngineFixture()
        _ = try await fixture.civil.request(
            EngineFixture.insuranceRequest(selector: .keys(["insured-01"])), from: F.resources)
        _ = try await fixture.civil.witness(F.resources)
        // The same node key, a different history: a log rebuilt from scratch with more entries.
        let forged = try SQLiteStore(path: fixture.directory.path("forged.sqlite"))
        try await forged.savePurposes(F.purposes)
        _ = try await forged.importCatalogEntries([F.insurance], at: .now)
        let log = try await AuditLog(store: forged, node: F.resources, signer: fixture.keys[F.resources]!)
        for index in 0..<20 {
            var event = AuditEvent(kind: .use, at: .now, node: F.resources)
            event.requestHash = AuditEvent.hash(Array("forged \(index)".utf8))
            event.purpose = "social-assistance"
            _ = try await log.append(event)
        }
        let impostor = try ExchangeEngine(
            id: F.resources, key: fixture.keys[F.resources]!, store: forged, log: log, federation: fixture.federation,
            transport: fixture.inProcess)
        fixture.inProcess.register(impostor, at: EngineFixture.endpoint(F.resources))
        let caught = await #expect(throws: ExchangeError.self) { try await fixture.civil.witness(F.resources) }
        #expect(caught?.code == "checkpoint-inconsistent", "\(String(describing: caught))")
    }
}

@Suite("Exchange engine: frequency limits")
struct ExchangeEngineFrequencyTests {
    typealias F = FederationFixture

    @Test("a purpose's frequency limit holds, also across a restart of the provider")
    func frequency() async throws {
        let fixture = try await EngineFixture()
        // Eligibility checks allow 3 requests a day per requester, resource and purpose.
        let request = EngineFixture.consentRequest
        for _ in 0..<3 { _ = try await fourthRefused(fixture.civil, request, expectRefusal: false) }
        #expect(try await fourthRefused(fixture.civil, request, expectRefusal: true))
        // The provider restarts: a new engine reads the day's decisions back from its log.
        let store = fixture.stores[F.resources]!
        let restarted = try ExchangeEngine(
            id: F.resources, key: fixture.keys[F.resources]!, store: store,
            log: try await AuditLog(store: store, node: F.resources, signer: fixture.keys[F.resources]!),
            federation: fixture.federation, transport: fixture.inProcess)
        #expect(try await restarted.warmUp() == 4)
        fixture.inProcess.register(restarted, at: EngineFixture.endpoint(F.resources))
        #expect(try await fourthRefused(fixture.civil, request, expectRefusal: true))
    }

    @Test("replayed copies of a request do not count against the frequency limit")
    func replaysDoNotCount() async throws {
        let fixture = try await EngineFixture()
        let request = EngineFixture.consentRequest
        let bytes = try fixture.envelope(request)
        // Copies sent at once (one is answered), then copies of a request already answered.
        let statuses = await fixture.provideAtOnce(bytes, copies: 6)
        #expect(statuses.sorted() == [200, 409, 409, 409, 409, 409])
        for _ in 0..<3 { #expect(await fixture.resources.provide(bytes).status == 409) }
        // Two more are allowed today: the replays were refused before they were counted.
        for _ in 0..<2 { _ = try await fourthRefused(fixture.civil, request, expectRefusal: false) }
        #expect(try await fourthRefused(fixture.civil, request, expectRefusal: true))
    }

    func fourthRefused(_ civil: ExchangeEngine, _ request: ExchangeRequest, expectRefusal: Bool) async throws -> Bool {
        do {
            _ = try await civil.request(request, from: F.resources)
            return false
        } catch {
            #expect(expectRefusal, "\(error)")
            return error.code == "frequency-exceeded"
        }
    }
}

@Suite("Exchange engine: review cases")
struct ExchangeEngineReviewTests {
    typealias F = FederationFixture

    @Test("a node whose key the provider does not know is told so, not handed an unreadable answer")
    func unknownKeyExplained() async throws {
        let fixture = try await EngineFixture()
        let stranger = try PrivateKey.generate(.ed25519)
        let store = fixture.stores[F.civil]!
        let impostor = try ExchangeEngine(
            id: F.civil, key: stranger, store: store,
            log: try await AuditLog(store: store, node: F.civil, signer: stranger), federation: fixture.federation,
            transport: fixture.inProcess)
        let refused = await #expect(throws: ExchangeError.self) {
            try await impostor.request(
                EngineFixture.insuranceRequest(selector: .keys(["insured-01"])), from: F.resources)
        }
        #expect(refused?.code == "unknown-key-id", "\(String(describing: refused))")
        #expect(refused?.reason.contains("federation file") == true)
    }

    @Test("a feed is pulled as often as its agreement says, not on every round")
    func feedsKeepTheirPeriod() async throws {
        let fixture = try await EngineFixture(insuranceRecords: 5)
        _ = try await ExchangeEngineSyncTests.approvedSubscription(fixture)
        let first = try await fixture.civil.syncSubscriptions()
        #expect(first.count == 1)
        #expect(try first.values.first?.get().records == 5, "the first round brings every record")
        let second = try await fixture.civil.syncSubscriptions()
        #expect(second.isEmpty, "a daily feed synced a moment ago waits for its day")
    }
}

@Suite("Exchange engine: probing and loose applications")
struct ExchangeEngineProbingTests {
    typealias F = FederationFixture

    @Test("filtering on a field that is not granted is refused: values of withheld fields cannot be probed")
    func probing() async throws {
        let fixture = try await EngineFixture()
        let probe = ExchangeRequest(
            resource: F.household.id, fields: ["householdId", "memberIdNumbers"],
            selector: .fieldEquals(field: "memberIdNumbers", value: "(never shared)"), purpose: "marriage-registration",
            legalBasis: .statutoryDuty)
        let refused = await #expect(throws: ExchangeError.self) {
            try await fixture.civil.request(probe, from: F.security)
        }
        #expect(refused?.code == "selector-not-granted", "\(String(describing: refused))")
        #expect(try await fixture.kinds(F.security).last == .requestRefused)
        var allowed = probe
        allowed.selector = .fieldEquals(field: "district", value: "Gulou")
        allowed.fields = ["householdId", "district"]
        #expect(try await fixture.civil.request(allowed, from: F.security).records.map(\.key) == ["hh-001"])
    }

    @Test("an application must ask for something conditional, and must not have ended already")
    func looseApplications() async throws {
        let fixture = try await EngineFixture()
        var application = AgreementApplication(
            id: "agr-loose-1", resource: F.insurance.id, fields: ["insuredId", "status"], purpose: "social-assistance",
            legalBasis: .statutoryDuty, basisReference: "Art. 1", validUntil: Timestamp.now.adding(seconds: 86_400))
        let unconditional = await #expect(throws: ExchangeError.self) {
            try await fixture.civil.apply(application, to: F.resources)
        }
        #expect(
            unconditional?.reason.contains("agreement.nothing-conditional") == true,
            "\(String(describing: unconditional))")
        application.fields = ["insuredId", "monthlyBase"]
        application.validUntil = Timestamp.now.adding(seconds: -86_400)
        let ended = await #expect(throws: ExchangeError.self) {
            try await fixture.civil.apply(application, to: F.resources)
        }
        #expect(ended?.reason.contains("agreement.already-ended") == true)
        application.validUntil = Timestamp.now.adding(seconds: 86_400)
        #expect(try await fixture.civil.apply(application, to: F.resources).agreement.state == .applied)
    }

    @Test("a request may leave out empty consents and subjects and a false strict")
    func lenientDefaults() throws {
        let minimal =
            #"{"fields":["insuredId"],"purpose":"social-assistance","resource":"gov.human-resources/social-insurance-status","selector":{"all":true}}"#
        let request = try JSONDecoder().decode(ExchangeRequest.self, from: Data(minimal.utf8))
        #expect(request.consentIDs.isEmpty && request.subjects.isEmpty && !request.strict && request.legalBasis == nil)
    }
}

@Suite("Exchange engine: refusal sentences")
struct ExchangeEngineSentenceTests {
    typealias F = FederationFixture

    @Test("a request missing a member is refused naming the member and its path, not a decoder dump")
    func missingMember() async throws {
        let fixture = try await EngineFixture()
        let bytes = try fixture.envelope(
            payload: Array(#"{"fields":["insuredId"],"purpose":"social-assistance","selector":{"all":true}}"#.utf8))
        let reply = await fixture.resources.provide(bytes)
        let refusal = try #require(try fixture.response(reply).refusal)
        #expect(refusal.code == "bad-request")
        #expect(refusal.reason.contains("$.resource: the ExchangeRequest needs 'resource'"), "\(refusal.reason)")
        #expect(!refusal.reason.contains("CodingKeys"))
    }
}
