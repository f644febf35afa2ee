import Foundation
import Logging
import Seamless
import SeamlessCLI
import SeamlessCrypto
import SeamlessHTTP
import ServiceLifecycle

/// Three departments' nodes built from `Schemas/examples`, each in its own folder with its own key and
/// SQLite file, served over HTTP on 127.0.0.1 with ephemeral ports, in this process.
final class DemoFederation: @unchecked Sendable {
    struct Department {
        let id: String
        let name: String
        let algorithm: SignatureAlgorithm
        let examplePrefix: String
    }

    static let departments = [
        Department(
            id: "gov.public-security", name: "Public Security", algorithm: .sm2sm3, examplePrefix: "public-security"),
        Department(id: "gov.civil-affairs", name: "Civil Affairs", algorithm: .ed25519, examplePrefix: "civil-affairs"),
        Department(
            id: "gov.human-resources", name: "Human Resources", algorithm: .es256, examplePrefix: "human-resources"),
    ]
    /// Left out on purpose: the demo applies for it itself.
    static let skippedAgreements: Set<String> = ["agr-2026-0042"]

    let folder: String
    let examples: String
    let transport = RecordingTransport(HTTPTransport(timeout: .seconds(10)))
    private(set) var nodes: [String: NodeDirectory] = [:]
    private(set) var stores: [String: any Store] = [:]
    private(set) var logs: [String: AuditLog] = [:]
    private(set) var engines: [String: ExchangeEngine] = [:]
    private(set) var endpoints: [String: String] = [:]
    private(set) var federation: Federation?
    private(set) var summaries: [String: String] = [:]
    private var group: ServiceGroup?
    private var running: Task<Void, any Error>?

    init(folder: String, examples: String) {
        self.folder = folder
        self.examples = examples
    }

    private func example(_ path: String) -> String { examples + "/" + path }

