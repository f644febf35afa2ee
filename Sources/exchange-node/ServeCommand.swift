import ArgumentParser
import Foundation
import Logging
import Seamless
import SeamlessCLI
import SeamlessHTTP
import ServiceLifecycle
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the node: answer peers' signed requests over HTTP, sign checkpoints, purge expired data.",
        discussion: """
            Needs an installed federation (`exchange-node federation install`). Listens on the node's `listen`
            setting or --listen (port 0: any free port; the real one is printed). Prints one line when it is
            ready: `serving NODE at http://HOST:PORT`. SIGTERM or SIGINT: requests in flight finish, the log is
            flushed, a last checkpoint is signed, and the command exits 0.

            Every --sync-interval-seconds it pulls the peers' catalogs, witnesses (checks and cosigns) their
            audit checkpoints and syncs its subscriptions, backing off from peers that fail.

            Endpoints (POST, application/jose+json): /v1/exchange, /v1/catalog, /v1/agreements/apply,
            /v1/agreements/status, /v1/consents/withdrawn, /v1/audit/checkpoint, /v1/audit/cosign.
            GET /healthz and /metrics (Prometheus text). Docs/PROTOCOL.md has them all.

            Example:
              exchange-node serve --node nodes/hr --listen 127.0.0.1:8443
            """
    )

    @OptionGroup var node: NodeOptions
    @Option(help: "HOST:PORT to listen on (default: the node's setting).") var listen: String?
    @Option(help: "Milliseconds between checkpoints while entries arrive.") var checkpointIntervalMs: Int = 1_000
    @Option(help: "Seconds between purges of received records whose data life ended.") var purgeIntervalSeconds: Int =
        60
    @Option(help: "Seconds between rounds with the peers: catalogs, checkpoints to witness, subscriptions.")
    var syncIntervalSeconds: Int = 30

    /// The applications for this node's resources past or near their reply deadline, or why that cannot be
    /// told.
    static func dueApplications(
        store: any Store, node: String
    ) async -> Result<(overdue: [DueItem], dueSoon: [DueItem]), ReplyDeadlines.DeadlinesUnknown> {
        let read: Result<[DueItem], ReplyDeadlines.DeadlinesUnknown>
        do {
            read = try await ReplyDeadlines.read(store: store, node: node, within: 3)
        } catch {
            read = .failure(.init(reason: "the node database cannot be read: \(error)"))
        }
        return read.map { items in
            let replies = items.filter { $0.kind == .reply }
            return (replies.filter { $0.standing == .overdue }, replies.filter { $0.standing == .dueSoon })
        }
    }

    func run() async throws {
        let directory = try node.open()
        let id = directory.configuration.id
        let federation = try directory.federation()
        guard let listen = listen ?? directory.configuration.listen else {
            throw CommandFailure.usage("\(id) has no listen address; give --listen HOST:PORT")
        }
        let (host, port) = try NodeDirectory.listenAddress(listen)
        guard checkpointIntervalMs > 0, purgeIntervalSeconds > 0, syncIntervalSeconds > 0 else {
            throw CommandFailure.usage("intervals must be positive")
        }
        let store = try await directory.store()
        let key = try directory.privateKey()
        let log = try await AuditLog(store: store, node: id, signer: key)
        let transport = HTTPTransport()
        let engine = try ExchangeEngine(
            id: id, key: key, store: store, log: log, federation: federation, transport: transport)
        var logger = Logger(label: "exchange-node")
        logger[metadataKey: "node"] = "\(id)"
        let earlier = try await engine.warmUp()
        if earlier > 0 {
            logger.info("frequency limits count earlier decisions", metadata: ["decisions": "\(earlier)"])
        }
        let app = NodeServer.application(
            service: engine, host: host, port: port, logger: logger,
            metrics: {
                var gauges = [("seamless_audit_entries", "Entries in the node's audit log.", await log.size)]
                switch await Self.dueApplications(store: store, node: id) {
                case .success(let due):
                    gauges += [
                        ("seamless_applications_overdue", "Applications past their reply deadline.", due.overdue.count),
                        (
                            "seamless_applications_due_soon", "Applications due within 3 working days.",
                            due.dueSoon.count
                        ),
                    ]
                case .failure:
                    // Not 0 overdue: nobody can tell, and the alert on this gauge must not stay quiet.
                    gauges.append(
                        ("seamless_application_deadlines_unknown", "1 when reply deadlines cannot be worked out.", 1))
                }
                return engine.metrics.prometheusText(gauges: gauges)
            },
            onRunning: { port in
                // Unbuffered: whoever started the node waits for this line.
                FileHandle.standardOutput.write(Data("serving \(id) at http://\(host):\(port)\n".utf8))
            })
        let housekeeping = NodeHousekeeping(
            log: log, engine: engine, checkpointInterval: .milliseconds(checkpointIntervalMs),
            purgeInterval: .seconds(purgeIntervalSeconds), syncInterval: .seconds(syncIntervalSeconds), logger: logger)
        let due: (overdue: [DueItem], dueSoon: [DueItem])
        switch await Self.dueApplications(store: store, node: id) {
        case .success(let items): due = items
        case .failure(let unknown):
            logger.warning(
                "reply deadlines of applications cannot be worked out", metadata: ["reason": "\(unknown.reason)"])
            due = ([], [])
        }
        for (items, level, message) in [
            (due.overdue, Logger.Level.warning, "application past its reply deadline"),
            (due.dueSoon, .notice, "application due soon"),
        ] {
            for item in items {
                logger.log(
                    level: level, "\(message)",
                    metadata: [
                        "agreement": "\(item.agreementID)", "requester": "\(item.requester)",
                        "deadline": "\(item.deadline)",
                    ])
            }
        }
        let group = ServiceGroup(
            configuration: .init(
                services: [housekeeping, app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            try? await transport.shutdown()
            throw CommandFailure.io("the node stopped: \(HTTPTransport.describe(error))")
        }
        _ = try await log.checkpoint()
        try await transport.shutdown()
        print("stopped \(id); last checkpoint at \(await log.size) entries")
    }
}
