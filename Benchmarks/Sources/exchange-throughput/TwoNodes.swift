import Foundation
import Logging
import Seamless
import SeamlessCrypto
import SeamlessHTTP
import ServiceLifecycle

/// A provider and a consumer node on 127.0.0.1 (ephemeral ports), each with its own key, SQLite file and
/// audit log, talking HTTP: `NodeServer.application` in front of each engine, `HTTPTransport` between them.
final class TwoNodes: @unchecked Sendable {
    typealias H = HouseholdRecords

    let folder: URL
    let provider: ExchangeEngine
    let consumer: ExchangeEngine
    let providerStore: SQLiteStore
    let consumerStore: SQLiteStore
    let http = HTTPTransport()
    /// The provider's own time per answer (no HTTP).
    let providerClock = StageClock()
    /// The consumer's post to answer, provider and HTTP included.
    let transportClock = StageClock()
    private var groups: [ServiceGroup] = []
    private var tasks: [Task<Void, any Error>] = []

    /// `inProcess`: no HTTP; the engines call each other through `InProcessTransport` (what the engines cost
    /// without the HTTP stack).
    /// `algorithm`: the nodes' key algorithm (Ed25519 by default, as `exchange-node init` makes them).
    init(inProcess: Bool = false, algorithm: SignatureAlgorithm = .ed25519) async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "seamless-exchange-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let keys = [H.provider: try PrivateKey.generate(algorithm), H.consumer: try PrivateKey.generate(algorithm)]
        let placeholder = Self.federation(keys: keys, endpoints: [:], version: 1)
        let local = InProcessTransport()
        let transport = TimedTransport(inner: inProcess ? local : http, clock: transportClock)
        providerStore = try SQLiteStore(path: folder.appendingPathComponent("provider.sqlite").path)
        consumerStore = try SQLiteStore(path: folder.appendingPathComponent("consumer.sqlite").path)
        provider = try ExchangeEngine(
            id: H.provider, key: keys[H.provider]!, store: providerStore,
            log: try await AuditLog(store: providerStore, node: H.provider, signer: keys[H.provider]!),
            federation: placeholder, transport: transport)
        consumer = try ExchangeEngine(
            id: H.consumer, key: keys[H.consumer]!, store: consumerStore,
            log: try await AuditLog(store: consumerStore, node: H.consumer, signer: keys[H.consumer]!),
            federation: placeholder, transport: transport)

        try await providerStore.savePurposes(H.purposes)
        _ = try await providerStore.importCatalogEntries(
            [
                H.entry(H.lookup, sharing: .unconditional),
                H.entry(
                    H.registration, sharing: .conditional(condition: "Approved agreement naming the statutory duty")),
            ],
            at: Timestamp.now.adding(seconds: -86_400))

        var endpoints: [String: String] = [:]
        if inProcess {
            endpoints = [H.provider: "local:provider", H.consumer: "local:consumer"]
            local.register(TimedService(engine: provider, clock: providerClock), at: endpoints[H.provider]!)
            local.register(consumer, at: endpoints[H.consumer]!)
        } else {
            endpoints[H.provider] =
                "http://127.0.0.1:\(try await start(TimedService(engine: provider, clock: providerClock)))"
            endpoints[H.consumer] = "http://127.0.0.1:\(try await start(consumer))"
        }
        let federation = Self.federation(keys: keys, endpoints: endpoints, version: 2)
        try await provider.update(federation: federation)
        try await consumer.update(federation: federation)
    }

    static func federation(keys: [String: PrivateKey], endpoints: [String: String], version: Int) -> Federation {
        Federation(
            federation: "gov.example-city", version: version, issuedAt: .now,
            members: keys.keys.sorted().map { id in
                Federation.Member(
                    id: id, name: id, endpoint: endpoints[id] ?? "http://127.0.0.1:1",
                    keys: [Federation.MemberKey(keys[id]!.publicKey)])
            })
    }

    /// Serves `service` on a free port; returns the port.
    private func start(_ service: any ExchangeService) async throws -> Int {
        var logger = Logger(label: "exchange-throughput")
        logger.logLevel = .warning
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = NodeServer.application(
            service: service, port: 0, logger: logger, metrics: { "" },
            onRunning: { port in
                continuation.yield(port)
                continuation.finish()
            })
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        groups.append(group)
        tasks.append(Task { try await group.run() })
        for await port in stream { return port }
        throw CancellationError()
    }

    /// Writes records `range` of `resource` to the provider, 10,000 per transaction, generated as they go so
    /// the whole set is never in memory at once.
    func load(_ range: Range<Int>, of resource: String) async throws -> (count: Int, bytes: Int) {
        var bytes = 0
        for start in stride(from: range.lowerBound, to: range.upperBound, by: 10_000) {
            let batch = (start..<min(start + 10_000, range.upperBound)).map { H.record($0, of: resource) }
            if start == range.lowerBound {
                bytes =
                    batch.prefix(1_000).reduce(0) { $0 + CanonicalJSON.serialize(.object($1.fields)).count }
                    / min(1_000, batch.count)
            }
            _ = try await providerStore.upsertRecords(batch)
        }
        return (range.count, bytes)
    }

    /// An approved agreement with a daily subscription to the conditional resource, recorded at the provider
    /// and followed by the consumer; returns the consumer's subscription state.
    func subscribe() async throws -> SubscriptionState {
        let now = Timestamp.now
        let agreement = Agreement(
            id: "agr-bench-0001", requester: H.consumer, resource: H.registration, fields: H.fieldNames,
            purpose: H.purpose, legalBasis: .statutoryDuty, basisReference: "Benefit Administration Measures Art. 9",
            validFrom: now.adding(seconds: -86_400), validUntil: now.adding(seconds: 365 * 86_400),
            subscription: Subscription(every: .daily), state: .approved,
            history: [
                AgreementEvent(state: .applied, at: now.adding(seconds: -2 * 86_400), by: H.consumer),
                AgreementEvent(
                    state: .approved, at: now.adding(seconds: -86_400), by: "Director, Household Registration"),
            ])
        try await providerStore.recordAgreement(agreement)
        try await consumer.subscribe(agreement)
        guard let state = try await consumerStore.subscriptions().first else {
            throw ExchangeError(code: "not-subscribable", reason: "the consumer saved no subscription")
        }
        return state
    }

    /// Stops both servers, closes the client's connections and removes the folder.
    func shutdown() async throws {
        for group in groups { await group.triggerGracefulShutdown() }
        for task in tasks { try await task.value }
        try await http.shutdown()
        try? FileManager.default.removeItem(at: folder)
    }
}
