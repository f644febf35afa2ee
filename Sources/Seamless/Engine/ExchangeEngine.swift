import Foundation
import SeamlessCrypto

/// The exchange engine of one node, both sides: as a provider it answers signed requests (verify, refuse
/// replays, decide, log, select, minimise, sign); as a consumer it asks peers, verifies their answers,
/// logs the receipt and keeps the records for their purpose and data life. Every step that discloses or
/// keeps data is in the audit log before the data moves.
public final class ExchangeEngine: ExchangeService, Sendable {
    /// The node id.
    public let id: String
    /// Where the node's state lives.
    public let store: any Store
    /// The node's audit log.
    public let log: AuditLog
    /// How the node reaches peers.
    public let transport: any Transport
    /// The `iat` window requests must fall in; nonces are remembered for as long.
    public let time: EnvelopeOpener.TimeCheck
    /// What the engine did, for `/metrics`.
    public let metrics = EngineMetrics()
    let sealer: EnvelopeSealer
    /// Seals answers of more than ``bulkPayloadBytes``: zlib level 1 deflates a 2 MB page about three
    /// times faster than level 6 for about a quarter more bytes, and bulk pages are where the CPU goes.
    let bulkSealer: EnvelopeSealer
    /// An answer of more than this many canonical bytes is sealed with ``bulkSealer``.
    static let bulkPayloadBytes = 64 << 10
    let state: EngineState
    let clock: @Sendable () -> Date

    /// Answers may be larger than requests: a page of up to 10,000 records.
    static let answerLimits = EnvelopeOpener.Limits(maxEnvelopeBytes: 64 << 20)

    /// The path requests are posted to.
    public static let exchangePath = "/v1/exchange"
    /// The path applications for conditional resources are posted to.
    public static let applyPath = "/v1/agreements/apply"
    /// The path an applicant asks for the state of its application at.
    public static let agreementStatusPath = "/v1/agreements/status"
    /// The path a provider tells a consumer at that a subject withdrew the consent it received data under.
    public static let withdrawalPath = "/v1/consents/withdrawn"
    /// The path a peer asks for this node's signed catalog (whole, or changed since a revision) at.
    public static let catalogPath = "/v1/catalog"
    /// The path a witness asks for this node's latest checkpoint (and a consistency proof) at.
    public static let checkpointPath = "/v1/audit/checkpoint"
    /// The path a witness returns its cosignature of a checkpoint to.
    public static let cosignPath = "/v1/audit/cosign"

    /// Creates the engine of node `id`, signing with `key`, trusting the keys of `federation`.
    public init(
        id: String, key: PrivateKey, store: any Store, log: AuditLog, federation: Federation,
        transport: any Transport, time: EnvelopeOpener.TimeCheck = .standard,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        guard federation.member(id) != nil else {
            throw FederationError(.invalid, "\(id) is not a member of federation \(federation.federation)")
        }
        self.id = id
        self.store = store
        self.log = log
        self.transport = transport
        self.time = time
        self.sealer = try EnvelopeSealer(key: key, issuer: id)
        self.bulkSealer = try EnvelopeSealer(key: key, issuer: id, compressionLevel: 1)
        self.state = EngineState(federation: federation, trust: try federation.trustStore())
        self.clock = clock
    }

    /// Reads the decisions of the last frequency period back from the audit log, so the purposes' frequency
    /// limits count the requests made before this engine started (as an auditor's replay counts them).
    /// Returns how many decisions it read. Call once before serving.
    @discardableResult
    public func warmUp() async throws -> Int {
        let purposes = try await store.purposes()
        let longest = purposes.purposes.compactMap { $0.limits.frequency?.per.seconds }.max() ?? 0
        guard longest > 0 else { return 0 }
        let cutoff = Timestamp(clock()).adding(seconds: -longest)
        var end = await log.size
        var decisions: [AccessRequest] = []
        let parser = JSONParser()
        scan: while end > 0 {
            let start = max(0, end - 10_000)
            for entry in try await store.auditEntries(start..<end).reversed() {
                // Only decisions count: the others are skimmed for their time, not read.
                let skimmed = entry.withUnsafeBytes { bytes -> (at: Timestamp?, isDecision: Bool)? in
                    guard let members = JSONSkimmer.topLevelMembers(of: bytes, wanted: ["at", "kind"]) else {
                        return nil
                    }
                    let at = members[0].flatMap { Timestamp(rfc3339: String(decoding: bytes[$0], as: UTF8.self)) }
                    let isDecision = members[1].map { bytes[$0].elementsEqual("decision".utf8) } ?? false
                    return (at, isDecision)
                }
                guard let skimmed, let at = skimmed.at else { continue }
                if at < cutoff { break scan }
                guard skimmed.isDecision, let event = try? AuditEvent(json: try parser.parse(entry)),
                    let request = event.request
                else { continue }
                decisions.append(request)
            }
            end = start
        }
        await state.seed(decisions.reversed())
        return decisions.count
    }

    /// Replaces the federation (a newer signed file); an older version is refused.
    public func update(federation: Federation) async throws {
        try await state.update(federation: federation, trust: try federation.trustStore())
    }

    /// The federation the node trusts now.
    public var federation: Federation {
        get async { await state.federation }
    }

    public func handle(path: String, body: [UInt8]) async -> TransportReply {
        switch path {
        case Self.exchangePath: return await provide(body)
        case Self.applyPath: return await receiveApplication(body)
        case Self.agreementStatusPath: return await answerAgreementStatus(body)
        case Self.withdrawalPath: return await receiveWithdrawal(body)
        case Self.catalogPath: return await answerCatalog(body)
        case Self.checkpointPath: return await answerCheckpoint(body)
        case Self.cosignPath: return await receiveCosignature(body)
        default: return TransportReply(status: 404, body: [])
        }
    }

    public func refuseTooLarge(path: String, limit: Int) async -> TransportReply {
        return refuse(
            413, "too-large", "the body exceeds \(limit) bytes; it was not read", requestHash: nil, to: nil)
    }

    // MARK: Provider

    /// A verified request: who sent it, its hash, when it arrived.
    struct Caller {
        let opened: OpenedEnvelope
        let requester: String
        let requestHash: String
        let moment: Date
        /// The nonce still to remember, in the same commit as the request's first log entries (when
        /// ``authenticate(_:nonceWithFirstEntry:)`` was asked to leave it).
        let nonce: StoreChange?

