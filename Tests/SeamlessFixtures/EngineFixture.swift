import Foundation
import Seamless
import SeamlessCrypto
import SeamlessTestSupport

/// Three departments' engines, each with its own SQLite file, key and audit log, connected in process:
/// Human Resources provides social-insurance status (unconditional, with a conditional item), Public
/// Security household records (conditional, under an approved agreement); Civil Affairs asks.
public final class EngineFixture: @unchecked Sendable {
    public typealias F = FederationFixture

    public let directory: TemporaryDirectory
    /// The transport connecting the engines in process (unused when another transport was given).
    public let inProcess = InProcessTransport()
    public let federation: Federation
    public let keys: [String: PrivateKey]
    public let engines: [String: ExchangeEngine]
    public let stores: [String: SQLiteStore]

    public var civil: ExchangeEngine { engines[F.civil]! }
    public var resources: ExchangeEngine { engines[F.resources]! }
    public var security: ExchangeEngine { engines[F.security]! }

    public static func endpoint(_ id: String) -> String { "http://\(id).test" }

    /// Insurance records: `insured-00` … (the first belongs to the consent's subject).
    public static func insuranceRecord(_ index: Int) -> ProviderRecord {
        ProviderRecord(
            resource: F.insurance.id, key: String(format: "insured-%02d", index),
            subject: index == 0 ? F.consent.subject : "subj-\(String(format: "%08x", index * 7919))",
            fields: [
                "insuredId": .string(String(format: "insured-%02d", index)), "scheme": .string("urban-employee"),
                "monthlyBase": .number(Double(5_000 + index)), "status": .string("active"),
            ], updatedAt: .now)
    }

    public init(
        insuranceRecords: Int = 25, time: EnvelopeOpener.TimeCheck = .standard, clock: (@Sendable () -> Date)? = nil,
        transport: (any Transport)? = nil
    ) async throws {
        directory = try TemporaryDirectory()
        var keys: [String: PrivateKey] = [:]
        for (id, algorithm) in [(F.civil, SignatureAlgorithm.ed25519), (F.resources, .es256), (F.security, .sm2sm3)] {
            keys[id] = try PrivateKey.generate(algorithm)
        }
        self.keys = keys
        federation = Self.federation(keys: keys, endpoints: { Self.endpoint($0) }, version: 1)
        var engines: [String: ExchangeEngine] = [:]
        var stores: [String: SQLiteStore] = [:]
        for id in keys.keys.sorted() {
            let store = try SQLiteStore(path: directory.path("\(id).sqlite"))
            try await store.savePurposes(F.purposes)
            let log = try await AuditLog(store: store, node: id, signer: keys[id]!)
            let engine = try ExchangeEngine(
                id: id, key: keys[id]!, store: store, log: log, federation: federation,
                transport: transport ?? inProcess, time: time, clock: clock ?? { Date() })
            inProcess.register(engine, at: Self.endpoint(id))
            engines[id] = engine
            stores[id] = store
        }
        self.engines = engines
        self.stores = stores
        let start = F.t("2026-11-01T00:00:00Z")
        _ = try await stores[F.resources]!.importCatalogEntries([F.insurance], at: start)
        _ = try await stores[F.security]!.importCatalogEntries([F.household, F.secrets], at: start)
        try await stores[F.security]!.recordAgreement(F.agreement)
        _ = try await stores[F.resources]!.recordConsent(F.consent, at: F.t("2026-11-01T00:00:00Z"), by: F.civil)
        _ = try await stores[F.resources]!.upsertRecords((0..<insuranceRecords).map(Self.insuranceRecord))
        _ = try await stores[F.security]!.upsertRecords([
            ProviderRecord(
                resource: F.household.id, key: "hh-001", subject: nil,
                fields: [
                    "householdId": .string("hh-001"), "district": .string("Gulou"),
                    "members": .string("subj-a; subj-b"),
                    "memberIdNumbers": .string("(never shared)"),
                ], updatedAt: .now)
        ])
    }

    /// The federation of these keys with the given endpoints.
    public static func federation(keys: [String: PrivateKey], endpoints: (String) -> String, version: Int) -> Federation
    {
        Federation(
            federation: "gov.example-city", version: version, issuedAt: .now,
            members: keys.keys.sorted().map { id in
                Federation.Member(
                    id: id, name: id, endpoint: endpoints(id), keys: [Federation.MemberKey(keys[id]!.publicKey)])
            })
    }

    /// A request for insurance status under statutory duty.
    public static func insuranceRequest(
        fields: [String] = ["insuredId", "scheme", "monthlyBase", "status"], purpose: String = "social-assistance",
        selector: RecordSelector = .all, limit: Int? = nil, after: String? = nil
    ) -> ExchangeRequest {
        ExchangeRequest(
            resource: F.insurance.id, fields: fields, selector: selector, purpose: purpose,
            legalBasis: .statutoryDuty, after: after, limit: limit)
    }

    /// Civil Affairs' eligibility check under the fixture's consent: its subject's insurance records.
    public static let consentRequest = ExchangeRequest(
        resource: F.insurance.id, fields: ["insuredId", "status"], selector: .all,
        purpose: "social-assistance.eligibility", legalBasis: .consent, consentIDs: [F.consent.id],
        subjects: [F.consent.subject])

    /// A raw request envelope from `issuer` (with its federation key unless `key` is given) to `audience`.
    public func envelope(
        _ request: ExchangeRequest, from issuer: String = FederationFixture.civil,
        to audience: String = FederationFixture.resources, key: PrivateKey? = nil
    ) throws -> [UInt8] {
        try envelope(payload: try CanonicalJSON.encode(request), from: issuer, to: audience, key: key)
    }

    /// A raw request envelope with `payload` as it is (a message the engine must refuse, say).
    public func envelope(
        payload: [UInt8], from issuer: String = FederationFixture.civil,
        to audience: String = FederationFixture.resources, key: PrivateKey? = nil
    ) throws -> [UInt8] {
        let sealer = try EnvelopeSealer(key: key ?? keys[issuer]!, issuer: issuer)
        return try sealer.seal(canonicalJSON: payload, type: .request, audience: audience).bytes
    }

    /// Sends `copies` of one request envelope to Human Resources at once; the statuses, in any order.
    public func provideAtOnce(_ bytes: [UInt8], copies: Int) async -> [Int] {
        await withTaskGroup(of: Int.self) { group in
            for _ in 0..<copies { group.addTask { await self.resources.provide(bytes).status } }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    /// Opens a provider's reply as the consumer would, without the engine's checks.
    public func response(
        _ reply: TransportReply, to audience: String = FederationFixture.civil
    ) throws -> ExchangeResponse {
        let opener = EnvelopeOpener(
            trust: try federation.trustStore(), audience: .node(audience), acceptedTypes: [.response])
        return try opener.open(reply.body).decode(ExchangeResponse.self)
    }

    /// The kinds of the events in a node's log, in order.
    public func kinds(_ id: String) async throws -> [AuditEvent.Kind] {
        let store = stores[id]!
        let count = try await store.auditSize()
        return try await store.auditEntries(0..<count).map {
            try JSONDecoder().decode(AuditEvent.self, from: Data($0)).kind
        }
    }
}
