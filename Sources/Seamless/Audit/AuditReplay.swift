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
        func read(_ name: String) -> Data? {
            try? Data(contentsOf: URL(fileURLWithPath: path + "/" + name), options: .mappedIfSafe)
        }
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
                    missing("line \(line) of \(name) cannot be read, so replay cannot use it")
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
        guard let entries = read("entries.jsonl") else {
            throw BundleUnreadable(reason: "the bundle has no entries.jsonl")
        }
        let first = verification.manifest.first ?? 0
        let decoded = decodeEvents(entries)
        for line in decoded.unreadable {
            missing("line \(line) of entries.jsonl cannot be read, so replay cannot use it", sequence: first + line)
        }
        let events = decoded.events
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

        // Timestamps are whole seconds, so a consent withdrawn or an agreement approved in the same second as a
        // decision cannot be ordered by time; the log orders them. Where a status change was logged after
        // the decision, it did not count for it.
        var loggedAt: [String: Int] = [:]
        var changeSeconds = Set<Int64>()
        for event in events {
            guard let sequence = event.sequence else { continue }
            if event.kind == .consentStatus, let id = event.consentID, let state = event.consentState {
                loggedAt["consent \(id) \(state.rawValue) \(event.at.secondsSince1970)"] = sequence
                changeSeconds.insert(event.at.secondsSince1970)
            } else if event.kind == .agreementTransition, let id = event.agreementID, let state = event.agreementState {
                loggedAt["agreement \(id) \(state.rawValue) \(event.at.secondsSince1970)"] = sequence
                changeSeconds.insert(event.at.secondsSince1970)
            }
        }
        func loggedAfter(_ kind: String, _ id: String, _ state: String, _ at: Timestamp, _ decision: Int) -> Bool {
            (loggedAt["\(kind) \(id) \(state) \(at.secondsSince1970)"] ?? -1) > decision
        }
        /// The snapshot as it stood when entry `sequence` was decided at `at`.
        func asDecided(_ snapshot: PolicySnapshot, at moment: Timestamp, sequence: Int) -> PolicySnapshot {
            // Only a decision in the same second as a logged change can be affected: the common case is free.
            guard changeSeconds.contains(moment.secondsSince1970) else { return snapshot }
            let lateConsent = { (status: ConsentStatus) in
                status.history.contains {
                    $0.at == moment && loggedAfter("consent", status.record.id, $0.state.rawValue, $0.at, sequence)
                }
            }
            let lateAgreement = { (agreement: Agreement) in
                agreement.history.contains {
                    $0.at == moment && loggedAfter("agreement", agreement.id, $0.state.rawValue, $0.at, sequence)
                }
            }
            guard
                snapshot.consents.values.contains(where: lateConsent)
                    || snapshot.allAgreements.contains(where: lateAgreement)
            else { return snapshot }
            let trimmedConsents = snapshot.consents.values.compactMap { status -> ConsentStatus? in
                var status = status
                status.history.removeAll {
                    $0.at == moment && loggedAfter("consent", status.record.id, $0.state.rawValue, $0.at, sequence)
                }
                return status.history.isEmpty ? nil : status
            }
            let trimmedAgreements = snapshot.allAgreements.compactMap { agreement -> Agreement? in
                var agreement = agreement
                agreement.history.removeAll {
                    $0.at == moment && loggedAfter("agreement", agreement.id, $0.state.rawValue, $0.at, sequence)
                }
                guard let last = agreement.history.last else { return nil }
                agreement.state = last.state
                return agreement
            }
            return PolicySnapshot(
                node: snapshot.node, catalog: snapshot.catalog, members: snapshot.members, purposes: snapshot.purposes,
                consents: trimmedConsents, agreements: trimmedAgreements)
        }

        var decisions: [String: (sequence: Int, decision: PolicyDecision, request: AccessRequest)] = [:]
        var receipts: [String: (sequence: Int, event: AuditEvent)] = [:]
        var purged: [String: Timestamp] = [:]
        var replayed = 0
        // Earlier decisions per requester, resource and purpose, for the frequency limits.
        var requestTimes: [String: RequestWindow] = [:]
        for event in events {
            let sequence = event.sequence ?? 0
            switch event.kind {
            case .decision:
                guard let request = event.request, let recorded = event.decision, let hash = event.requestHash else {
                    continue
                }
                decisions[hash] = (sequence, recorded, request)
                guard let current = snapshot(recorded.basis.catalogRevision) else {
                    findings.append(
                        ReplayFinding(
                            rule: "missing-input", sequence: sequence, department: request.requester,
                            message:
                                "catalog revision \(recorded.basis.catalogRevision) is not in the bundle, so the decision cannot be made again"
                        ))
                    continue
                }
                let snapshot = asDecided(current, at: request.at, sequence: sequence)
                replayed += 1
                // The frequency check counts the requester's earlier decisions in this log within the period.
                var recent = 0
                if let period = snapshot.purposes.match(request.purpose)?.limits.frequency?.per.seconds {
                    recent = requestTimes[
                        RequestWindow.key(request), default: RequestWindow()
                    ].count(before: request.at, within: period)
                }
                let again = snapshot.decide(request, recentRequests: recent)
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
                                "the decision made again from the bundle's inputs differs: \(difference(recorded, again))"
                        ))
                }
            case .disclosure:
                guard let hash = event.requestHash else { continue }
                guard let decided = decisions[hash], let grant = decided.decision.grant else {
                    if first > 0 && decisions[hash] == nil {
                        missing(
                            "records of '\(event.resource ?? "?")' were disclosed to \(event.peer ?? "?"); the decision is not in this bundle, which starts at entry \(first)",
                            sequence: sequence)
                        continue
                    }
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
                    if first > 0 {
                        missing(
                            "data was used for '\(purpose)'; its receipt is not in this bundle, which starts at entry \(first)",
                            sequence: sequence)
                        continue
                    }
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
        let end = decoded.lastAt ?? verification.manifest.exportedAt
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

    /// The kinds replay reads; the others are checked by ``BundleVerifier`` alone.
    private static let replayedKinds: [AuditEvent.Kind] = [
        .decision, .disclosure, .receipt, .use, .purge, .consentStatus, .agreementTransition,
    ]
    private static let replayedKindNames: [[UInt8]] = replayedKinds.map { Array($0.rawValue.utf8) }

    /// Decodes the events of the kinds replay reads, on every core; an entry whose kind cannot even be
    /// skimmed is listed as unreadable (by line), as are replayed kinds that do not decode.
    static func decodeEvents(_ file: Data) -> (events: [AuditEvent], unreadable: [Int], lastAt: Timestamp?) {
        file.withUnsafeBytes { file in
            let lines = EntryLines(file).ranges
            var results = [Result<AuditEvent?, LineError>](repeating: .success(nil), count: lines.count)
            let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, lines.count / 1024))
            results.withUnsafeMutableBufferPointer { results in
                let shared = UncheckedSendable((results, file, lines))
                DispatchQueue.concurrentPerform(iterations: parts) { part in
                    let (results, file, lines) = shared.value
                    let parser = JSONParser()
                    for line in (lines.count * part / parts)..<(lines.count * (part + 1) / parts) {
                        let bytes = UnsafeRawBufferPointer(rebasing: file[lines[line]])
                        guard let members = JSONSkimmer.topLevelMembers(of: bytes, wanted: ["kind"]),
                            let kind = members[0]
                        else {
                            results[line] = .failure(LineError())
                            continue
                        }
                        guard replayedKindNames.contains(where: { $0.elementsEqual(bytes[kind]) }) else { continue }
                        do {
                            results[line] = .success(try AuditEvent(json: try parser.parse(bytes)))
                        } catch {
                            results[line] = .failure(LineError())
                        }
                    }
                }
            }
            // When the log ends, whatever the kind of its last entry.
            let lastAt = lines.last.flatMap { range -> Timestamp? in
                let bytes = UnsafeRawBufferPointer(rebasing: file[range])
                guard let at = JSONSkimmer.topLevelMembers(of: bytes, wanted: ["at"])?[0] else { return nil }
                return Timestamp(rfc3339: String(decoding: bytes[at], as: UTF8.self))
            }
            var events: [AuditEvent] = []
            var unreadable: [Int] = []
            for (line, result) in results.enumerated() {
                switch result {
                case .success(let event?): events.append(event)
                case .success(nil): continue
                case .failure: unreadable.append(line)
                }
            }
            return (events, unreadable, lastAt)
        }
    }

    private struct LineError: Error {}

    /// What differs between a recorded decision and the one made again, in a sentence.
    static func difference(_ recorded: PolicyDecision, _ again: PolicyDecision) -> String {
        func outcome(_ decision: PolicyDecision) -> String {
            if let grant = decision.grant { return "granted \(grant.fields.joined(separator: ", "))" }
            return "denied (\(decision.denial.map { "\($0.code)" } ?? "?"))"
        }
        var parts: [String] = []
        if outcome(recorded) != outcome(again) {
            parts.append("recorded \(outcome(recorded)), made again \(outcome(again))")
        }
        if let a = recorded.grant, let b = again.grant {
            if a.withheld != b.withheld {
                parts.append("withheld \(a.withheld) recorded, \(b.withheld) made again")
            }
            if a.dataLifeDays != b.dataLifeDays {
                parts.append("data life \(a.dataLifeDays) days recorded, \(b.dataLifeDays) made again")
            }
        }
        let (a, b) = (recorded.basis, again.basis)
        if a.catalogRevision != b.catalogRevision {
            parts.append("catalog revision \(a.catalogRevision) vs \(b.catalogRevision)")
        }
        if a.matchedPurpose != b.matchedPurpose {
            parts.append(
                "matched purpose \(a.matchedPurpose ?? "none") recorded, \(b.matchedPurpose ?? "none") made again")
        }
        if a.legalBasis != b.legalBasis {
            parts.append(
                "legal basis \(a.legalBasis.map(\.rawValue) ?? "none") recorded, \(b.legalBasis.map(\.rawValue) ?? "none") made again"
            )
        }
        if a.consentIDs != b.consentIDs {
            parts.append("consents \(a.consentIDs) recorded, \(b.consentIDs) made again")
        }
        if a.agreementID != b.agreementID {
            parts.append("agreement \(a.agreementID ?? "none") recorded, \(b.agreementID ?? "none") made again")
        }
        return parts.isEmpty ? "the decisions differ in a member not listed here" : parts.joined(separator: "; ")
    }

    /// The violation a grant shows when deciding again denies it with `code`.
    static func violation(for code: PolicyDenial.Code) -> String {
        switch code {
        case .consentWithdrawn: "access-after-withdrawal"
        case .consentMissing, .consentNotFound, .consentExpired, .consentPaused, .consentNotYetValid, .consentMismatch:
            "access-without-consent"
        case .purposeNotAllowed, .purposeUnknown: "purpose-not-allowed"
        case .fieldsNotShareable, .unknownField: "fields-beyond-grant"
        case .frequencyExceeded: "frequency-exceeded"
        default: "unauthorised-access"
        }
    }
}
