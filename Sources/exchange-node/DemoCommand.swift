import ArgumentParser
import Foundation
import Logging
import Seamless
import SeamlessCLI
import SeamlessCrypto
import SeamlessHTTP

/// The whole system in a minute, for a newcomer: three departments' nodes on this machine exchange
/// records over HTTP, and an auditor checks every log at the end.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Three departments' nodes exchange records over HTTP on this machine; an auditor checks them.",
        discussion: """
            Builds a temporary federation of Public Security, Civil Affairs and Human Resources from
            Schemas/examples (catalogs, responsibility lists, purposes, consents, agreements, records), starts
            their nodes on 127.0.0.1 with free ports and their own SQLite files, and walks through: an
            unconditional request, a conditional one (apply, approve, fetch), a consent-based one, a wrong
            purpose, a consent withdrawal with the purge at the receiver, an incremental sync, a replayed
            request; then exports every node's audit bundle and verifies, replays and cross-checks them.
            Exits 0 when every step behaved as it must. Nothing keeps running afterwards.

            Examples:
              swift run exchange-node demo
              swift run exchange-node demo --keep /tmp/seamless-demo
            """
    )

    @Option(help: "Keep the federation folder (node folders, bundles) here for exploring.") var keep: String?
    @Option(help: "The examples folder (default: Schemas/examples of this checkout).") var examples: String?

    func run() async throws {
        let started = ContinuousClock.now
        let examples = try Self.findExamples(self.examples)
        let folder: String
        if let keep {
            guard !FileManager.default.fileExists(atPath: keep) else {
                throw CommandFailure.usage("'\(keep)' exists; --keep writes a new folder")
            }
            folder = keep
        } else {
            folder =
                FileManager.default.temporaryDirectory.appendingPathComponent("seamless-demo-\(UUID().uuidString)").path
        }
        try Files.makeDirectory(folder)
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: folder) } }

        let walk = Walkthrough()
        print("Seamless demo — three departments, each with its own node, keys and database, on this machine.")
        let demo = DemoFederation(folder: folder + "/nodes", examples: examples)
        var logger = Logger(label: "exchange-node-demo")
        logger.logLevel = .critical
        do {
            try await demo.build()
            _ = try await demo.start(logger: logger)
            try await walkthrough(demo, walk)
            try await demo.stop()
        } catch {
            try? await demo.stop()
            throw error
        }
        try await audit(demo, folder: folder, walk)

        let elapsed = ContinuousClock.now - started
        let failed = walk.checks.filter { !$0.1 }
        print("")
        if failed.isEmpty {
            print(
                "Verdict: PASS — all \(walk.checks.count) checks held; the nodes are stopped (\(Self.seconds(elapsed)) s)."
            )
        } else {
            print("Verdict: FAIL — \(failed.count) of \(walk.checks.count) checks did not hold:")
            for (what, _) in failed { print("  ✗ \(what)") }
        }
        if let keep {
            print("")
            print(
                "Kept in \(keep): nodes/<department>/ (node.json, keys, node.sqlite, federation.json), bundles/. Try:")
            print("  swift run exchange-node serve --node \(keep)/nodes/human-resources --listen 127.0.0.1:0")
            print("  swift run exchange-audit replay \(keep)/bundles/gov.human-resources")
        }
        if !failed.isEmpty { throw ExitCode(1) }
    }

    /// Collects the checks and prints steps.
    final class Walkthrough {
        var checks: [(String, Bool)] = []
        func step(_ title: String) { print("\n▸ \(title)") }
        func say(_ line: String) { print("  \(line)") }
        func check(_ what: String, _ passed: Bool) {
            checks.append((what, passed))
            say("\(passed ? "✓" : "✗") \(what)")
        }
    }

    static let security = "gov.public-security"
    static let civil = "gov.civil-affairs"
    static let resources = "gov.human-resources"

    private func walkthrough(_ demo: DemoFederation, _ walk: Walkthrough) async throws {
        walk.step("The federation")
        for department in DemoFederation.departments {
            walk.say(
                "\(department.id.padding(toLength: 20, withPad: " ", startingAt: 0)) \(demo.endpoints[department.id] ?? "?")  \(demo.summaries[department.id] ?? "")"
            )
        }
        walk.say(
            "federation gov.example-city v2, signed by the federation authority: each node trusts exactly these keys")
        let civil = demo.engines[Self.civil]!
        let enrolment = "gov.human-resources/social-insurance-enrolment-status"
        let household = "gov.public-security/household-registration"
        let contributions = "gov.human-resources/social-insurance-contributions"

        walk.step("1. An unconditional request")
        walk.say("Civil Affairs asks Human Resources whether hr-100001 is insured, to check eligibility for the")
        walk.say("minimum living allowance (purpose social-assistance.eligibility, statutory duty).")
        let first = try await civil.request(
            ExchangeRequest(
                resource: enrolment, fields: ["insuredId", "pensionEnrolled", "medicalEnrolled", "statusDate"],
                selector: .keys(["hr-100001"]), purpose: "social-assistance.eligibility", legalBasis: .statutoryDuty),
            from: Self.resources)
        walk.check(
            "granted: \(first.records.count) record, fields \(first.decision.grant?.fields.joined(separator: ", ") ?? "")",
            first.records.count == 1)
        walk.say("Human Resources logged request-received, decision and disclosure; Civil Affairs logged the receipt")
        walk.say("and keeps the record \(first.decision.grant?.dataLifeDays ?? 0) days, for that purpose only.")
        let used = try await civil.use(requestHash: first.requestHash, for: "social-assistance.eligibility")
        walk.check("used for the purpose it was asked for (logged as use)", used.count == 1)
        do {
            _ = try await civil.use(requestHash: first.requestHash, for: "marriage-registration")
            walk.check("use for another purpose refused", false)
        } catch {
            walk.check("use for marriage-registration refused: \(error.code)", error.code == "purpose-mismatch")
        }

        walk.step("2. A conditional request: apply, approve, fetch")
        let householdRequest = ExchangeRequest(
            resource: household, fields: ["householdId", "district", "members", "memberIdNumber"],
            selector: .keys(["ps-300001"]), purpose: "marriage-registration.verify-household",
            legalBasis: .statutoryDuty)
        do {
            _ = try await civil.request(householdRequest, from: Self.security)
            walk.check("refused without an agreement", false)
        } catch {
            walk.check("without an agreement: refused, \(error.code)", error.code == "agreement-required")
        }
        let application = AgreementApplication(
            id: "agr-demo-0001", resource: household, fields: ["householdId", "district", "members"],
            purpose: "marriage-registration.verify-household", legalBasis: .statutoryDuty,
            basisReference: "Marriage Registration Regulations Art. 7",
            validUntil: Timestamp.now.adding(seconds: 365 * 86_400), subscription: Subscription(every: .daily))
        let applied = try await civil.apply(application, to: Self.security)
        walk.say(
            "Civil Affairs applies (agr-demo-0001: householdId, district, members; daily feed). Public Security must answer by \(applied.deadline.map { "\($0)" } ?? "?") (working days)."
        )
        let approved = try await demo.stores[Self.security]!.transitionAgreement(
            id: application.id,
            AgreementEvent(state: .approved, at: .now, by: "Director, Household Registration Division"))
        var transition = AuditEvent(kind: .agreementTransition, at: .now, node: Self.security)
        transition.peer = Self.civil
        transition.resource = household
        transition.agreementID = approved.id
        transition.agreementState = .approved
        _ = try await demo.logs[Self.security]!.append(transition)
        walk.say("The approver approves it (what `exchange-node agreement approve` does).")
        let fetched = try await civil.request(householdRequest, from: Self.security)
        walk.check(
            "granted under agr-demo-0001: \(fetched.records.count) record; memberIdNumber withheld (labelled none)",
            fetched.decision.basis.agreementID == "agr-demo-0001"
                && fetched.records.first?.fields["memberIdNumber"] == nil
                && fetched.decision.grant?.withheld.contains("memberIdNumber") == true)

        walk.step("3. A consent-based request for personal data")
        walk.say("Civil Affairs asks Human Resources for the contributions of subj-7f3a91c2, who consented")
        walk.say("(consent-2026-000117, purpose social-assistance.eligibility, one purpose, withdrawable).")
        let consentRequest = ExchangeRequest(
            resource: contributions, fields: ["insuredId", "contributionStatus", "monthlyBase"], selector: .all,
            purpose: "social-assistance.eligibility", legalBasis: .consent, consentIDs: ["consent-2026-000117"],
            subjects: ["subj-7f3a91c2"])
        let consented = try await civil.request(consentRequest, from: Self.resources)
        walk.check(
            "granted: only that subject's \(consented.records.count) record, though the selector asked for all",
            consented.records.count == 1 && consented.records.allSatisfy { $0.subject == "subj-7f3a91c2" })

        walk.step("4. A wrong purpose")
        do {
            _ = try await civil.request(
                ExchangeRequest(
                    resource: enrolment, fields: ["insuredId"], selector: .keys(["hr-100001"]),
                    purpose: "marriage-registration", legalBasis: .statutoryDuty),
                from: Self.resources)
            walk.check("refused for a purpose the resource does not serve", false)
        } catch {
            walk.check(
                "refused: \(error.code) — \(error.reason.split(separator: ":").last.map { String($0).trimmingCharacters(in: .whitespaces) } ?? "")",
                error.code == "purpose-not-allowed")
        }

        walk.step("5. The subject withdraws consent")
        let store = demo.stores[Self.resources]!
        let withdrawn = try await store.changeConsent(
            id: "consent-2026-000117", to: .withdrawn, at: .now, by: "subject", reason: "asked at the counter")
        var status = AuditEvent(kind: .consentStatus, at: .now, node: Self.resources)
        status.consentID = withdrawn.record.id
        status.consentState = .withdrawn
        _ = try await demo.logs[Self.resources]!.append(status)
        let told = try await demo.engines[Self.resources]!.notifyWithdrawal(of: withdrawn)
        let kept = try await demo.stores[Self.civil]!.receivedRecords(requestHash: consented.requestHash)
        walk.check(
            "Human Resources told \(told.told.joined(separator: ", ")); it purged the subject's data and logged the purge",
            told.told == [Self.civil] && kept.isEmpty)
        do {
            _ = try await civil.request(consentRequest, from: Self.resources)
            walk.check("asking again is refused", false)
        } catch {
            walk.check("asking again: refused, \(error.code)", error.code == "consent-withdrawn")
        }

        walk.step("6. An incremental sync")
        let agreement = try await civil.agreementStatus(id: "agr-demo-0001", at: Self.security).agreement
        try await civil.subscribe(agreement)
        var subscription = try Self.require(
            try await demo.stores[Self.civil]!.subscriptions().first,
            "Civil Affairs has no subscription to agr-demo-0001 after subscribing to it")
        let initial = try await civil.sync(subscription, pageSize: 20)
        walk.check(
            "Civil Affairs follows agr-demo-0001: the first sync brings \(initial.records) households in \(initial.pages) pages",
            initial.records == 30)
        var changed = try Self.require(
            try await demo.stores[Self.security]!.records(
                matching: RecordQuery(resource: household, selector: .keys(["ps-300002"]), limit: 1)

            ).first, "the examples have no household ps-300002; the demo needs Schemas/examples as shipped")
        changed.fields["district"] = .string("临江区")
        changed.updatedAt = .now
        _ = try await demo.stores[Self.security]!.upsertRecords([changed])
        walk.say("Public Security updates household ps-300002 (moved district).")
        subscription = try Self.require(
            try await demo.stores[Self.civil]!.subscriptions().first,
            "Civil Affairs has no subscription to agr-demo-0001 after subscribing to it")
        let incremental = try await civil.sync(subscription, pageSize: 20)
        walk.check("the next sync brings just that change: \(incremental.records) record", incremental.records == 1)

        walk.step("7. A replayed request")
        let replay = try demo.transport.lastRequest(to: demo.endpoints[Self.resources]! + ExchangeEngine.exchangePath)
        let replayed = try await demo.transport.post(
            replay, to: demo.endpoints[Self.resources]!, path: ExchangeEngine.exchangePath)
        let answer = try EnvelopeOpener(trust: try demo.federation!.trustStore(), audience: .node(Self.civil))
            .open(replayed.body).decode(ExchangeResponse.self)
        walk.say("Someone resends Civil Affairs' last request to Human Resources, byte for byte.")
        walk.check(
            "refused: \(answer.refusal?.code ?? "?") (HTTP \(replayed.status)), logged by Human Resources as request-refused",
            replayed.status == 409 && answer.refusal?.code == "replayed-nonce")

        walk.step("8. The nodes sync as peers")
        walk.say("Each node pulls the others' catalogs and witnesses their audit logs: it checks each new checkpoint")
        walk.say("is consistent with the last one it saw, cosigns it, and logs checkpoint-witnessed.")
        var problems: [String: ExchangeError] = [:]
        for department in DemoFederation.departments {
            for (peer, problem) in await demo.engines[department.id]!.syncPeers() {
                problems["\(department.id) → \(peer)"] = problem
            }
        }
        let catalogs = try await demo.stores[Self.civil]!.peerCatalog(peer: Self.security)?.entries.count ?? 0
        let cosigned =
            try await demo.stores[Self.resources]!.auditCheckpoint(size: nil)?.note
            .split(separator: "\n").filter { $0.hasPrefix("— ") }.count ?? 0
        walk.check(
            "6 witness rounds, no inconsistency; Civil Affairs knows Public Security's \(catalogs) resources; Human Resources' latest checkpoint carries \(cosigned) signatures (its own and 2 witnesses')",
            problems.isEmpty && catalogs > 0 && cosigned == 3)
        for (pair, problem) in problems.sorted(by: { $0.key < $1.key }) { walk.say("    \(pair): \(problem)") }
    }

    private func audit(_ demo: DemoFederation, folder: String, _ walk: Walkthrough) async throws {
        walk.step("9. The auditor")
        walk.say("Each node's audit bundle is exported; exchange-audit verifies, replays and cross-checks them.")
        let bundles = folder + "/bundles"
        try Files.makeDirectory(bundles)
        var paths: [String: String] = [:]
        for department in DemoFederation.departments {
            let path = bundles + "/" + department.id
            let node = demo.nodes[department.id]!
            try await AuditBundle.export(
                store: demo.stores[department.id]!, node: department.id,
                publicKey: try node.privateKey().publicKey, members: Set(DemoFederation.departments.map(\.id)),
                to: path)
            paths[department.id] = path
            let verified = try BundleVerifier.verify(path)
            let replayed = try AuditReplay.run(path)
            walk.check(
                "\(department.id): \(verified.entryCount) entries verified against its signed checkpoints; replay made \(replayed.decisionsReplayed) decisions again: \(replayed.findings.isEmpty ? "no findings" : "\(replayed.findings.count) findings")",
                verified.findings.isEmpty && replayed.findings.isEmpty)
            for finding in (verified.findings.map(\.description) + replayed.findings.map(\.description)).prefix(5) {
                walk.say("    \(finding)")
            }
        }
        for provider in [Self.resources, Self.security] {
            let crossed = try CrossCheck.run(paths[provider]!, paths[Self.civil]!)
            walk.check(
                "cross-check \(provider) ↔ \(Self.civil): every disclosure has its receipt\(crossed.unmatched.isEmpty ? "" : " — \(crossed.unmatched.count) unmatched")",
                crossed.unmatched.isEmpty)
        }
    }

    /// `value`, or a clear error when the examples lack what the demo relies on.
    /// `value`, or an error saying what the demo found missing (`what`, a whole sentence).
    static func require<T>(_ value: T?, _ what: String) throws -> T {
        guard let value else { throw CommandFailure.io(what) }
        return value
    }

    /// `Schemas/examples` of this checkout: given, or found above the working folder or the executable.
    static func findExamples(_ given: String?) throws -> String {
        if let given {
            guard FileManager.default.fileExists(atPath: given + "/catalog-entry") else {
                throw CommandFailure.usage("'\(given)' is not an examples folder (no catalog-entry/ in it)")
            }
            return given
        }
        var starts = [FileManager.default.currentDirectoryPath]
        if let executable = Bundle.main.executablePath {
            starts.append((executable as NSString).deletingLastPathComponent)
        }
        for start in starts {
            var folder = start
            for _ in 0..<8 {
                let candidate = folder + "/Schemas/examples"
                if FileManager.default.fileExists(atPath: candidate + "/catalog-entry") { return candidate }
                folder = (folder as NSString).deletingLastPathComponent
            }
        }
        throw CommandFailure.usage(
            "cannot find Schemas/examples; run the demo from the Seamless checkout or give --examples DIR")
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.1f", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}
