extension PolicySnapshot {
    /// Decides `request`. Deny by default: the request is granted only if every check passes, in the order
    /// of `Docs/POLICY.md`, and a denial names the first that failed.
    ///
    /// - Parameter recentRequests: how many requests this requester made for this resource and purpose in
    ///   the purpose's frequency period before `request.at` (from the audit log); the frequency check is
    ///   the only input that is not in the snapshot.
    public func decide(_ request: AccessRequest, recentRequests: Int = 0) -> PolicyDecision {
        var basis = DecisionBasis(
            catalogRevision: catalog.revision, purpose: request.purpose, legalBasis: request.legalBasis,
            consentIDs: request.consentIDs
        )
        func deny(_ code: PolicyDenial.Code, _ reason: String) -> PolicyDecision {
            PolicyDecision(outcome: .denied(PolicyDenial(code, reason)), basis: basis)
        }

        // 1. The requester is a federation member (its key was checked when its envelope was opened).
        guard members.contains(request.requester) else {
            return deny(.requesterUnknown, "'\(request.requester)' is not a member of the federation")
        }
        // 2. The resource exists and is shared at all.
        guard let entry = catalog.entries[request.resource] else {
            return deny(
                .resourceNotFound, "'\(request.resource)' is not in \(node)'s catalog (revision \(catalog.revision))")
        }
        if case .notShared(let legalBasis) = entry.sharing {
            return deny(.resourceNotShared, "'\(entry.id)' is not shared: \(legalBasis)")
        }
        // 3. A conditional resource needs an active agreement for this requester and purpose.
        var agreement = activeAgreement(request)
        if case .conditional(let condition) = entry.sharing {
            guard let agreement else {
                return deny(
                    .agreementRequired,
                    "'\(entry.id)' is shared only under an approved agreement (\(condition)); '\(request.requester)' has none in force for purpose '\(request.purpose)'"
                )
            }
            basis.agreementID = agreement.id
        } else if let found = agreement {
            // An unconditional resource needs no agreement: one on another legal basis is simply not used,
            // and only the fields it would have opened are withheld.
            if found.legalBasis == request.legalBasis {
                basis.agreementID = found.id
            } else {
                agreement = nil
            }
        }
        // 4. The purpose is one the resource serves, registered, and within its limits.
        guard entry.purposes.contains(where: { PurposeCode.is(request.purpose, within: $0) }) else {
            return deny(
                .purposeNotAllowed,
                "'\(entry.id)' may be requested for \(entry.purposes.joined(separator: ", ")), not for '\(request.purpose)'"
            )
        }
        guard let purpose = purposes.match(request.purpose) else {
            return deny(.purposeUnknown, "purpose '\(request.purpose)' is not in the purpose registry")
        }
        basis.matchedPurpose = purpose.code
        var dataLife = purpose.limits.maxDataLifeDays
        if let asked = request.dataLifeDays {
            guard asked <= dataLife else {
                return deny(
                    .dataLifeExceeded, "purpose '\(purpose.code)' allows keeping data \(dataLife) days, not \(asked)")
            }
            dataLife = asked
        }
        // 5. A legal basis the purpose allows; for consent, a consent in force for every subject.
        guard let legalBasis = request.legalBasis else {
            return deny(.legalBasisMissing, "the request names no legal basis")
        }
        guard purpose.limits.legalBases.contains(legalBasis) else {
            let allowed = purpose.limits.legalBases.map(\.rawValue).joined(separator: ", ")
            return deny(
                .legalBasisNotAllowed, "purpose '\(purpose.code)' may rely on \(allowed), not on \(legalBasis.rawValue)"
            )
        }
        if let agreement, agreement.legalBasis != legalBasis {
            return deny(
                .legalBasisNotAllowed,
                "agreement '\(agreement.id)' was approved on the \(agreement.legalBasis.rawValue) basis; requests under it cannot rely on \(legalBasis.rawValue)"
            )
        }
        var consentFields: [String]?
        if legalBasis == .consent {
            switch checkConsents(request, resource: entry.id) {
            case .failure(let denial):
                return PolicyDecision(outcome: .denied(denial), basis: basis)
            case .success(let (fields, consentLife)):
                consentFields = fields
                if let asked = request.dataLifeDays, asked > consentLife {
                    return deny(
                        .dataLifeExceeded, "the consents relied on allow keeping data \(consentLife) days, not \(asked)"
                    )
                }
                dataLife = min(dataLife, consentLife)
            }
        }
        // 6. Only fields that exist, and of those only the ones this requester may get (minimised).
        var granted: [String] = []
        var withheld: [String] = []
        granted.reserveCapacity(request.fields.count)
        // Requests name a handful of fields: a linear duplicate check beats allocating a set.
        for field in request.fields where !granted.contains(field) && !withheld.contains(field) {
            guard let item = entry.item(named: field) else {
                return deny(.unknownField, "'\(entry.id)' has no field '\(field)'")
            }
            if Self.mayShare(item, of: entry, agreement: agreement, consentFields: consentFields) {
                granted.append(field)
            } else {
                withheld.append(field)
            }
        }
        if granted.isEmpty {
            return deny(
                .fieldsNotShareable,
                request.fields.isEmpty
                    ? "the request names no fields"
                    : "none of the requested fields of '\(entry.id)' may be shared with '\(request.requester)' (\(withheld.joined(separator: ", ")))"
            )
        }
        if request.strict && !withheld.isEmpty {
            return deny(
                .fieldsNotShareable,
                "strict request: fields \(withheld.joined(separator: ", ")) of '\(entry.id)' may not be shared with '\(request.requester)'"
            )
        }
        // 7. Frequency.
        if let limit = purpose.limits.frequency, recentRequests >= limit.count {
            return deny(
                .frequencyExceeded,
                "purpose '\(purpose.code)' allows \(limit.count) requests per \(limit.per.rawValue) for one resource; '\(request.requester)' has made \(recentRequests)"
            )
        }
        return PolicyDecision(
            outcome: .granted(Grant(fields: granted, withheld: withheld, dataLifeDays: dataLife)), basis: basis)
    }

