import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Seamless
import SeamlessCrypto
import SeamlessFixtures
import SeamlessHTTP
import SeamlessTestSupport
import ServiceLifecycle
import Testing

/// Three real nodes on 127.0.0.1 with ephemeral ports, each with its own SQLite file, exchanging over HTTP.
final class HTTPFederation: @unchecked Sendable {
    typealias F = FederationFixture

    let fixture: EngineFixture
    let transport = HTTPTransport(timeout: .seconds(10))
    private(set) var ports: [String: Int] = [:]
    private var groups: [String: ServiceGroup] = [:]
    private var tasks: [String: Task<Void, any Error>] = [:]

    init(insuranceRecords: Int = 25) async throws {
        fixture = try await EngineFixture(insuranceRecords: insuranceRecords, transport: transport)
        for id in fixture.engines.keys.sorted() { try await start(id) }
        try await announce(version: 2)
    }

    func endpoint(_ id: String) -> String { "http://127.0.0.1:\(ports[id] ?? 1)" }

    /// Starts `id`'s server on a free port.
    func start(_ id: String) async throws {
        let engine = fixture.engines[id]!
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = NodeServer.application(
            service: engine, port: 0, logger: Logger(label: "test-\(id)"),
            metrics: { engine.metrics.prometheusText() },
            onRunning: { port in
                continuation.yield(port)
                continuation.finish()
            })
        let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "test-\(id)")))
        groups[id] = group
        tasks[id] = Task { try await group.run() }
        for await port in stream { ports[id] = port }
    }

    /// Stops `id`'s server (requests in flight finish).
    func stop(_ id: String) async throws {
        await groups[id]?.triggerGracefulShutdown()
        try await tasks[id]?.value
        groups[id] = nil
        tasks[id] = nil
    }

    /// Gives every engine the federation with the current endpoints.
    func announce(version: Int) async throws {
        let federation = EngineFixture.federation(keys: fixture.keys, endpoints: endpoint, version: version)
        for engine in fixture.engines.values { try await engine.update(federation: federation) }
    }

    func shutdown() async throws {
        for id in groups.keys.sorted() { try await stop(id) }
        try await transport.shutdown()
    }
}

@Suite("Exchange over HTTP, three nodes on loopback")
struct HTTPExchangeTests {
    typealias F = FederationFixture