        /// The nonce to write with the first entries, if it is still to be written.
        var nonceChanges: [StoreChange] { nonce.map { [$0] } ?? [] }
    }

    /// Verifies a request envelope and its nonce; a refusal (signed, and logged when the signature
    /// verified) when it does not pass. With `nonceWithFirstEntry` the nonce is not written here but handed
    /// back in ``Caller/nonce``, to commit with the request's first log entries: one sync instead of two. A
    /// replay is then refused when that commit finds the nonce taken, and the commit leaves nothing.
    func authenticate(_ bytes: [UInt8], nonceWithFirstEntry: Bool = false) async -> Result<Caller, RefusalReply> {
        let requestHash = AuditEvent.hash(bytes)
        let moment = clock()
        let opener = EnvelopeOpener(
            trust: await state.trust, audience: .node(id), acceptedTypes: [.request], time: time)
        let opened: OpenedEnvelope
        do {
            opened = try opener.open(bytes, now: moment)
        } catch {
            // Only a refusal of a genuinely signed envelope is logged (and answered to its signer): anyone
            // can send garbage, and the log is not theirs to fill.
            let code = error.code.description
            var signer: String?
            if let kid = error.verifiedKeyID {
                signer = await state.trust.key(for: kid)?.nodeID
                await logRefusal(requestHash: requestHash, code: code, peer: signer, at: moment)
            }
            return .failure(
                RefusalReply(
                    refuse(Self.status(forEnvelope: code), code, error.reason, requestHash: requestHash, to: signer)))
        }
        let requester = opened.header.issuer
        let until = Timestamp(secondsSince1970: opened.header.issuedAt + Self.nonceLifetime(time))
        if nonceWithFirstEntry {
            // Checked now all the same, so a replay is refused before it is decided (a decision counts
            // against the purpose's frequency limit): copies in flight here, then those already written.
            let nonce = StoreChange.rememberNonce(
                issuer: requester, nonce: opened.header.nonce, at: Timestamp(moment), until: until)
            guard let key = nonce.nonceKey, await state.claim(nonce: key) else {
                return .failure(await refuseReplay(requestHash: requestHash, from: requester, at: moment))
            }
            do {
                if try await store.isNonceRemembered(opened.header.nonce, issuer: requester) {
                    await state.release(nonce: key)
                    return .failure(await refuseReplay(requestHash: requestHash, from: requester, at: moment))
                }
            } catch {
                await state.release(nonce: key)
                return .failure(
                    RefusalReply(
                        refuse(
                            503, "unavailable", "the node cannot check the nonce: \(error)", requestHash: requestHash,
                            to: requester)))
            }
            return .success(
                Caller(opened: opened, requester: requester, requestHash: requestHash, moment: moment, nonce: nonce))
        }
        do {
            let remembered = try await store.rememberNonce(
                opened.header.nonce, issuer: requester, at: Timestamp(moment), until: until)
            guard remembered else {
                return .failure(await refuseReplay(requestHash: requestHash, from: requester, at: moment))
            }
        } catch {
            return .failure(
                RefusalReply(
                    refuse(
                        503, "unavailable", "the node cannot check the nonce: \(error)", requestHash: requestHash,
                        to: requester)))
        }
        return .success(
            Caller(opened: opened, requester: requester, requestHash: requestHash, moment: moment, nonce: nil))
    }

    /// The logged refusal of a request whose nonce was used already.
    func refuseReplay(requestHash: String, from requester: String, at moment: Date) async -> RefusalReply {
        await logRefusal(requestHash: requestHash, code: "replayed-nonce", peer: requester, at: moment)
        return RefusalReply(
            refuse(
                409, "replayed-nonce", "this nonce was used already: every request needs a fresh one",
                requestHash: requestHash, to: requester))
    }

    /// A refusal already signed, as a failure.
    struct RefusalReply: Error {
        let reply: TransportReply
        init(_ reply: TransportReply) { self.reply = reply }
    }

