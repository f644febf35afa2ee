import Foundation
import Seamless
import SeamlessCrypto
import SeamlessTestSupport

/// Three departments' engines, each with its own SQLite file, key and audit log, connected in process:
/// Human Resources provides social-insurance status (unconditional, with a conditional item), Public
/// Security household records (conditional, under an approved agreement); Civil Affairs asks.
final class EngineFixture: @unchecked Sendable {
    typealias F = FederationFixture

    let directory: TemporaryDirectory
    let transport = InProcessTransport()
    let federation: Federation
    let keys: [String: PrivateKey]
    let engines: [String: ExchangeEngine]
    let stores: [String: SQLiteStore]

    var civil: ExchangeEngine { engines[F.civil]! }
    var resources: ExchangeEngine { engines[F.resources]! }
    var security: ExchangeEngine { engines[F.security]! }

    static func endpoint(_ id: String) -> String { "http://\(id).test" }

    /// Insurance records: `insured-00` … (the first belongs to the consent's subject).
    static func insuranceRecord(_ index: Int) -> ProviderRecord {
        ProviderRecord(
            resource: F.insurance.id, key: String(format: "insured-%02d", index),
            subject: index == 0 ? F.consent.subject : "subj-\(String(format: "%08x", index * 7919))",
            fields: [
                "insuredId": .string(String(format: "insured-%02d", index)), "scheme": .string("urban-employee"),
                "monthlyBase": .number(Double(5_000 + index)), "status": .string("active"),
            ], updatedAt: .now)
    }

    init(insuranceRecords: Int = 25, time: EnvelopeOpener.TimeCheck = .standard, clock: (@Sendable () -> Date)? = nil)
        async throws
    {
        directory = try TemporaryDirectory()
        var keys: [String: PrivateKey] = [:]
        for (id, algorithm) in [(F.civil, SignatureAlgorithm.ed25519), (F.resources, .es256), (F.security, .sm2sm3)] {
            keys[id] = try PrivateKey.generate(algorithm)
        }
        self.keys = keys
        federation = Federation(
            federation: "gov.example-city", version: 1, issuedAt: .now,
            members: keys.keys.sorted().map { id in
                Federation.Member(
                    id: id, name: id, endpoint: Self.endpoint(id), keys: [Federation.MemberKey(keys[id]!.publicKey)])
            })
        var engines: [String: ExchangeEngine] = [:]
        var stores: [String: SQLiteStore] = [:]
        for id in keys.keys.sorted() {
            let store = try SQLiteStore(path: directory.path("\(id).sqlite"))
            try await store.savePurposes(F.purposes)
            let log = try await AuditLog(store: store, node: id, signer: keys[id]!)
            let engine = try ExchangeEngine(
                id: id, key: keys[id]!, store: store, log: log, federation: federation, transport: transport,
                time: time, clock: clock ?? { Date() })
            transport.register(engine, at: Self.endpoint(id))
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
                    "householdId": .string("hh-001"), "district": .string("Gulou"), "members": .string("subj-a; subj-b"),
                    "memberIdNumbers": .string("(never shared)"),
                ], updatedAt: .now)
        ])
    }

    /// A request for insurance status under statutory duty.
    static func insuranceRequest(
        fields: [String] = ["insuredId", "scheme", "monthlyBase", "status"], purpose: String = "social-assistance",
        selector: RecordSelector = .all, limit: Int? = nil, after: String? = nil
    ) -> ExchangeRequest {
        ExchangeRequest(
            resource: F.insurance.id, fields: fields, selector: selector, purpose: purpose,
            legalBasis: .statutoryDuty, after: after, limit: limit)
    }

    /// A raw request envelope from `issuer` (with its federation key unless `key` is given) to `audience`.
    func envelope(
        _ request: ExchangeRequest, from issuer: String = FederationFixture.civil,
        to audience: String = FederationFixture.resources, key: PrivateKey? = nil
    ) throws -> [UInt8] {
        let sealer = try EnvelopeSealer(key: key ?? keys[issuer]!, issuer: issuer)
        return try sealer.seal(canonicalJSON: try CanonicalJSON.encode(request), type: .request, audience: audience)
            .bytes
    }

    /// Opens a provider's reply as the consumer would, without the engine's checks.
    func response(_ reply: TransportReply, to audience: String = FederationFixture.civil) throws -> ExchangeResponse {
        let opener = EnvelopeOpener(trust: try federation.trustStore(), audience: .node(audience), acceptedTypes: [.response])
        return try opener.open(reply.body).decode(ExchangeResponse.self)
    }

    /// The kinds of the events in a node's log, in order.
    func kinds(_ id: String) async throws -> [AuditEvent.Kind] {
        let store = stores[id]!
        let count = try await store.auditLeafHashes().count
        return try await store.auditEntries(0..<count).map {
            try JSONDecoder().decode(AuditEvent.self, from: Data($0)).kind
        }
    }
}