    /// The agreement in force for the request's requester, resource and purpose (or a broader purpose it
    /// falls under); with several, one on the request's legal basis first, then the one granting the most
    /// of the requested fields, then the lowest id.
    func activeAgreement(_ request: AccessRequest) -> Agreement? {
        guard let candidates = agreements[request.requester]?[request.resource] else { return nil }
        var best: Agreement?
        var bestCoverage = -1
        for agreement in candidates
        where PurposeCode.is(request.purpose, within: agreement.purpose) && agreement.isActive(at: request.at) {
            // An agreement on the request's own legal basis always beats one on another basis.
            let coverage = request.fields.reduce(agreement.legalBasis == request.legalBasis ? 1 << 20 : 0) {
                $0 + (agreement.fields.contains($1) ? 1 : 0)
            }
            if coverage > bestCoverage {
                best = agreement
                bestCoverage = coverage
            }
        }
        return best
    }

    /// Checks the consents a consent-based request names; returns the fields they all cover and the
    /// shortest data life among them.
    func checkConsents(_ request: AccessRequest, resource: String) -> Result<([String], Int), PolicyDenial> {
        guard !request.subjects.isEmpty else {
            return .failure(PolicyDenial(.consentMissing, "a consent-based request must name the subjects it is for"))
        }
        guard !request.consentIDs.isEmpty else {
            return .failure(
                PolicyDenial(.consentMissing, "the legal basis is consent but the request names no consent"))
        }
        var covered: [String] = []
        var fields: [String]?
        var dataLife = Int.max
        for id in request.consentIDs {
            guard let status = consents[id] else {
                return .failure(PolicyDenial(.consentNotFound, "consent '\(id)' is not recorded here"))
            }
            let record = status.record
            guard PurposeCode.is(request.purpose, within: record.purpose) else {
                return .failure(
                    PolicyDenial(
                        .consentMismatch, "consent '\(id)' is for purpose '\(record.purpose)', not '\(request.purpose)'"
                    ))
            }
            guard record.recipients.contains(request.requester) else {
                return .failure(
                    PolicyDenial(
                        .consentMismatch, "consent '\(id)' does not name '\(request.requester)' as a recipient"))
            }
            let scope = record.fields(of: resource)
            guard !scope.isEmpty else {
                return .failure(PolicyDenial(.consentMismatch, "consent '\(id)' does not cover '\(resource)'"))
            }
            switch status.state(at: request.at) {
            case .active: break
            case .withdrawn:
                let when = status.history.last { $0.state == .withdrawn }?.at
                return .failure(
                    PolicyDenial(.consentWithdrawn, "consent '\(id)' was withdrawn\(when.map { " at \($0)" } ?? "")"))
            case .paused:
                return .failure(PolicyDenial(.consentPaused, "consent '\(id)' is paused"))
            case .expired:
                return .failure(PolicyDenial(.consentExpired, "consent '\(id)' expired at \(record.expiry)"))
            case .notYetValid:
                return .failure(PolicyDenial(.consentNotYetValid, "consent '\(id)' starts at \(record.start)"))
            }
            covered.append(record.subject)
            fields = fields.map { current in current.filter { scope.contains($0) } } ?? scope
            dataLife = min(dataLife, record.dataLifeDays)
        }
        if let missing = request.subjects.first(where: { !covered.contains($0) }) {
            return .failure(
                PolicyDenial(.consentMissing, "no consent named in the request covers subject '\(missing)'"))
        }
        return .success((fields ?? [], dataLife))
    }

    /// Whether `item` may go to the requester: never if labelled none; if conditional (itself or through
    /// its resource) only when the agreement grants it; under consent only when every consent covers it.
    static func mayShare(
        _ item: DataItem, of entry: CatalogEntry, agreement: Agreement?, consentFields: [String]?
    ) -> Bool {
        if let consentFields, !consentFields.contains(item.name) { return false }
        switch entry.effectiveSharing(of: item) {
        case .notShared: return false
        case .conditional: return agreement?.fields.contains(item.name) ?? false
        case .unconditional:
            if case .conditional = entry.sharing { return agreement?.fields.contains(item.name) ?? false }
            return true
        }
    }
}