    @Test("grants, denials and refusals travel as signed envelopes; health and metrics answer")
    func exchange() async throws {
        let federation = try await HTTPFederation()
        do {
            let civil = federation.fixture.civil
            let granted = try await civil.request(
                EngineFixture.insuranceRequest(selector: .keys(["insured-01"])), from: F.resources)
            #expect(granted.records.map(\.key) == ["insured-01"])
            let denied = await #expect(throws: ExchangeError.self) {
                try await civil.request(
                    EngineFixture.insuranceRequest(purpose: "marriage-registration"), from: F.resources)
            }
            #expect(denied?.code == "purpose-not-allowed")
            let conditional = try await civil.request(
                ExchangeRequest(
                    resource: F.household.id, fields: ["householdId", "district"], selector: .keys(["hh-001"]),
                    purpose: "marriage-registration", legalBasis: .statutoryDuty),
                from: F.security)
            #expect(conditional.records.first?.fields["district"] == .string("Gulou"))

            // Raw HTTP: a replay, a stranger's key, a wrong audience, an oversized body, a malformed envelope.
            let base = federation.endpoint(F.resources)
            let bytes = try federation.fixture.envelope(EngineFixture.insuranceRequest(selector: .keys(["insured-02"])))
            let first = try await federation.transport.post(bytes, to: base, path: "/v1/exchange")
            #expect(first.status == 200)
            let replayed = try await federation.transport.post(bytes, to: base, path: "/v1/exchange")
            #expect(replayed.status == 409)
            #expect(try federation.fixture.response(replayed).refusal?.code == "replayed-nonce")
            let stranger = try federation.fixture.envelope(
                EngineFixture.insuranceRequest(), key: try PrivateKey.generate(.ed25519))
            let strangerReply = try await federation.transport.post(stranger, to: base, path: "/v1/exchange")
            #expect(strangerReply.status == 401)
            #expect(try federation.fixture.response(strangerReply, to: "unknown").refusal?.code == "unknown-key-id")
            let misaddressed = try federation.fixture.envelope(EngineFixture.insuranceRequest(), to: F.security)
            let misaddressedReply = try await federation.transport.post(misaddressed, to: base, path: "/v1/exchange")
            #expect(misaddressedReply.status == 421)
            #expect(try federation.fixture.response(misaddressedReply).refusal?.code == "wrong-audience")
            let oversized = [UInt8](repeating: 0x7B, count: NodeServer.maxBodyBytes + 1)
            let oversizedReply = try await federation.transport.post(oversized, to: base, path: "/v1/exchange")
            #expect(oversizedReply.status == 413)
            #expect(try federation.fixture.response(oversizedReply, to: "unknown").refusal?.code == "too-large")
            let malformed = try await federation.transport.post(Array("{}".utf8), to: base, path: "/v1/exchange")
            #expect(malformed.status == 400)
            #expect(try federation.fixture.response(malformed, to: "unknown").refusal?.code == "malformed")
            let unknownPath = try await federation.transport.post(bytes, to: base, path: "/v1/nothing")
            #expect(unknownPath.status == 404)

            // Nothing was lost: the provider logged the granted requests and the authenticated refusals.
            let kinds = try await federation.fixture.kinds(F.resources)
            #expect(kinds.filter { $0 == .disclosure }.count == 2)
            #expect(kinds.filter { $0 == .requestRefused }.count == 2, "the replay and the wrong audience")
            let health = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: base + "/healthz"), timeout: .seconds(5))
            #expect(health.status == .ok)
            let metrics = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: base + "/metrics"), timeout: .seconds(5))
            let text = String(buffer: try await metrics.body.collect(upTo: 1 << 20))
            #expect(text.contains(#"seamless_refusals_total{code="replayed-nonce"} 1"#), "\(text)")
            #expect(text.contains(#"seamless_refusals_total{code="too-large"} 1"#), "\(text)")
            #expect(text.contains(#"seamless_requests_total{outcome="granted"} 2"#))
        } catch {
            try await federation.shutdown()
            throw error
        }
        try await federation.shutdown()
    }

    @Test("a provider that goes down and comes back: the consumer gets 'unreachable', then records again")
    func peerDownAndBack() async throws {
        let federation = try await HTTPFederation()
        do {
            let civil = federation.fixture.civil
            _ = try await civil.request(
                EngineFixture.insuranceRequest(selector: .keys(["insured-01"])), from: F.resources)
            try await federation.stop(F.resources)
            let down = await #expect(throws: ExchangeError.self) {
                try await civil.request(
                    EngineFixture.insuranceRequest(selector: .keys(["insured-02"])), from: F.resources)
            }
            #expect(down?.code == "unreachable")
            // Refused, or (a kept-alive connection the provider closed on stopping) closed without an answer.
            let reason = down?.reason ?? ""
            #expect(
                reason.contains("Connection refused (errno")
                    || reason.contains("the peer closed the connection without answering"),
                "\(String(describing: down))")
            try await federation.start(F.resources)
            try await federation.announce(version: 3)
            let back = try await civil.request(
                EngineFixture.insuranceRequest(selector: .keys(["insured-02"])), from: F.resources)
            #expect(back.records.map(\.key) == ["insured-02"])
            // The failed attempt left nothing half-written at the consumer: two receipts, two kept records.
            #expect(try await federation.fixture.kinds(F.civil).filter { $0 == .receipt }.count == 2)
        } catch {
            try await federation.shutdown()
            throw error
        }
        try await federation.shutdown()
    }
}