    /// Verifies a request envelope (its nonce written at once) and reads its payload as `T`: the caller and
    /// the message, or the signed refusal to answer with.
    func authenticated<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) async -> Result<(Caller, T), RefusalReply> {
        switch await authenticate(bytes) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let caller): return await payload(T.self, of: caller).map { (caller, $0) }
        }
    }

    /// Reads the caller's payload as `T`; a logged `bad-request` refusal when it does not decode.
    func payload<T: Decodable>(_ type: T.Type, of caller: Caller) async -> Result<T, RefusalReply> {
        do {
            return .success(try caller.opened.decode(T.self))
        } catch {
            return .failure(await badRequest(caller, "the request cannot be read: \(error.reason)"))
        }
    }

    func badRequest(_ caller: Caller, _ reason: String) async -> RefusalReply {
        let replayed = await logRefusal(
            requestHash: caller.requestHash, code: "bad-request", peer: caller.requester, at: caller.moment,
            applying: caller.nonceChanges)
        if replayed {
            return await refuseReplay(requestHash: caller.requestHash, from: caller.requester, at: caller.moment)
        }
        return RefusalReply(refuse(400, "bad-request", reason, requestHash: caller.requestHash, to: caller.requester))
    }

    /// Answers one request envelope.
    public func provide(_ bytes: [UInt8]) async -> TransportReply {
        let caller: Caller
        switch await authenticate(bytes, nonceWithFirstEntry: true) {
        case .success(let verified): caller = verified
        case .failure(let refusal): return refusal.reply
        }
        let reply = await answer(caller)
        // Written (or refused) with the request's first entries by now.
        if let key = caller.nonce?.nonceKey { await state.release(nonce: key) }
        return reply
    }

    /// Answers an authenticated exchange request.
    private func answer(_ caller: Caller) async -> TransportReply {
        let request: ExchangeRequest
        switch await payload(ExchangeRequest.self, of: caller) {
        case .success(let decoded): request = decoded
        case .failure(let refusal): return refusal.reply
        }
        let problems = request.problems()
        guard problems.isEmpty else { return await badRequest(caller, problems.joined(separator: "; ")).reply }
        do {
            return try await decideAndAnswer(request, for: caller)
        } catch let error as StoreError where error.code == .replayed {
            return await refuseReplay(requestHash: caller.requestHash, from: caller.requester, at: caller.moment).reply
        } catch {
            return refuse(
                503, "unavailable", "the node could not answer: \(error)", requestHash: caller.requestHash,
                to: caller.requester)
        }
    }

    // MARK: Consent withdrawal

    /// Tells every peer that received records under consent `consentID` that the subject withdrew it, so
    /// they purge the data. Returns the peers told, and those that could not be reached (tell them again).
    /// - Throws: `unavailable` when the node cannot read which peers received the subject's data.
    public func notifyWithdrawal(
        of consent: ConsentStatus
    ) async throws(ExchangeError) -> (told: [String], unreachable: [String: String]) {
        guard let withdrawn = consent.history.last(where: { $0.state == .withdrawn }) else { return ([], [:]) }
        let peers: [String]
        do {
            peers = try await store.peersHolding(subject: consent.record.subject, consentID: consent.record.id)
        } catch {
            throw ExchangeError(
                code: "unavailable",
                reason: "the node cannot read which peers received the subject's data, so none was told: \(error)")
        }
        var told: [String] = []
        var unreachable: [String: String] = [:]
        let notice = ConsentWithdrawalNotice(
            consentID: consent.record.id, subject: consent.record.subject, withdrawnAt: withdrawn.at)
        for peer in peers {
            do {
                let _: PurgeReceipt = try await call(Self.withdrawalPath, notice, peer)
                told.append(peer)
            } catch {
                unreachable[peer] = error.description
            }
        }
        return (told, unreachable)
    }

    /// Purges what this node received from the sender about the withdrawn subject, logging each purge.
    func receiveWithdrawal(_ bytes: [UInt8]) async -> TransportReply {
        let (caller, notice): (Caller, ConsentWithdrawalNotice)
        switch await authenticated(ConsentWithdrawalNotice.self, bytes) {
        case .success(let read): (caller, notice) = read
        case .failure(let refusal): return refusal.reply
        }
        do {
            let requests = try await store.receivedRequests(
                provider: caller.requester, subject: notice.subject, consentID: notice.consentID)
            let moment = Timestamp(caller.moment)
            for (index, requestHash) in requests.enumerated() {
                var event = AuditEvent(kind: .purge, at: moment, node: id)
                event.peer = caller.requester
                event.requestHash = requestHash
                event.consentID = notice.consentID
                event.reason = "consent-withdrawn"
                // One transaction deletes what came under this consent; each request gets its purge entry.
                let changes: [StoreChange] =
                    index == 0
                    ? [.purgeConsent(provider: caller.requester, subject: notice.subject, consentID: notice.consentID)]
                    : []
                _ = try await log.append(event, applying: changes)
            }
            metrics.purged(requests: requests.count)
            let receipt = PurgeReceipt(requestHash: caller.requestHash, purgedRequests: requests.count)
            return try TransportReply(status: 200, body: seal(receipt, to: caller.requester))
        } catch {
            return refuse(
                503, "unavailable", "the node could not purge: \(error)", requestHash: caller.requestHash,
                to: caller.requester)
        }
    }

    // MARK: Agreements (provider)

    /// Records an application for one of this node's conditional resources, from its requester.
    func receiveApplication(_ bytes: [UInt8]) async -> TransportReply {
        let (caller, application): (Caller, AgreementApplication)
        switch await authenticated(AgreementApplication.self, bytes) {
        case .success(let read): (caller, application) = read
        case .failure(let refusal): return refusal.reply
        }
        let moment = Timestamp(caller.moment)
        let agreement = application.agreement(requester: caller.requester, at: moment)
        do {
            var issues = agreement.validationIssues()
            let catalog = try await store.currentCatalog()
            issues += agreement.issues(against: catalog)
            // An agreement is for what cannot be had without one: a conditional resource or conditional fields.
            if let entry = catalog.entries[agreement.resource] {
                let conditional = agreement.fields.contains { name in
                    guard let item = entry.item(named: name) else { return false }
                    if case .conditional = entry.effectiveSharing(of: item) { return true }
                    return false
                }
                if !conditional {
                    issues.append(
                        ValidationIssue(
                            path: "$.fields", rule: "agreement.nothing-conditional",
                            message:
                                "every field asked for is shared without an agreement; request them directly instead"))
                }
            }
            if agreement.validUntil <= moment {
                issues.append(
                    ValidationIssue(
                        path: "$.validUntil", rule: "agreement.already-ended",
                        message: "the agreement would end at \(agreement.validUntil), before it is applied for"))
            }
            if ResourceID.node(of: agreement.resource) != id {
                issues.append(
                    ValidationIssue(
                        path: "$.resource", rule: "agreement.wrong-provider",
                        message: "\(agreement.resource) is not a resource of \(id)"))
            }
            guard issues.isEmpty else {
                return await badRequest(caller, issues.map(\.description).joined(separator: "; ")).reply
            }
            do {
                try await store.recordAgreement(agreement)
            } catch let error as StoreError where error.code == .alreadyExists {
                return refuse(
                    409, "already-exists", "agreement \(agreement.id) exists already; apply with a new id",
                    requestHash: caller.requestHash, to: caller.requester)
            }
            var event = AuditEvent(kind: .agreementTransition, at: moment, node: id)
            event.peer = caller.requester
            event.resource = agreement.resource
            event.agreementID = agreement.id
            event.agreementState = .applied
            event.requestHash = caller.requestHash
            _ = try await log.append(event)
            let answer = AgreementReply(
                requestHash: caller.requestHash, agreement: agreement, deadline: try await replyDeadline(agreement))
            return try TransportReply(status: 201, body: seal(answer, to: caller.requester))
        } catch {
            return refuse(
                503, "unavailable", "the node could not record the application: \(error)",
                requestHash: caller.requestHash, to: caller.requester)
        }
    }

    /// The state of one of the caller's applications.
    func answerAgreementStatus(_ bytes: [UInt8]) async -> TransportReply {
        let (caller, query): (Caller, AgreementStatusQuery)
        switch await authenticated(AgreementStatusQuery.self, bytes) {
        case .success(let read): (caller, query) = read
        case .failure(let refusal): return refusal.reply
        }
        do {
            // Another department's agreement is as unknown to the caller as one that does not exist.
            guard let agreement = try await store.agreement(id: query.id), agreement.requester == caller.requester
            else {
                return refuse(
                    404, "not-found", "\(caller.requester) has no agreement \(query.id) with \(id)",
                    requestHash: caller.requestHash, to: caller.requester)
            }
            let answer = AgreementReply(
                requestHash: caller.requestHash, agreement: agreement, deadline: try await replyDeadline(agreement))
            return try TransportReply(status: 200, body: seal(answer, to: caller.requester))
        } catch {
            return refuse(
                503, "unavailable", "the node could not read the agreement: \(error)", requestHash: caller.requestHash,
                to: caller.requester)
        }
    }

    /// The last day the approver may answer, for an application still waiting; nil when answered or when
    /// the node has no calendar covering it.
    private func replyDeadline(_ agreement: Agreement) async throws -> CivilDate? {
        guard agreement.state == .applied, let applied = agreement.appliedAt,
            let calendar = try await store.calendar()
        else { return nil }
        let days =
            try await store.responsibilityLists().first { $0.department == id }?
            .responsibility(for: agreement.resource)?.approver?.replyDays ?? Approver.defaultReplyDays
        return try? calendar.adding(workingDays: days, to: applied.day)
    }

    /// Decides `request`, logs it (with the caller's nonce) and answers. Throws ``StoreError/Code/replayed``
    /// when the nonce was used already; nothing is logged or sent then.
    private func decideAndAnswer(_ request: ExchangeRequest, for caller: Caller) async throws -> TransportReply {
        let (requester, requestHash, moment) = (caller.requester, caller.requestHash, Timestamp(caller.moment))
        var received = AuditEvent(kind: .requestReceived, at: moment, node: id)
        received.peer = requester
        received.requestHash = requestHash
        received.resource = request.resource

        let snapshot = try await state.snapshot(store: store, node: id)
        let access = AccessRequest(
            requester: requester, resource: request.resource, fields: request.fields, purpose: request.purpose,
            legalBasis: request.legalBasis, consentIDs: request.consentIDs, subjects: request.subjects,
            dataLifeDays: request.dataLifeDays, strict: request.strict, at: moment)
        let recent = await state.recentRequests(access, purposes: snapshot.purposes)
        let decision = snapshot.decide(access, recentRequests: recent)
        var decided = AuditEvent(kind: .decision, at: moment, node: id)
        decided.requestHash = requestHash
        decided.request = access
        decided.decision = decision
        // Received and decided in one commit with the nonce: the decision is durable before any record is
        // read, and a replay leaves no entry (the request it repeats is counted once).
        let decisionSequence: Int
        do {
            decisionSequence =
                try await log.append(contentsOf: [received, decided], applying: caller.nonceChanges) + 1
        } catch let error as StoreError where error.code == .replayed {
            await state.forget(access, purposes: snapshot.purposes)
            throw error
        }
        guard let grant = decision.grant else {
            metrics.denied(decision.denial.map { "\($0.code)" } ?? "denied")
            let response = ExchangeResponse(
                requestHash: requestHash, decision: decision, auditSequence: decisionSequence)
            return try TransportReply(status: 403, body: seal(response, to: requester))
        }

        // Filtering on a field that is not granted would let the requester probe its values.
        if case .fieldEquals(let field, _) = request.selector, !grant.fields.contains(field) {
            await logRefusal(requestHash: requestHash, code: "selector-not-granted", peer: requester, at: moment.date)
            return refuse(
                403, "selector-not-granted",
                "the selector filters on '\(field)', which this request is not granted; filter on a granted field",
                requestHash: requestHash, to: requester)
        }
        let limit = min(request.limit ?? ExchangeRequest.defaultPageSize, ExchangeRequest.maxPageSize)
        var selector = request.selector
        // Under consent, only the records of the subjects the consents cover may leave.
        let allowedSubjects: Set<String>? = access.legalBasis == .consent ? Set(request.subjects) : nil
        if let allowedSubjects {
            switch selector {
            case .all: selector = .subjects(request.subjects)
            case .subjects(let asked): selector = .subjects(asked.filter { allowedSubjects.contains($0) })
            default: break
            }
        }
        var page = try await store.storedRecords(
            matching: RecordQuery(
                resource: request.resource, selector: selector, after: request.after, limit: limit + 1))
        let isFeed: Bool
        if case .changedSince = selector { isFeed = true } else { isFeed = false }
        let next = page.count > limit ? (isFeed ? String(page[limit - 1].version) : page[limit - 1].key) : nil
        if page.count > limit { page.removeLast(page.count - limit) }
        if let allowedSubjects { page.removeAll { !allowedSubjects.contains($0.subject ?? "") } }
        // Minimised, and written from the stored canonical bytes (`AnswerPage`).
        let granted = Set(grant.fields)
        let records = try page.map { record throws(StoreError) in
            (record: record, fields: try AnswerPage.grantedFields(of: record, granted: granted))
        }
        let response = ExchangeResponse(
            requestHash: requestHash, decision: decision, next: next, auditSequence: decisionSequence)
        let payload: [UInt8]
        if let page = AnswerPage.canonicalJSON(of: response, records: records, versions: isFeed) {
            payload = page
        } else {
            // The page cannot be spliced into this response's bytes: written the general way instead.
            var whole = response
            whole.records = try records.map { record, fields throws(StoreError) in
                ResponseRecord(
                    key: record.key, subject: record.subject,
                    fields: try StoredRecord.fields(fields, of: "record '\(record.key)'"),
                    version: isFeed ? record.version : nil)
            }
            payload = try CanonicalJSON.encode(whole)
        }
        let body = try seal(canonicalJSON: payload, to: requester)
        var disclosed = AuditEvent(kind: .disclosure, at: moment, node: id)
        disclosed.peer = requester
        disclosed.requestHash = requestHash
        disclosed.resource = request.resource
        disclosed.fields = grant.fields
        disclosed.recordCount = records.count
        disclosed.responseHash = AuditEvent.hash(body)
        var changes: [StoreChange] = []
        if access.legalBasis == .consent {
            let subjects = Array(Set(page.compactMap(\.subject))).sorted()
            if !subjects.isEmpty {
                changes.append(
                    .disclosedUnderConsent(peer: requester, consentIDs: request.consentIDs, subjects: subjects))
            }
        }
        _ = try await log.append(disclosed, applying: changes)
        metrics.granted(records: records.count)
        return TransportReply(status: 200, body: body)
    }

    func seal(_ response: some Encodable, to audience: String) throws -> [UInt8] {
        try seal(canonicalJSON: try CanonicalJSON.encode(response), to: audience)
    }

    /// Seals an answer's canonical bytes: with ``bulkSealer`` from ``bulkPayloadBytes`` on.
    func seal(canonicalJSON payload: [UInt8], to audience: String) throws -> [UInt8] {
        let sealer = payload.count > Self.bulkPayloadBytes ? bulkSealer : sealer
        return try sealer.seal(canonicalJSON: payload, type: .response, audience: audience).bytes
    }

    /// A signed refusal; `to` is the requester when known (the envelope verified), else `unknown`.
    func refuse(
        _ status: Int, _ code: String, _ reason: String, requestHash: String?, to requester: String?
    ) -> TransportReply {
        metrics.refused(code)
        let response = ExchangeResponse(requestHash: requestHash, refusal: ExchangeRefusal(code: code, reason: reason))
        let body = (try? seal(response, to: requester ?? "unknown")) ?? []
        return TransportReply(status: status, body: body)
    }

    /// Logs a refusal (with `changes`); true when the log refused it because a nonce in `changes` was
    /// used already.
    @discardableResult
    func logRefusal(
        requestHash: String, code: String, peer: String? = nil, at moment: Date, applying changes: [StoreChange] = []
    ) async -> Bool {
        var event = AuditEvent(kind: .requestRefused, at: Timestamp(moment), node: id)
        event.requestHash = requestHash
        event.reason = code
        event.peer = peer
        do {
            _ = try await log.append(event, applying: changes)
        } catch let error as StoreError where error.code == .replayed {
            return true
        } catch {
            // A refusal the log cannot take is still refused; the log's failure shows on the next append.
        }
        return false
    }

    static func status(forEnvelope code: String) -> Int {
        switch code {
        case "too-large", "payload-too-large", "inflate-ratio-exceeded": 413
        case "unknown-key-id", "bad-signature", "key-not-valid", "issuer-mismatch", "algorithm-mismatch",
            "algorithm-not-allowed":
            401
        case "wrong-audience": 421
        default: 400
        }
    }

    static func nonceLifetime(_ time: EnvelopeOpener.TimeCheck) -> Int64 {
        switch time {
        case .window(let maxAge, let maxSkew): maxAge + maxSkew
        case .ignore: 366 * 86_400
        }
    }

    // MARK: Consumer

    /// Asks `provider` for records, verifies the answer, logs the receipt and keeps the records for the
    /// request's purpose until their data life ends (both in one transaction).
    public func request(_ request: ExchangeRequest, from provider: String) async throws(ExchangeError) -> ExchangeResult
    {
        try await keep(try await fetch(request, from: provider))
    }

    /// A verified, granted answer not yet kept: what ``keep(_:)`` commits.
    struct Fetched: Sendable {
        let sent: Sent
        let response: ExchangeResponse
        let decision: PolicyDecision
        let grant: Grant
    }

    /// Sends `request`, verifies the answer and its binding to the request, and returns it if granted.
    func fetch(_ request: ExchangeRequest, from provider: String) async throws(ExchangeError) -> Fetched {
        try read(try await send(request, to: provider))
    }

    /// A request sent and its answer's envelope verified, the answer not read yet.
    struct Sent: Sendable {
        let provider: String
        let request: ExchangeRequest
        let requestHash: String
        let responseHash: String
        let opened: OpenedEnvelope
        let moment: Date
    }

    /// Seals and sends `request`, and verifies the answer's envelope.
    func send(_ request: ExchangeRequest, to provider: String) async throws(ExchangeError) -> Sent {
        let moment = clock()
        let posted = try await post(request, to: provider, path: Self.exchangePath, at: moment)
        return Sent(
            provider: provider, request: request, requestHash: posted.requestHash,
            responseHash: AuditEvent.hash(posted.reply.body), opened: posted.opened, moment: moment)
    }

    /// Seals `payload` as a request to `provider`, posts it to the provider's `path`, and verifies the
    /// answer's envelope: what every call to a peer starts with.
    private func post(
        _ payload: some Encodable, to provider: String, path: String, at moment: Date
    ) async throws(ExchangeError) -> (requestHash: String, reply: TransportReply, opened: OpenedEnvelope) {
        guard let member = await state.federation.member(provider) else {
            throw ExchangeError(code: "unknown-peer", reason: "\(provider) is not a member of the federation")
        }
        let sealed: SealedEnvelope
        do {
            sealed = try sealer.seal(
                canonicalJSON: try CanonicalJSON.encode(payload), type: .request, audience: provider, issuedAt: moment)
        } catch {
            throw ExchangeError(code: "bad-request", reason: "the request cannot be sealed: \(error)")
        }
        let reply: TransportReply
        do {
            reply = try await transport.post(sealed.bytes, to: member.endpoint, path: path)
        } catch {
            throw ExchangeError(code: error.code, reason: "\(provider) at \(member.endpoint): \(error.reason)")
        }
        return (AuditEvent.hash(sealed.bytes), reply, try await openReply(reply, from: provider))
    }

    /// Reads a sent request's answer: bound to the request, and granted.
    func read(_ sent: Sent) throws(ExchangeError) -> Fetched {
        let (provider, requestHash) = (sent.provider, sent.requestHash)
        let response = try Self.response(sent.opened, from: provider, requestHash: requestHash)
        if let refusal = response.refusal {
            throw ExchangeError(code: refusal.code, reason: "\(provider) refused the request: \(refusal.reason)")
        }
        guard let decision = response.decision else {
            throw ExchangeError(
                code: "bad-response", reason: "\(provider)'s answer has neither a decision nor a refusal")
        }
        guard let grant = decision.grant else {
            let denial = decision.denial.map { "\($0.code)" } ?? "denied"
            throw ExchangeError(
                code: denial, reason: "\(provider) denied the request: \(decision.denial?.reason ?? "")",
                decision: decision)
        }
        return Fetched(sent: sent, response: response, decision: decision, grant: grant)
    }

    /// Logs the receipt and keeps the records in one transaction.
    func keep(_ fetched: Fetched) async throws(ExchangeError) -> ExchangeResult {
        let (receipt, records) = receipt(for: fetched)
        let sequence: Int
        do {
            sequence = try await log.append(receipt, applying: [.keepReceived(records)])
        } catch {
            throw Self.notKept(error)
        }
        metrics.received(records: records.count)
        return ExchangeResult(
            provider: fetched.sent.provider, requestHash: fetched.sent.requestHash, decision: fetched.decision,
            records: records, next: fetched.response.next, providerAuditSequence: fetched.response.auditSequence,
            receiptSequence: sequence)
    }

    /// Waits until a queued receipt is durable.
    static func waitUntilKept(_ ticket: AuditTicket) async throws(ExchangeError) {
        do {
            _ = try await ticket.sequence
        } catch {
            throw notKept(error)
        }
    }

    static func notKept(_ error: any Error) -> ExchangeError {
        ExchangeError(code: "unavailable", reason: "the receipt could not be logged, so nothing was kept: \(error)")
    }

    /// What keeping `fetched` writes: the receipt to log and the records, each restricted to the granted
    /// fields and bound to the request, its purpose and its data life.
    func receipt(for fetched: Fetched) -> (event: AuditEvent, records: [ReceivedRecord]) {
        let (sent, grant) = (fetched.sent, fetched.grant)
        let (request, provider) = (sent.request, sent.provider)
        let received = Timestamp(sent.moment)
        let granted = Set(grant.fields)
        let expiresAt = received.adding(seconds: Int64(grant.dataLifeDays) * 86_400)
        let records = fetched.response.records.map {
            ReceivedRecord(
                provider: provider, resource: request.resource, key: $0.key, subject: $0.subject,
                // A provider sends only granted fields; a record with more is cut down to them.
                fields: $0.fields.keys.allSatisfy(granted.contains)
                    ? $0.fields : $0.fields.filter { granted.contains($0.key) },
                requestHash: sent.requestHash,
                purpose: request.purpose, expiresAt: expiresAt,
                consentIDs: request.legalBasis == .consent ? request.consentIDs : [])
        }
        var receipt = AuditEvent(kind: .receipt, at: received, node: id)
        receipt.peer = provider
        receipt.requestHash = sent.requestHash
        receipt.resource = request.resource
        receipt.purpose = request.purpose
        receipt.fields = grant.fields
        receipt.recordCount = records.count
        receipt.responseHash = sent.responseHash
        receipt.dataLifeDays = grant.dataLifeDays
        receipt.expiresAt = expiresAt
        return (receipt, records)
    }

    private static func response(
        _ opened: OpenedEnvelope, from provider: String, requestHash: String
    ) throws(ExchangeError) -> ExchangeResponse {
        let response: ExchangeResponse
        do {
            response = try opened.decode(ExchangeResponse.self)
        } catch {
            throw ExchangeError(code: "bad-response", reason: "\(provider)'s answer cannot be read: \(error.reason)")
        }
        // A refusal of a body the provider could not read (too large) cannot name the request.
        if response.refusal != nil && response.requestHash == nil { return response }
        guard response.requestHash == requestHash else {
            throw ExchangeError(
                code: "request-hash-mismatch",
                reason: "\(provider)'s answer is for another request (\(response.requestHash ?? "none"))")
        }
        return response
    }

    /// Applies to `provider` for an agreement on one of its conditional resources. The provider records it
    /// as `applied` and says by when its approver must answer.
    public func apply(
        _ application: AgreementApplication, to provider: String
    ) async throws(ExchangeError) -> AgreementReply {
        let reply: AgreementReply = try await call(Self.applyPath, application, provider)
        var event = AuditEvent(kind: .agreementTransition, at: Timestamp(clock()), node: id)
        event.peer = provider
        event.resource = reply.agreement.resource
        event.agreementID = reply.agreement.id
        event.agreementState = reply.agreement.state
        event.requestHash = reply.requestHash
        do {
            _ = try await log.append(event)
        } catch {
            throw ExchangeError(
                code: "unavailable", reason: "the application was made but could not be logged: \(error)")
        }
        return reply
    }

    /// The state of this node's application `id` at `provider`.
    public func agreementStatus(
        id agreementID: String, at provider: String
    ) async throws(ExchangeError) -> AgreementReply {
        try await call(Self.agreementStatusPath, AgreementStatusQuery(id: agreementID), provider)
    }

    /// Posts a signed request to `provider` and opens its signed answer as `Reply`.
    func call<Payload: Encodable, Reply: Decodable & RequestBound>(
        _ path: String, _ payload: Payload, _ provider: String
    ) async throws(ExchangeError) -> Reply {
        let (requestHash, _, opened) = try await post(payload, to: provider, path: path, at: clock())
        // A refusal is told by its member, without reading the answer twice.
        let refused = opened.payload.withUnsafeBytes {
            JSONSkimmer.topLevelMembers(of: $0, wanted: ["refusal"])?[0] != nil
        }
        if refused, let refusal = try? opened.decode(ExchangeResponse.self).refusal {
            throw ExchangeError(code: refusal.code, reason: "\(provider) refused: \(refusal.reason)")
        }
        let answer: Reply
        do {
            answer = try opened.decode(Reply.self)
        } catch {
            throw ExchangeError(code: "bad-response", reason: "\(provider)'s answer cannot be read: \(error.reason)")
        }
        guard answer.requestHash == requestHash else {
            throw ExchangeError(code: "request-hash-mismatch", reason: "\(provider)'s answer is for another request")
        }
        return answer
    }

    func openReply(_ reply: TransportReply, from provider: String) async throws(ExchangeError) -> OpenedEnvelope {
        guard !reply.body.isEmpty else {
            throw ExchangeError(
                code: reply.status == 404 ? "not-found" : "unavailable",
                reason: "\(provider) answered HTTP \(reply.status) without a signed body")
        }
        let opener = EnvelopeOpener(
            trust: await state.trust, audience: .node(id), acceptedTypes: [.response], time: time,
            limits: Self.answerLimits)
        let opened: OpenedEnvelope
        do {
            opened = try opener.open(reply.body, now: clock())
        } catch {
            throw await unverifiedRefusal(reply, from: provider)
                ?? ExchangeError(
                    code: "bad-response",
                    reason: "\(provider)'s answer (HTTP \(reply.status)) does not verify: \(error)")
        }
        guard opened.header.issuer == provider else {
            throw ExchangeError(
                code: "bad-response", reason: "the answer is signed by \(opened.header.issuer), not \(provider)")
        }
        return opened
    }

    // MARK: Subscriptions (consumer)

    /// Follows `agreement` (approved, this node's, with a periodic fetch) from now on: its changes feed is
    /// pulled by ``syncSubscriptions()``, starting from the beginning.
    public func subscribe(_ agreement: Agreement) async throws(ExchangeError) {
        guard agreement.requester == id, agreement.state == .approved, let subscription = agreement.subscription,
            let provider = ResourceID.node(of: agreement.resource)
        else {
            throw ExchangeError(
                code: "not-subscribable",
                reason: "agreement \(agreement.id) is not an approved agreement of \(id) with a periodic fetch")
        }
        do {
            try await store.saveSubscription(
                SubscriptionState(
                    agreementID: agreement.id, provider: provider, resource: agreement.resource,
                    fields: agreement.fields,
                    purpose: agreement.purpose, legalBasis: agreement.legalBasis, every: subscription.every, cursor: 0))
        } catch {
            throw ExchangeError(code: "unavailable", reason: "the subscription could not be saved: \(error)")
        }
    }

    /// The `next` cursor of a changes-feed answer, skimmed from its verified payload without reading the
    /// records; nil if it has none (or it is not a version).
    static func nextVersion(of opened: OpenedEnvelope) -> Int? {
        opened.payload.withUnsafeBytes { bytes in
            guard let range = JSONSkimmer.topLevelMembers(of: bytes, wanted: ["next"])?[0] else { return nil }
            return Int(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self))
        }
    }

    /// How many synced pages may wait for their commit at once.
    static let syncDepth = 2

    /// What one sync of a subscription brought.
    public struct SyncOutcome: Sendable, Hashable {
        /// Records received (changed since the last sync).
        public var records: Int
        /// Pages (requests) it took.
        public var pages: Int
        /// The provider's version the subscription is at now.
        public var cursor: Int
    }

    /// Pulls every change of `subscription`'s resource since its cursor, page by page. Each page's receipt,
    /// records and new cursor commit together, so an interruption (network, restart) loses nothing and
    /// repeats nothing: the next sync starts after the last page that committed.
    public func sync(
        _ subscription: SubscriptionState, pageSize: Int = 1_000
    ) async throws(ExchangeError) -> SyncOutcome {
        let page = { (cursor: Int) in
            ExchangeRequest(
                resource: subscription.resource, fields: subscription.fields, selector: .changedSince(cursor),
                purpose: subscription.purpose, legalBasis: subscription.legalBasis, limit: pageSize)
        }
        var cursor = subscription.cursor
        var outcome = SyncOutcome(records: 0, pages: 0, cursor: cursor)
        // Pipelined: page n+1 is asked for as soon as page n's envelope verified (its `next` skimmed from the
        // payload), so the provider prepares it while page n is read and kept; up to `syncDepth` pages wait
        // for their commit at once (the log merges those waiting into one commit). Pages commit in order,
        // each moving the cursor only from where the page before left it: if one is not kept, the ones
        // after it are refused too, so there is never a gap.
        var waiting: [(ticket: AuditTicket, records: Int)] = []
        func settle(_ page: (ticket: AuditTicket, records: Int)) async throws(ExchangeError) {
            try await Self.waitUntilKept(page.ticket)
            metrics.received(records: page.records)
            outcome.pages += 1
            outcome.records += page.records
        }
        /// Waits for every page still waiting: they are kept even if what comes after fails.
        /// Waits for every page waiting, also after one that was not kept; throws the first failure.
        func settleAll() async throws(ExchangeError) {
            var failure: ExchangeError?
            while !waiting.isEmpty {
                do throws(ExchangeError) {
                    try await settle(waiting.removeFirst())
                } catch {
                    failure = failure ?? error
                }
            }
            if let failure { throw failure }
        }
        /// Before giving up with `error`: the page asked for ahead is dropped, and the pages waiting are
        /// waited for (counted if kept), so what the store shows when this returns is final.
        func giveUp(_ error: ExchangeError, dropping ahead: Ahead?) async -> ExchangeError {
            ahead?.task.cancel()
            _ = await ahead?.task.value
            try? await settleAll()
            return error
        }
        typealias Ahead = (cursor: Int, task: Task<Result<Sent, ExchangeError>, Never>)
        func ask(from cursor: Int) -> Ahead {
            let (request, provider) = (page(cursor), subscription.provider)
            return (
                cursor,
                Task {
                    do throws(ExchangeError) {
                        return .success(try await self.send(request, to: provider))
                    } catch {
                        return .failure(error)
                    }
                }
            )
        }
        var sent = try await send(page(cursor), to: subscription.provider)
        for _ in 0..<1_000_000 {
            var ahead = Self.nextVersion(of: sent.opened).flatMap { $0 > cursor ? ask(from: $0) : nil }
            do throws(ExchangeError) {
                let fetched = try read(sent)
                let reached = max(cursor, fetched.response.records.compactMap(\.version).max() ?? cursor)
                let more = fetched.response.next != nil && reached > cursor
                if ahead?.cursor != (more ? reached : nil) {
                    // The skimmed `next` and the records disagree: ask again from where the records end.
                    ahead?.task.cancel()
                    _ = await ahead?.task.value
                    ahead = more ? ask(from: reached) : nil
                }
                let (receipt, records) = receipt(for: fetched)
                let advance = StoreChange.advanceCursor(
                    agreementID: subscription.agreementID, version: reached, at: receipt.at, from: cursor)
                do {
                    waiting.append(
                        (try await log.enqueue(receipt, applying: [.keepReceived(records), advance]), records.count))
                } catch {
                    throw Self.notKept(error)
                }
                while waiting.count > Self.syncDepth { try await settle(waiting.removeFirst()) }
                cursor = reached
            } catch {
                throw await giveUp(error, dropping: ahead)
            }
            guard let ahead else { break }
            // A cancelled sync cancels the page it asked for ahead.
            let next = await withTaskCancellationHandler {
                await ahead.task.value
            } onCancel: {
                ahead.task.cancel()
            }
            switch next {
            case .success(let page): sent = page
            case .failure(let error): throw await giveUp(error, dropping: nil)
            }
        }
        try await settleAll()
        outcome.cursor = cursor
        return outcome
    }

    /// Syncs every subscription that is due, skipping providers that failed recently (backing off
    /// exponentially, up to an hour). Returns what each sync did or why it failed, by agreement id.
    public func syncSubscriptions() async throws(ExchangeError) -> [String: Result<SyncOutcome, ExchangeError>] {
        let subscriptions: [SubscriptionState]
        do {
            subscriptions = try await store.subscriptions()
        } catch {
            throw ExchangeError(code: "unavailable", reason: "the node cannot read its subscriptions: \(error)")
        }
        var results: [String: Result<SyncOutcome, ExchangeError>] = [:]
        let now = clock()
        for subscription in subscriptions where await state.mayContact(subscription.provider, at: now) {
            // A feed is pulled as often as its agreement says, not on every round.
            if let last = subscription.lastSyncAt, Timestamp(now) < last.adding(seconds: subscription.every.seconds) {
                continue
            }
            do {
                results[subscription.agreementID] = .success(try await sync(subscription))
                await state.succeeded(subscription.provider)
            } catch {
                results[subscription.agreementID] = .failure(error)
                await state.failed(subscription.provider, at: now)
            }
        }
        return results
    }

    /// A provider that could not verify this node's request answers to `unknown` (it cannot know who sent
    /// it). Such a refusal, still signed by the provider, says why: usually this node's key is not in the
    /// provider's federation file.
    func unverifiedRefusal(_ reply: TransportReply, from provider: String) async -> ExchangeError? {
        let opener = EnvelopeOpener(
            trust: await state.trust, audience: .node("unknown"), acceptedTypes: [.response], time: time)
        guard let opened = try? opener.open(reply.body, now: clock()), opened.header.issuer == provider,
            let refusal = try? opened.decode(ExchangeResponse.self).refusal
        else { return nil }
        return ExchangeError(
            code: refusal.code,
            reason:
                "\(provider) could not verify this node's request: \(refusal.reason). Is this node's current key in \(provider)'s federation file?"
        )
    }

    /// The records received for `requestHash`, for use for `purpose`, which must be the purpose they were
    /// received for or narrower. The use is logged first.
    public func use(requestHash: String, for purpose: String) async throws(ExchangeError) -> [ReceivedRecord] {
        let records: [ReceivedRecord]
        do {
            records = try await store.receivedRecords(requestHash: requestHash)
        } catch {
            throw ExchangeError(code: "unavailable", reason: "\(error)")
        }
        guard let first = records.first else {
            throw ExchangeError(
                code: "not-received", reason: "no records are kept for \(requestHash): never received, or purged")
        }
        guard PurposeCode.is(purpose, within: first.purpose) else {
            throw ExchangeError(
                code: "purpose-mismatch",
                reason: "the records were received for '\(first.purpose)' and may not be used for '\(purpose)'")
        }
        var event = AuditEvent(kind: .use, at: Timestamp(clock()), node: id)
        event.requestHash = requestHash
        event.purpose = purpose
        do {
            _ = try await log.append(event)
        } catch {
            throw ExchangeError(code: "unavailable", reason: "the use could not be logged: \(error)")
        }
        return records
    }

    /// Deletes every received record whose data life has ended, logging one purge per request. Returns how
    /// many requests' records were purged.
    @discardableResult
    public func purgeExpired() async throws -> Int {
        let moment = Timestamp(clock())
        let expired = try await store.receivedRequests(expiringBy: moment)
        for item in expired {
            var event = AuditEvent(kind: .purge, at: moment, node: id)
            event.peer = item.provider
            event.requestHash = item.requestHash
            event.resource = item.resource
            event.reason = "data-life-ended"
            _ = try await log.append(event, applying: [.purgeRequest(requestHash: item.requestHash)])
        }
        metrics.purged(requests: expired.count)
        return expired.count
    }
}