    private func files(_ directory: String, prefix: String, suffix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: example(directory))
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix(suffix) }.sorted().map { example(directory) + "/" + $0 }
    }

    /// Creates the node folders and loads each department's catalog, lists, calendar, purposes, consents,
    /// agreements and records, as the CLI's import commands do.
    func build() async throws {
        let purposes = try DocumentFiles.readOne(PurposeRegistry.self, example("purposes/registry.json"))
        let calendar = try DocumentFiles.readOne(WorkingCalendar.self, example("calendar/prc-2026-2027.json"))
        let consents = try DocumentFiles.readAll(ConsentRecord.self, try files("consent", prefix: "", suffix: ".json"))
            .flatMap(\.documents)
        let agreements = try DocumentFiles.readAll(Agreement.self, try files("agreement", prefix: "", suffix: ".json"))
            .flatMap(\.documents)
        let members = Self.departments.map(\.id)
        for department in Self.departments {
            let (node, key) = try NodeDirectory.create(
                at: folder + "/" + department.examplePrefix, id: department.id, algorithm: department.algorithm,
                members: members, listen: "127.0.0.1:0")
            let store = try await node.store()
            let log = try await AuditLog(store: store, node: department.id, signer: key)
            var event = node.event(.keyRotation)
            event.keyID = key.kid
            _ = try await log.append(event)
            let entries = try DocumentFiles.readAll(
                CatalogEntry.self, try files("catalog-entry", prefix: department.examplePrefix + ".", suffix: ".json")
            ).flatMap(\.documents)
            let catalog = try await store.importCatalogEntries(entries, at: .now)
            var revision = node.event(.catalogRevision)
            revision.catalogRevision = catalog.revision
            _ = try await log.append(revision)
            try await store.savePurposes(purposes)
            try await store.saveCalendar(calendar)
            try await store.saveResponsibilityList(
                try DocumentFiles.readOne(
                    ResponsibilityList.self, example("responsibility-list/\(department.id).json")))
            // A provider decides on the consents for its own resources and the agreements for them.
            for consent in consents
            where consent.scope.contains(where: { ResourceID.node(of: $0.resource) == department.id }) {
                let status = try await store.recordConsent(consent, at: consent.start, by: consent.controller)
                var recorded = node.event(.consentStatus)
                recorded.consentID = status.record.id
                recorded.consentState = .active
                _ = try await log.append(recorded)
            }
            for agreement in agreements
            where ResourceID.node(of: agreement.resource) == department.id
                && !Self.skippedAgreements.contains(agreement.id)
            {
                try await store.recordAgreement(agreement)
            }
            var recordCount = 0
            for path in try files("records", prefix: department.examplePrefix + ".", suffix: ".jsonl") {
                let name = (path as NSString).lastPathComponent.dropFirst(department.examplePrefix.count + 1).dropLast(
                    6)
                let resource = "\(department.id)/\(name)"
                guard let entry = catalog.entries[resource] else { continue }
                recordCount += try await store.upsertRecords(RecordsCommand.read(path, entry: entry, at: .now))
            }
            nodes[department.id] = node
            stores[department.id] = store
            logs[department.id] = log
            summaries[department.id] =
                "\(department.algorithm) key \(key.kid), \(catalog.entries.count) resources, \(recordCount) records"
        }
    }

    /// Starts the three servers on free ports, then signs the federation file with their endpoints and
    /// installs it in every node folder.
    func start(logger: Logger) async throws -> PrivateKey {
        let authority = try PrivateKey.generate(.ed25519)
        func federation(version: Int) throws -> Federation {
            Federation(
                federation: "gov.example-city", version: version, issuedAt: .now,
                members: try Self.departments.map { department in
                    Federation.Member(
                        id: department.id, name: department.name,
                        endpoint: endpoints[department.id] ?? "http://127.0.0.1:1",
                        keys: [Federation.MemberKey(try nodes[department.id]!.privateKey().publicKey)])
                })
        }
        let draft = try federation(version: 1)
        var services: [any Service] = []
        let (ports, continuation) = AsyncStream.makeStream(of: (String, Int).self)
        for department in Self.departments {
            let engine = try ExchangeEngine(
                id: department.id, key: try nodes[department.id]!.privateKey(), store: stores[department.id]!,
                log: logs[department.id]!, federation: draft, transport: transport)
            engines[department.id] = engine
            services.append(
                NodeServer.application(
                    service: engine, port: 0, logger: logger, metrics: { engine.metrics.prometheusText() },
                    onRunning: { port in continuation.yield((department.id, port)) }))
        }
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        self.group = group
        // A server that cannot start ends the group: the ports stream then ends too, instead of waiting.
        running = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        for await (id, port) in ports {
            endpoints[id] = "http://127.0.0.1:\(port)"
            if endpoints.count == Self.departments.count { break }
        }
        continuation.finish()
        guard endpoints.count == Self.departments.count else {
            try await running?.value
            throw CommandFailure.io("the departments' servers stopped before all of them were listening")
        }
        let signed = try federation(version: 2)
        let bytes = try signed.sealed(by: authority, authorityID: "gov.federation-authority")
        for department in Self.departments {
            try await engines[department.id]!.update(federation: signed)
            try nodes[department.id]!.install(
                signed, signed: bytes, authority: authority.publicKey,
                listen: endpoints[department.id].map { String($0.dropFirst("http://".count)) })
        }
        self.federation = signed
        return authority
    }

    /// Stops the servers (requests in flight finish) and signs each log's last checkpoint.
    func stop() async throws {
        await group?.triggerGracefulShutdown()
        try await running?.value
        group = nil
        running = nil
        for log in logs.values { _ = try await log.checkpoint() }
        try await transport.http.shutdown()
    }
}

/// The HTTP transport, remembering the last body posted to each URL: the demo resends one to show that a
/// replay is refused.
final class RecordingTransport: Transport, @unchecked Sendable {
    let http: HTTPTransport
    private let lock = NSLock()
    private var last: [String: [UInt8]] = [:]

    init(_ http: HTTPTransport) { self.http = http }

    func post(_ body: [UInt8], to base: String, path: String) async throws(TransportError) -> TransportReply {
        lock.withLock { last[base + path] = body }
        return try await http.post(body, to: base, path: path)
    }

    /// The last body posted to `url`.
    func lastRequest(to url: String) throws -> [UInt8] {
        guard let body = lock.withLock({ last[url] }) else {
            throw CommandFailure.io("nothing was posted to \(url)")
        }
        return body
    }
}
