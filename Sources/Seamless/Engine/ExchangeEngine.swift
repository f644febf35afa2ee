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
    private let sealer: EnvelopeSealer
    private let state: EngineState
    private let clock: @Sendable () -> Date

    /// The path requests are posted to.
    public static let exchangePath = "/v1/exchange"

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
        self.state = EngineState(federation: federation, trust: try federation.trustStore())
        self.clock = clock
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
        default: return TransportReply(status: 404, body: [])
        }
    }

    public func refuseTooLarge(path: String, limit: Int) async -> TransportReply {
        metrics.refused("too-large")
        return refuse(
            413, "too-large", "the body exceeds \(limit) bytes; it was not read", requestHash: nil, to: nil)
    }

    // MARK: Provider

    /// Answers one request envelope.
    public func provide(_ bytes: [UInt8]) async -> TransportReply {
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
            return refuse(Self.status(forEnvelope: code), code, error.reason, requestHash: requestHash, to: signer)
        }
        let requester = opened.header.issuer
        do {
            let remembered = try await store.rememberNonce(
                opened.header.nonce, issuer: requester, at: Timestamp(moment),
                until: Timestamp(secondsSince1970: opened.header.issuedAt + Self.nonceLifetime(time)))
            guard remembered else {
                await logRefusal(requestHash: requestHash, code: "replayed-nonce", peer: requester, at: moment)
                return refuse(
                    409, "replayed-nonce", "this nonce was used already: every request needs a fresh one",
                    requestHash: requestHash, to: requester)
            }
        } catch {
            return refuse(503, "unavailable", "the node cannot check the nonce: \(error)", requestHash: requestHash, to: requester)
        }
        let request: ExchangeRequest
        do {
            request = try opened.decode(ExchangeRequest.self)
        } catch {
            await logRefusal(requestHash: requestHash, code: "bad-request", peer: requester, at: moment)
            return refuse(400, "bad-request", "the request cannot be read: \(error.reason)", requestHash: requestHash, to: requester)
        }
        let problems = request.problems()
        guard problems.isEmpty else {
            await logRefusal(requestHash: requestHash, code: "bad-request", peer: requester, at: moment)
            return refuse(
                400, "bad-request", problems.joined(separator: "; "), requestHash: requestHash, to: requester)
        }
        do {
            return try await decideAndAnswer(request, from: requester, requestHash: requestHash, at: Timestamp(moment))
        } catch {
            return refuse(503, "unavailable", "the node could not answer: \(error)", requestHash: requestHash, to: requester)
        }
    }

    private func decideAndAnswer(
        _ request: ExchangeRequest, from requester: String, requestHash: String, at moment: Timestamp
    ) async throws -> TransportReply {
        var received = AuditEvent(kind: .requestReceived, at: moment, node: id)
        received.peer = requester
        received.requestHash = requestHash
        received.resource = request.resource
        _ = try await log.append(received)

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
        let decisionSequence = try await log.append(decided)
        guard let grant = decision.grant else {
            metrics.denied(decision.denial.map { "\($0.code)" } ?? "denied")
            let response = ExchangeResponse(requestHash: requestHash, decision: decision, auditSequence: decisionSequence)
            return try TransportReply(status: 403, body: seal(response, to: requester))
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
        var page = try await store.records(
            matching: RecordQuery(resource: request.resource, selector: selector, after: request.after, limit: limit + 1))
        let next = page.count > limit ? page[limit - 1].key : nil
        if page.count > limit { page.removeLast(page.count - limit) }
        if let allowedSubjects { page.removeAll { !allowedSubjects.contains($0.subject ?? "") } }
        let records = page.map {
            ResponseRecord(key: $0.key, subject: $0.subject, fields: $0.minimised(to: grant.fields))
        }
        let response = ExchangeResponse(
            requestHash: requestHash, decision: decision, records: records, next: next,
            auditSequence: decisionSequence)
        let body = try seal(response, to: requester)
        var disclosed = AuditEvent(kind: .disclosure, at: moment, node: id)
        disclosed.peer = requester
        disclosed.requestHash = requestHash
        disclosed.resource = request.resource
        disclosed.fields = grant.fields
        disclosed.recordCount = records.count
        disclosed.responseHash = AuditEvent.hash(body)
        _ = try await log.append(disclosed)
        metrics.granted(records: records.count)
        return TransportReply(status: 200, body: body)
    }

    private func seal(_ response: ExchangeResponse, to audience: String) throws -> [UInt8] {
        try sealer.seal(canonicalJSON: try CanonicalJSON.encode(response), type: .response, audience: audience).bytes
    }

    /// A signed refusal; `to` is the requester when known (the envelope verified), else `unknown`.
    private func refuse(
        _ status: Int, _ code: String, _ reason: String, requestHash: String?, to requester: String?
    ) -> TransportReply {
        metrics.refused(code)
        let response = ExchangeResponse(requestHash: requestHash, refusal: ExchangeRefusal(code: code, reason: reason))
        let body = (try? seal(response, to: requester ?? "unknown")) ?? []
        return TransportReply(status: status, body: body)
    }

    private func logRefusal(requestHash: String, code: String, peer: String? = nil, at moment: Date) async {
        var event = AuditEvent(kind: .requestRefused, at: Timestamp(moment), node: id)
        event.requestHash = requestHash
        event.reason = code
        event.peer = peer
        // A refusal the log cannot take is still refused; the log's failure shows on the next append.
        _ = try? await log.append(event)
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
    public func request(_ request: ExchangeRequest, from provider: String) async throws(ExchangeError) -> ExchangeResult {
        guard let member = await state.federation.member(provider) else {
            throw ExchangeError(code: "unknown-peer", reason: "\(provider) is not a member of the federation")
        }
        let moment = clock()
        let sealed: SealedEnvelope
        do {
            sealed = try sealer.seal(
                canonicalJSON: try CanonicalJSON.encode(request), type: .request, audience: provider, issuedAt: moment)
        } catch {
            throw ExchangeError(code: "bad-request", reason: "the request cannot be sealed: \(error)")
        }
        let requestHash = AuditEvent.hash(sealed.bytes)
        let reply: TransportReply
        do {
            reply = try await transport.post(sealed.bytes, to: member.endpoint, path: Self.exchangePath)
        } catch {
            throw ExchangeError(code: error.code, reason: "\(provider) at \(member.endpoint): \(error.reason)")
        }
        let response = try await openResponse(reply, from: provider, requestHash: requestHash)
        if let refusal = response.refusal {
            throw ExchangeError(code: refusal.code, reason: "\(provider) refused the request: \(refusal.reason)")
        }
        guard let decision = response.decision else {
            throw ExchangeError(code: "bad-response", reason: "\(provider)'s answer has neither a decision nor a refusal")
        }
        guard let grant = decision.grant else {
            let denial = decision.denial.map { "\($0.code)" } ?? "denied"
            throw ExchangeError(
                code: denial, reason: "\(provider) denied the request: \(decision.denial?.reason ?? "")",
                decision: decision)
        }
        let received = Timestamp(moment)
        let expiresAt = received.adding(seconds: Int64(grant.dataLifeDays) * 86_400)
        let records = response.records.map {
            ReceivedRecord(
                provider: provider, resource: request.resource, key: $0.key, subject: $0.subject,
                fields: $0.fields.filter { grant.fields.contains($0.key) }, requestHash: requestHash,
                purpose: request.purpose, expiresAt: expiresAt)
        }
        var receipt = AuditEvent(kind: .receipt, at: received, node: id)
        receipt.peer = provider
        receipt.requestHash = requestHash
        receipt.resource = request.resource
        receipt.purpose = request.purpose
        receipt.fields = grant.fields
        receipt.recordCount = records.count
        receipt.responseHash = AuditEvent.hash(reply.body)
        receipt.dataLifeDays = grant.dataLifeDays
        receipt.expiresAt = expiresAt
        let sequence: Int
        do {
            sequence = try await log.append(receipt, applying: [.keepReceived(records)])
        } catch {
            throw ExchangeError(code: "unavailable", reason: "the receipt could not be logged, so nothing was kept: \(error)")
        }
        metrics.received(records: records.count)
        return ExchangeResult(
            provider: provider, requestHash: requestHash, decision: decision, records: records, next: response.next,
            providerAuditSequence: response.auditSequence, receiptSequence: sequence)
    }

    private func openResponse(
        _ reply: TransportReply, from provider: String, requestHash: String
    ) async throws(ExchangeError) -> ExchangeResponse {
        let opener = EnvelopeOpener(
            trust: await state.trust, audience: .node(id), acceptedTypes: [.response], time: time)
        let opened: OpenedEnvelope
        do {
            opened = try opener.open(reply.body, now: clock())
        } catch {
            throw ExchangeError(
                code: "bad-response",
                reason: "\(provider)'s answer (HTTP \(reply.status)) does not verify: \(error)")
        }
        guard opened.header.issuer == provider else {
            throw ExchangeError(code: "bad-response", reason: "the answer is signed by \(opened.header.issuer), not \(provider)")
        }
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
                code: "request-hash-mismatch", reason: "\(provider)'s answer is for another request (\(response.requestHash ?? "none"))")
        }
        return response
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
    private var windows: [String: AuditReplay.RequestWindow] = [:]

    init(federation: Federation, trust: TrustStore) {
        self.federation = federation
        self.trust = trust
    }

    func update(federation: Federation, trust: TrustStore) throws {
        guard federation.version >= self.federation.version else {
            throw FederationError(
                .rolledBack,
                "the node has version \(self.federation.version) of the federation; version \(federation.version) is older")
        }
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

    /// How many earlier requests of the same requester, resource and purpose fall within the purpose's
    /// frequency period (counted as `exchange-audit replay` counts them); then counts this one.
    func recentRequests(_ request: AccessRequest, purposes: PurposeRegistry) -> Int {
        guard let period = purposes.match(request.purpose)?.limits.frequency?.per.seconds else { return 0 }
        return windows["\(request.requester) \(request.resource) \(request.purpose)", default: .init()]
            .count(before: request.at, within: period)
    }
}