/// The engine's mutable state: the federation and its keys, the cached policy snapshot, and the recent
/// requests the frequency limits count.
actor EngineState {
    private(set) var federation: Federation
    private(set) var trust: TrustStore
    private var cached: (version: Int, snapshot: PolicySnapshot)?
    private var windows: [String: RequestWindow] = [:]
    private var backoff: [String: (failures: Int, retryAt: Date)] = [:]

    /// Whether `peer` may be contacted now (it has not failed, or its back-off has passed).
    func mayContact(_ peer: String, at moment: Date) -> Bool {
        guard let state = backoff[peer] else { return true }
        return moment >= state.retryAt
    }

    func succeeded(_ peer: String) {
        backoff[peer] = nil
    }

    /// Waits 1 s after the first failure, doubling up to an hour.
    func failed(_ peer: String, at moment: Date) {
        let failures = (backoff[peer]?.failures ?? 0) + 1
        let delay = min(3_600, pow(2, Double(min(failures - 1, 12))))
        backoff[peer] = (failures, moment.addingTimeInterval(delay))
    }

    init(federation: Federation, trust: TrustStore) {
        self.federation = federation
        self.trust = trust
    }

    func update(federation: Federation, trust: TrustStore) throws {
        try federation.checkReplaces(self.federation)
        self.federation = federation
        self.trust = trust
        cached = nil
    }

    /// The policy snapshot, rebuilt when the store's state changed since it was built.
    func snapshot(store: any Store, node: String) async throws -> PolicySnapshot {
        let version = try await store.stateVersion()
        if let cached, cached.version == version { return cached.snapshot }
        let snapshot = try await store.policySnapshot(node: node, members: federation.memberIDs)
        cached = (version, snapshot)
        return snapshot
    }

    /// Notes earlier requests, oldest first, without counting them.
    func seed(_ requests: some Sequence<AccessRequest>) {
        for request in requests {
            windows[RequestWindow.key(request), default: .init()].note(request.at)
        }
    }

    /// How many earlier requests of the same requester, resource and purpose fall within the purpose's
    /// frequency period (counted as `exchange-audit replay` counts them); then counts this one.
    func recentRequests(_ request: AccessRequest, purposes: PurposeRegistry) -> Int {
        guard let period = purposes.match(request.purpose)?.limits.frequency?.per.seconds else { return 0 }
        return windows[RequestWindow.key(request), default: .init()]
            .count(before: request.at, within: period)
    }

    /// Nonces of requests being answered now (`issuer nonce`), not yet written.
    private var noncesInFlight: Set<String> = []

    /// Marks a nonce as being answered; false if it already is (a copy of a request in flight).
    func claim(nonce key: String) -> Bool {
        noncesInFlight.insert(key).inserted
    }

    /// The nonce's request is answered (its nonce written with its first entries, or refused).
    func release(nonce key: String) {
        noncesInFlight.remove(key)
    }

    /// Takes back a request ``recentRequests(_:purposes:)`` counted that was not logged after all (a replay).
    func forget(_ request: AccessRequest, purposes: PurposeRegistry) {
        guard purposes.match(request.purpose)?.limits.frequency != nil else { return }
        windows[RequestWindow.key(request)]?.remove(request.at)
    }
}
