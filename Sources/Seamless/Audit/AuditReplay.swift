import Foundation

/// A rule broken, found by replaying a bundle.
public struct ReplayFinding: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The rule, e.g. `access-after-withdrawal`.
    public var rule: String
    /// The entry that shows it.
    public var sequence: Int?
    /// The other department involved.
    public var department: String?
    /// What happened.
    public var message: String

    public var description: String {
        "\(rule)\(sequence.map { " (entry \($0))" } ?? ""): \(message)"
    }
}

/// What replaying a bundle found.
public struct ReplayReport: Sendable, Codable {
    /// The log replayed.
    public var origin: String
    /// Entries read.
    public var entries: Int
    /// Decisions made again.
    public var decisionsReplayed: Int
    /// Everything found, in entry order.
    public var findings: [ReplayFinding]
}

/// Makes every recorded decision again from the bundle's catalog revisions, consents, agreements, purposes
/// and members, and checks what followed each decision: disclosures within the grant, uses within the
/// purpose received for, deletion by the end of the data life, answers to applications within the
/// deadline. Integrity problems found by ``BundleVerifier`` are reported first, under rule `integrity`.
public enum AuditReplay {
    /// Replays the bundle in the folder `path`. `asOf` is the moment data lives are judged at; by default
    /// the later of the last entry and the manifest's export time (which is not signed: an auditor who
    /// knows when the bundle was made should say so).
    public static func run(_ path: String, asOf: Timestamp? = nil) throws(BundleUnreadable) -> ReplayReport {
        let verification = try BundleVerifier.verify(path)
        var findings = verification.findings.map {
            ReplayFinding(rule: "integrity", sequence: $0.sequence, department: nil, message: $0.description)
        }
        func read(_ name: String) -> Data? { try? Data(contentsOf: URL(fileURLWithPath: path + "/" + name)) }
        // Nothing unreadable is skipped silently: each input that cannot be read is a finding.
        func missing(_ message: String, sequence: Int? = nil) {
            findings.append(ReplayFinding(rule: "missing-input", sequence: sequence, department: nil, message: message))
        }
        func decodeLines<T: Decodable>(_ type: T.Type, _ name: String) -> [T] {
            guard let data = read(name) else {
                missing("\(name) is not in the bundle")
                return []
            }
            return data.split(separator: 0x0A).enumerated().compactMap { line, bytes in
                do {
                    return try JSONDecoder().decode(T.self, from: Data(bytes))
                } catch {
                    missing(
                        "line \(line) of \(name) cannot be read, so replay cannot use it",
                        sequence: name == "entries.jsonl" ? line : nil)
                    return nil
                }
            }
        }
        func decodeFile<T: Decodable>(_ type: T.Type, _ name: String, required: Bool = true) -> T? {
            guard let data = read(name) else {
                if required { missing("\(name) is not in the bundle") }
                return nil
            }
            do {
                return try JSONDecoder().decode(T.self, from: data)
            } catch {
                missing("\(name) cannot be read: \(error)")
                return nil
            }
        }
        let events = decodeLines(AuditEvent.self, "entries.jsonl")
        let consents = decodeLines(ConsentStatus.self, "consents.jsonl")
        let agreements = decodeLines(Agreement.self, "agreements.jsonl")
        let purposes = decodeFile(PurposeRegistry.self, "purposes.json") ?? PurposeRegistry(purposes: [])
        let members = Set(decodeFile([String].self, "members.json") ?? [])
        let calendar = decodeFile(WorkingCalendar.self, "calendar.json", required: false)
        let lists = decodeFile([ResponsibilityList].self, "responsibility-lists.json") ?? []
        let node = verification.manifest.node
        var snapshots: [String: PolicySnapshot] = [:]
        func snapshot(_ revision: String) -> PolicySnapshot? {
            if let cached = snapshots[revision] { return cached }
            let name = "catalog/" + revision.replacingOccurrences(of: "sha256:", with: "") + ".json"
            guard let data = read(name), let entries = try? JSONDecoder().decode([CatalogEntry].self, from: data) else {
                return nil
            }
            let built = PolicySnapshot(
                node: node, catalog: Catalog(entries: entries), members: members, purposes: purposes,
                consents: consents, agreements: agreements)
            snapshots[revision] = built
            return built
        }

        var decisions: [String: (sequence: Int, decision: PolicyDecision, request: AccessRequest)] = [:]
        var receipts: [String: (sequence: Int, event: AuditEvent)] = [:]
        var purged: [String: Timestamp] = [:]
        var replayed = 0
        for event in events {
            let sequence = event.sequence ?? 0
            switch event.kind {
            case .decision:
                guard let request = event.request, let recorded = event.decision, let hash = event.requestHash else {
                    continue
                }
                decisions[hash] = (sequence, recorded, request)
                guard let snapshot = snapshot(recorded.basis.catalogRevision) else {
                    findings.append(
                        ReplayFinding(
                            rule: "missing-input", sequence: sequence, department: request.requester,
                            message:
                                "catalog revision \(recorded.basis.catalogRevision) is not in the bundle, so the decision cannot be made again"
                        ))
                    continue
                }
                replayed += 1
                // The frequency check depends on the log itself; replay judges every other input.
                let again = snapshot.decide(request, recentRequests: 0)
                if again == recorded { continue }
                if recorded.grant != nil, let denial = again.denial {
                    findings.append(
                        ReplayFinding(
                            rule: violation(for: denial.code), sequence: sequence, department: request.requester,
                            message:
                                "'\(request.resource)' was granted to \(request.requester) but should have been refused: \(denial)"
                        ))
                } else {
                    findings.append(
                        ReplayFinding(
                            rule: "decision-mismatch", sequence: sequence, department: request.requester,
                            message:
                                "the recorded decision differs from the decision made again from the bundle's inputs"))
                }
            case .disclosure:
                guard let hash = event.requestHash else { continue }
                guard let decided = decisions[hash], let grant = decided.decision.grant else {
                    findings.append(
                        ReplayFinding(
                            rule: "disclosure-without-grant", sequence: sequence, department: event.peer,
                            message:
                                "records of '\(event.resource ?? "?")' were disclosed to \(event.peer ?? "?") without a granted decision for that request"
                        ))
                    continue
                }
                let extra = (event.fields ?? []).filter { !grant.fields.contains($0) }
                if !extra.isEmpty {
                    findings.append(
                        ReplayFinding(
                            rule: "fields-beyond-grant", sequence: sequence, department: event.peer,
                            message:
                                "disclosed \(extra.joined(separator: ", ")), which the decision at entry \(decided.sequence) did not grant"
                        ))
                }
            case .receipt:
                if let hash = event.requestHash { receipts[hash] = (sequence, event) }
            case .use:
                guard let hash = event.requestHash, let purpose = event.purpose else { continue }
                guard let receipt = receipts[hash] else {
                    findings.append(
                        ReplayFinding(
                            rule: "use-without-receipt", sequence: sequence, department: nil,
                            message: "data was used for '\(purpose)' but no receipt for that request is in the log"))
                    continue
                }
                if let received = receipt.event.purpose, !PurposeCode.is(purpose, within: received) {
                    findings.append(
                        ReplayFinding(
                            rule: "use-for-other-purpose", sequence: sequence, department: receipt.event.peer,
                            message:
                                "data received for '\(received)' (entry \(receipt.sequence)) was used for '\(purpose)'")
                    )
                }
                if let expires = receipt.event.expiresAt, event.at >= expires {
                    findings.append(
                        ReplayFinding(
                            rule: "kept-past-data-life", sequence: sequence, department: receipt.event.peer,
                            message: "data was used at \(event.at), after its data life ended at \(expires)"))
                }
            case .purge:
                if let hash = event.requestHash { purged[hash] = purged[hash] ?? event.at }
            default:
                continue
            }
        }
        let end = events.last?.at ?? verification.manifest.exportedAt
        let bundleEnd = asOf ?? max(end, verification.manifest.exportedAt)
        for (hash, receipt) in receipts.sorted(by: { $0.value.sequence < $1.value.sequence }) {
            guard let expires = receipt.event.expiresAt else { continue }
            let gone = purged[hash]
            if let gone, gone <= expires { continue }
            if gone == nil && bundleEnd < expires { continue }
            findings.append(
                ReplayFinding(
                    rule: "kept-past-data-life", sequence: receipt.sequence, department: receipt.event.peer,
                    message:
                        "data received at entry \(receipt.sequence) had to be deleted by \(expires) but was \(gone.map { "purged only at \($0)" } ?? "never purged")"
                ))
        }
        let ownAgreements = agreements.filter { ResourceID.node(of: $0.resource) == node }
        if calendar == nil && !ownAgreements.isEmpty {
            missing(
                "there is no calendar.json, so the reply deadline\(ownAgreements.count == 1 ? " of 1 agreement" : "s of \(ownAgreements.count) agreements") cannot be checked"
            )
        }
        if let calendar {
            for agreement in ownAgreements {
                guard let applied = agreement.appliedAt else { continue }
                let days =
                    lists.first { $0.department == node }?.responsibility(for: agreement.resource)?.approver?.replyDays
                    ?? Approver.defaultReplyDays
                guard let deadline = try? calendar.adding(workingDays: days, to: applied.day) else {
                    missing("the calendar does not cover the reply deadline of application \(agreement.id)")
                    continue
                }
                let answer = agreement.history.first { $0.state == .approved || $0.state == .rejected }
                if let answer, answer.at.day > deadline {
                    findings.append(
                        ReplayFinding(
                            rule: "answered-late", sequence: nil, department: agreement.requester,
                            message:
                                "application \(agreement.id) was answered on \(answer.at.day), after its deadline \(deadline) (\(days) working days)"
                        ))
                } else if answer == nil, agreement.state == .applied, bundleEnd.day > deadline {
                    findings.append(
                        ReplayFinding(
                            rule: "unanswered-late", sequence: nil, department: agreement.requester,
                            message:
                                "application \(agreement.id) was still unanswered on \(bundleEnd.day), past its deadline \(deadline) (\(days) working days)"
                        ))
                }
            }
        }
        return ReplayReport(
            origin: verification.manifest.origin, entries: verification.entryCount, decisionsReplayed: replayed,
            findings: findings)
    }

    /// The violation a grant shows when deciding again denies it with `code`.
    static func violation(for code: PolicyDenial.Code) -> String {
        switch code {
        case .consentWithdrawn: "access-after-withdrawal"
        case .consentMissing, .consentNotFound, .consentExpired, .consentPaused, .consentNotYetValid, .consentMismatch:
            "access-without-consent"
        case .purposeNotAllowed, .purposeUnknown: "purpose-not-allowed"
        case .fieldsNotShareable, .unknownField: "fields-beyond-grant"
        default: "unauthorised-access"
        }
    }
}
